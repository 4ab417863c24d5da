"""`evolve bench`: the summary arithmetic, and a real bench on a two-task suite."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evolve.bench import Outcome, summarise, table
from evolve.cli import main
from evolve.store.database import RunStore


def outcome(**changes: object) -> Outcome:
    fields: dict[str, object] = dict(
        task="t", goal="repair", algorithm="lexicase", seed=1, solved=True, evaluations=100,
        wall_s=1.0, accepted=1, holdout_rejections=0, plausible_unsolved=False, patch_size=1,
        cost_ratio=None,
    )  # fmt: skip
    fields.update(changes)
    return Outcome(**fields)  # type: ignore[arg-type]


def test_summary_counts_solves_medians_and_overfitting() -> None:
    rows = summarise(
        [
            outcome(evaluations=100, patch_size=1),
            outcome(evaluations=300, patch_size=3),
            outcome(solved=False, evaluations=3000, holdout_rejections=2, patch_size=0),
            outcome(solved=False, plausible_unsolved=True, patch_size=2),
            outcome(algorithm="random", solved=False, patch_size=0),
        ]
    )
    lexicase, random_row = rows
    assert (lexicase.runs, lexicase.solved, lexicase.solve_rate) == (4, 2, 0.5)
    assert lexicase.median_evaluations_to_solve == 200
    assert lexicase.overfitting_runs == 2 and lexicase.holdout_rejections == 2
    assert lexicase.median_patch_size == 2
    assert random_row.solved == 0 and random_row.median_evaluations_to_solve is None
    text = table(rows)
    assert "lexicase" in text and "2/4" in text and "random" in text


@pytest.mark.slow
def test_bench_on_a_two_task_suite(
    tmp_path: Path, make_task: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    suite = tmp_path / "suite"
    make_task(
        suite / "add", "def add(a, b):\n    return a - b\n", "add", [([1, 2], 3), ([5, 0], 5)]
    )
    make_task(suite / "neg", "def neg(x):\n    return x\n", "neg", [([1], -1), ([0], 0)])
    argv = ["bench", str(suite), "--runs", "1", "--budget", "60", "--population", "8"]
    assert main([*argv, "--algorithm", "lexicase", "--algorithm", "random"]) == 0
    text = capsys.readouterr().out
    assert "lexicase" in text and "random" in text and "solved" in text

    runs = tmp_path / "runs"
    assert main([*argv, "--algorithm", "local", "--json", "--runs-dir", str(runs)]) == 0
    document = json.loads(capsys.readouterr().out.splitlines()[-1])
    [row] = document["algorithms"]
    assert row["algorithm"] == "local" and row["runs"] == 2
    assert {o["task"] for o in document["outcomes"]} == {"add", "neg"}
    assert len(list(runs.iterdir())) == 2  # kept where asked


def test_a_hidden_holdout_judges_plausible_patches_afterwards(
    tmp_path: Path, make_task: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # Two cases that `return 0` passes as well as the fix; the holdout tells them apart.
    seed = "def double(x):\n    return x + 1\n"
    suite = tmp_path / "suite"
    make_task(
        suite / "double",
        seed,
        "double",
        [([0], 0), ([0], 0)],
        holdout=[([x], 2 * x) for x in range(1, 6)],
    )
    runs = tmp_path / "runs"
    argv = ["bench", str(suite), "--runs", "1", "--budget", "300", "--algorithm", "lexicase"]
    assert main([*argv, "--hide-holdout", "--json", "--runs-dir", str(runs)]) == 0
    document = json.loads(capsys.readouterr().out.splitlines()[-1])
    [run] = document["outcomes"]
    assert document["hide_holdout"] is True
    # Whatever the search chose passes both cases; the holdout, unseen, decides.
    assert run["plausible"] is True
    [champion] = runs.glob("*/champion.py")
    namespace: dict[str, Any] = {}
    exec(champion.read_text(), namespace)
    correct = all(namespace["double"](x) == 2 * x for x in range(1, 6))
    assert run["solved"] is correct
    [row] = document["algorithms"]
    assert (row["plausible"], row["plausible_wrong"]) == (1, 0 if correct else 1)
    # The search never ran the holdout.
    [database] = runs.glob("*/run.sqlite")
    store = RunStore.open(database.parent)
    try:
        assert store.status_counts("holdout") == {}
    finally:
        store.close()


def test_the_table_shows_plausible_and_wrong_when_judged() -> None:
    rows = summarise(
        [
            outcome(plausible=True, solved=True),
            outcome(plausible=True, solved=False),
            outcome(plausible=False, solved=False),
        ]
    )
    [row] = rows
    assert (row.plausible, row.plausible_wrong, row.solved) == (2, 1, 1)
    assert "plausible" in table(rows) and "wrong" in table(rows)
    assert summarise([outcome()])[0].plausible is None


def test_a_run_stopped_by_the_user_stops_the_bench(
    tmp_path: Path, make_task: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C stops the run in progress at a generation boundary; the bench goes no further,
    and the table holds only the runs that finished."""
    import io

    import evolve.bench
    from evolve.search import Algorithm

    suite = tmp_path / "suite"
    for name in ("a", "b", "c"):
        make_task(suite / name, "def f(x):\n    return x\n", "f", [([1], 2)])
    ends = iter(["budget", "interrupted", "budget"])
    ran: list[str] = []

    def fake_run(task_dir: Path, *args: object) -> Outcome:
        ran.append(task_dir.name)
        return outcome(task=task_dir.name, stop_reason=next(ends))

    monkeypatch.setattr(evolve.bench, "bench_run", fake_run)
    log = io.StringIO()
    outcomes = evolve.bench.run_bench(
        suite, [Algorithm.LEXICASE], runs=1, budget=10, runs_dir=tmp_path, log=log
    )
    assert ran == ["a", "b"]
    assert [o.task for o in outcomes] == ["a"]
    assert "stopped by the user after 1 runs" in log.getvalue()
