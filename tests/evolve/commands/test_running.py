"""`evolve run` and `resume` end to end on tiny tasks: what a run says it did, what a refused
run leaves behind (nothing), the demo it picks when no task is named, and `run --json`'s
accepted changes. (Bugs: a refused run left a half-made run directory that `verify` called
OK; a stagnated speed-up printed "solved"; a seed passing every test ran a generation.)"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evolve.commands.parser import DEFAULT_TASK
from evolve.commands.render import verdict
from evolve.commands.running import _finish
from evolve.run import lock_run
from tests.conftest import ADD_CASES, write_task
from tests.doubles import in_process_sandboxes

from .conftest import Run, cli, fingerprint, last_json

CORRECT_ADD = "def add(a, b):\n    return a + b\n"


@pytest.fixture(autouse=True)
def _in_process() -> Iterator[None]:
    with in_process_sandboxes():
        yield


def test_a_refused_run_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = "import no_such_module_anywhere\n\ndef add(a, b):\n    return a - b\n"
    task = write_task(tmp_path / "t", seed, "add", ADD_CASES)
    runs = tmp_path / "runs"
    status, out, err = cli(capsys, "run", str(task), "--runs-dir", str(runs), "--quiet")
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert "cannot be loaded" in err
    assert not runs.exists() or list(runs.iterdir()) == []


def test_a_run_that_does_not_parse_names_pythons_line_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = "def add(a, b):\n    for i in range(a)\n        b += 1\n    return b\n\n\n"
    task = write_task(tmp_path / "t", seed, "add", ADD_CASES)
    status, _, err = cli(capsys, "run", str(task), "--runs-dir", str(tmp_path / "runs"))
    assert status == 2
    assert "seed.py:2:" in err and "expected ':'" in err, err
    assert not (tmp_path / "runs").exists()


def test_resume_refuses_before_touching_the_run(
    add_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(add_run.run_dir)
    lock = lock_run(add_run.run_dir)  # as a process running it would hold it
    try:
        status, _, err = cli(capsys, "resume", str(add_run.run_dir))
    finally:
        os.close(lock)
    assert status == 2 and "another process is running this run" in err
    after = fingerprint(add_run.run_dir)
    after.pop("run.lock", None)
    before.pop("run.lock", None)
    assert after == before
    # A finished run: nothing to resume, nothing written.
    status, out, _ = cli(capsys, "resume", str(add_run.run_dir))
    assert status == 0 and "nothing to resume" in out
    after = fingerprint(add_run.run_dir)
    after.pop("run.lock", None)
    assert after == before


def test_a_seed_that_passes_every_test_stops_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task = write_task(tmp_path / "t", CORRECT_ADD, "add", ADD_CASES)
    runs = tmp_path / "runs"
    status, out, _ = cli(capsys, "run", str(task), "--runs-dir", str(runs), "--quiet", "--json")
    assert status == 0
    summary = last_json(out)
    assert summary["generations"] == 0 and summary["accepted"] == 0
    assert summary["evaluations"] == 1  # the seed's, and nothing else
    assert summary["solved"] is True and summary["stop_reason"] == "solved"
    status, out, _ = cli(capsys, "run", str(task), "--runs-dir", str(runs), "--quiet")
    assert status == 0 and "nothing to repair: the seed passes every test" in out


def test_run_json_has_the_accepted_changes_and_their_diffs(
    add_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = add_run.runs_dir / "again"
    status, out, _ = cli(
        capsys, "run", str(add_run.task_dir), "--seed", "1", "--budget", "300",
        "--runs-dir", str(runs), "--quiet", "--json",
    )  # fmt: skip
    assert status == 0
    summary = last_json(out)
    changes = summary["changes"]
    assert isinstance(changes, list) and len(changes) == summary["accepted"] >= 1
    assert all(change["diff"].startswith("--- ") for change in changes)
    status, out, _ = cli(capsys, "log", str(summary["run_dir"]), "--json")
    assert [c["hash"] for c in json.loads(out)] == [c["hash"] for c in changes]


def test_a_speedup_that_did_not_improve_does_not_say_solved(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    gcd = DEFAULT_TASK.parent.parent / "controls" / "gcd"
    status, out, _ = cli(
        capsys, "run", str(gcd), "--budget", "60", "--runs-dir", str(tmp_path), "--json",
        "--quiet", "--seed", "1",
    )  # fmt: skip
    assert status == 0
    summary = last_json(out)
    assert summary["goal"] == "speedup" and summary["solved"] is False
    if not summary["accepted"]:
        assert summary["improved"] is False
        assert verdict(summary).startswith("not improved")
    assert "solved" not in verdict(summary)


@pytest.mark.parametrize(
    ("summary", "said"),
    [
        (
            {"goal": "speedup", "stop_reason": "stagnated", "improved": False, "seed_cost": 184,
             "champion_cost": 184, "cost_ratio": 1.0, "solved": False},
            "not improved (stagnated); cost 184",
        ),
        (
            {"goal": "speedup", "stop_reason": "stagnated", "improved": True, "seed_cost": 200,
             "champion_cost": 100, "cost_ratio": 2.0, "solved": False},
            "improved 2x: cost 200 -> 100 executed lines (stagnated)",
        ),
        (
            {"goal": "repair", "stop_reason": "budget", "solved": False, "best": "3/4",
             "seed_fitness": "2/4"},
            "not solved (budget): best 3/4 from 2/4",
        ),
        (
            {"goal": "repair", "stop_reason": "solved", "solved": True, "best": "4/4",
             "seed_fitness": "2/4", "accepted": 2},
            "solved: passes every test (2/4 -> 4/4)",
        ),
        (
            {"goal": "repair", "stop_reason": "budget", "solved": False, "best": "8/8",
             "seed_fitness": "2/8", "best_holdout": "3/6"},
            "not solved (budget): best 8/8 from 2/8, holdout 3/6",
        ),
        (
            {"goal": "repair", "stop_reason": "solved", "solved": True, "best": "8/8",
             "seed_fitness": "2/8", "accepted": 1, "best_holdout": "6/6"},
            "solved: passes every test (2/8 -> 8/8; holdout 6/6)",
        ),
        (
            {"goal": "repair", "stop_reason": "budget", "solved": False, "best": "2/8",
             "seed_fitness": "2/8", "best_partial": "7/8"},
            "not solved (budget): best 2/8 from 2/8; partial fixes kept up to 7/8",
        ),
    ],
)  # fmt: skip
def test_verdicts_say_what_happened(summary: dict[str, object], said: str) -> None:
    assert verdict(summary) == said


# Two defects (`min` for `max`, a run reset to 0 for 1): either fix alone passes more tests.
STREAK = """\
def longest_streak(days):
    if not days:
        return 0
    best = 1
    current = 1
    for i in range(1, len(days)):
        if days[i] == days[i - 1] + 1:
            current += 1
        else:
            current = 0
        best = min(best, current)
    return best
"""
STREAK_CASES: list[tuple[list[object], object]] = [
    ([[]], 0),
    ([[7]], 1),
    ([[1, 2, 3, 4]], 4),
    ([[1, 3, 5, 9]], 1),
    ([[1, 2, 5, 6, 7]], 3),
    ([[10, 11, 12, 20, 21]], 3),
    ([[1, 2, 4, 5]], 2),
]


def test_an_unsolved_repair_says_how_far_its_partial_fixes_got(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task = write_task(tmp_path / "t", STREAK, "longest_streak", STREAK_CASES)
    runs = ("--runs-dir", str(tmp_path / "runs"), "--seed", "1", "--budget", "60")
    status, out, err = cli(capsys, "run", str(task), *runs, "--quiet", "--json")
    assert status == 0, err
    summary = last_json(out)
    assert not summary["solved"] and summary["best"] == "2/7"
    assert summary["best_partial"] in {f"{n}/7" for n in range(3, 7)}
    status, out, err = cli(capsys, "run", str(task), *runs, "--quiet")
    assert f"partial fixes kept up to {summary['best_partial']}" in out
    assert "none was accepted, as a repair must pass every test" in out


def test_run_without_a_task_names_the_demo_and_how_to_choose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = cli(
        capsys, "run", "--budget", "30", "--runs-dir", str(tmp_path), "--seed", "1"
    )
    assert status == 0
    first = err.splitlines()[0]
    assert "no task given" in first and "repair/caesar" in first
    assert "evolve tasks" in first and "evolve run DIR" in first


def _closing(run: Run, **overrides: Any) -> dict[str, Any]:
    """A finished run's summary as `_finish` reads it: 300 evaluations of `add`, nothing
    solved unless `overrides` say otherwise; the run's own directory supplies its changes."""
    summary: dict[str, Any] = {
        "task": "add", "accepted": 0, "evaluations": 300, "wall_s": 1.0, "cache_hits": 0,
        "run_id": run.run_dir.name, "run_dir": str(run.run_dir),
        "champion_path": str(run.run_dir / "champion.py"), "solved": False,
        "goal": "repair", "stop_reason": "budget",
    }  # fmt: skip
    return {**summary, **overrides}


def test_a_run_that_refused_repairs_says_how_many_and_why(
    add_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    # The closing lines of a run that refused three repairs and solved nothing; the run's
    # own directory supplies the accepted changes the lines before them list.
    summary = _closing(add_run, refused=3)
    _finish(summary, False, resumed=None)
    said = capsys.readouterr().out
    assert "refused 3 plausible repairs: each passes every test but shows an anti-pattern" in said
    assert "ranks level with another that answers otherwise" in said
    _finish({**summary, "refused": 0}, False, resumed=None)
    assert "plausible repair" not in capsys.readouterr().out


def test_a_run_whose_refused_repairs_pass_every_test_does_not_call_them_partial(
    add_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    # A new user's run ended "partial fixes pass up to 8/8 ... none was accepted, as a repair
    # must pass every test": the 8/8 were the repairs it had refused.
    summary = _closing(add_run, refused=2, best_partial="4/4")
    _finish(summary, False, resumed=None)
    said = capsys.readouterr().out
    assert "repairs passing every test (4/4) were found and refused" in said
    assert "partial fixes pass up to" not in said
    _finish({**summary, "best_partial": "3/4"}, False, resumed=None)
    assert "partial fixes pass up to 3/4" in capsys.readouterr().out


def test_a_repair_that_raises_where_the_seed_answered_is_flagged(
    add_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(add_run.run_dir / "run.sqlite") as db:
        [(number, text)] = db.execute("SELECT number, evidence FROM accepted")
        evidence = json.loads(text)
        evidence["checks"]["plausible"]["candidates"][0]["new_failures"] = 29
        db.execute(
            "UPDATE accepted SET evidence = ? WHERE number = ?", (json.dumps(evidence), number)
        )
    summary = _closing(
        add_run, accepted=1, solved=True, stop_reason="solved", holdout_evaluations=0
    )
    _finish(summary, False, resumed=None)
    said = capsys.readouterr().out
    assert "warning: the repair raises or hangs on 29 generated input(s) the seed answers" in said
    status, out, _ = cli(capsys, "log", str(add_run.run_dir))
    assert status == 0 and "raises or hangs on 29 generated input(s)" in out


def test_a_run_started_from_a_relative_task_is_read_from_anywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bug: the run kept the task folder as given ("t"), so `verify` from another working
    # directory said "t: no task.toml found".
    write_task(tmp_path / "t", "def add(a, b):\n    return a - b\n", "add", ADD_CASES)
    monkeypatch.chdir(tmp_path)
    status, out, _ = cli(
        capsys, "run", "t", "--seed", "1", "--budget", "300", "--runs-dir", "runs",
        "--quiet", "--json",
    )  # fmt: skip
    assert status == 0
    run_dir = Path(last_json(out)["run_dir"]).resolve()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    status, out, err = cli(capsys, "verify", str(run_dir))
    assert status == 0, err
