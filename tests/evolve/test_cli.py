"""The command line on real tasks: every verb, --json contracts, and bad input -> exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from evolve.cli import BUNDLED_TASKS, main
from evolve.errors import UsageError
from evolve.evaluation.executor import Executor, connect_executor
from evolve.resume import FINISHED_KEYS
from evolve.store.database import RunStore
from tests.conftest import ADD_CASES, ADD_SEED


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_tasks_lists_the_bundled_tasks(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "tasks")
    assert status == 0
    lines = out.splitlines()
    assert len(lines) >= 9
    goals = {line.split()[1] for line in lines}
    assert goals == {"repair", "speedup"}
    assert all(str(BUNDLED_TASKS) in line for line in lines)


@pytest.mark.real_sandbox  # the layers and memory figure of a real evaluation
def test_eval_json(add_task: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "eval", str(add_task), "--json")
    assert status == 0
    data = json.loads(out.splitlines()[-1])
    assert data["status"] == "failed"
    assert (data["passed"], data["failed"], data["total"]) == (1, 3, 4)
    assert {t["outcome"] for t in data["tests"]} == {"passed", "failed"}
    assert data["cpu_s"] >= 0 and data["max_rss_mb"] > 0
    assert "rlimits" in data["layers"]
    assert data["holdout"]["total"] == 21


def test_eval_another_program(
    add_task: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixed = tmp_path / "fixed.py"
    fixed.write_text("def add(a, b):\n    return a + b\n")
    status, out, _ = run_cli(capsys, "eval", str(add_task), "--program", str(fixed))
    assert status == 0
    assert "search: ok" in out and "4/4 passed" in out
    assert "holdout: ok" in out


def test_run_log_and_diff(
    add_task: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    status, out, _ = run_cli(
        capsys,
        "run",
        str(add_task),
        "--seed",
        "1",
        "--budget",
        "300",
        "--runs-dir",
        str(runs),
        "--json",
        "--quiet",
    )
    assert status == 0
    summary = json.loads(out.splitlines()[-1])
    for key in (
        "run_id",
        "run_dir",
        "evaluations",
        "wall_s",
        "cache_hits",
        "accepted",
        "solved",
        "champion_path",
    ):
        assert key in summary
    assert summary["solved"] is True
    assert summary["accepted"] >= 1
    assert Path(summary["champion_path"]).is_file()

    status, out, _ = run_cli(capsys, "log", summary["run_id"], "--runs-dir", str(runs))
    assert status == 0
    assert out.startswith("#1 ")
    changes = [line for line in out.splitlines() if line.startswith("#")]
    assert "4/4" in changes[-1]
    # The last change was chosen among the plausible repairs, and the log says why.
    assert "plausible patch" in out.split(changes[-1])[1]

    status, out, _ = run_cli(capsys, "diff", summary["run_dir"])
    assert status == 0
    assert "-    return a - b" in out and "+    return a + b" in out

    status, out, _ = run_cli(capsys, "diff", summary["run_dir"], "1")
    assert status == 0 and out.startswith("--- a/seed.py")


def test_run_prints_diffs_and_champion_path(
    add_task: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run_cli(
        capsys,
        "run",
        str(add_task),
        "--seed",
        "1",
        "--budget",
        "300",
        "--runs-dir",
        str(tmp_path),
        "--quiet",
    )
    assert status == 0
    assert "--- change #1" in out
    assert "champion written to" in out
    assert "no holdout checked it" not in out  # the task has one


def test_a_repair_no_holdout_checked_says_so(
    make_task: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task = make_task(tmp_path / "add", ADD_SEED, "add", ADD_CASES)
    argv = ["run", str(task), "--seed", "1", "--budget", "300", "--runs-dir", str(tmp_path)]
    status, out, _ = run_cli(capsys, *argv, "--quiet")
    assert status == 0 and "solved" in out
    [hint] = [line for line in out.splitlines() if line.startswith("no holdout checked it")]
    # Its candidates disagree on some generated inputs: the hint says how to settle them.
    assert f"evolve review {tmp_path}" in hint and "--ask` shows the first of them" in hint


def break_toml(task: Path) -> None:
    (task / "task.toml").write_text("[task\n")


def break_seed(task: Path) -> None:
    (task / "seed.py").write_text("def add(a, b)\n    return a - b\n")


def wrong_entry(task: Path) -> None:
    text = (task / "task.toml").read_text().replace('entry = "add"', 'entry = "plus"')
    (task / "task.toml").write_text(text)


def bad_case(task: Path) -> None:
    (task / "cases.jsonl").write_text('{"args": [1, 2], "expected": 3\n')


def remove_cases(task: Path) -> None:
    (task / "cases.jsonl").unlink()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (break_toml, "malformed TOML"),
        (break_seed, "seed.py"),
        (wrong_entry, "'plus' is not defined"),
        (bad_case, "cases.jsonl:1: not valid JSON"),
        (remove_cases, "file not found: cases.jsonl"),
    ],
)
@pytest.mark.parametrize("verb", ["run", "eval"])
def test_bad_input_is_one_line_and_exit_2(
    add_task: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    damage: Callable[[Path], None],
    message: str,
    verb: str,
) -> None:
    damage(add_task)
    runs = ["--runs-dir", str(tmp_path)] if verb == "run" else []
    # An exception that escaped `main` (a traceback on the command line) fails the test.
    status, out, err = run_cli(capsys, verb, str(add_task), *runs)
    assert status == 2, err
    assert out == "" and err.count("\n") == 1, err
    assert err.startswith("evolve: error: ") and message in err


def test_the_command_reports_bad_input_in_one_line_and_exit_2(add_task: Path) -> None:
    """The same through a real process: nothing else (a warning, a traceback) on stderr."""
    break_seed(add_task)
    result = subprocess.run(
        [sys.executable, "-m", "evolve.cli", "eval", str(add_task)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "seed.py" in result.stderr and "Traceback" not in result.stderr


def test_missing_task_and_unknown_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "eval", str(tmp_path / "nope"))[0] == 2
    status, _, err = run_cli(capsys, "log", "no-such-run", "--runs-dir", str(tmp_path))
    assert status == 2 and "no such run" in err


def test_missing_program_override(add_task: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_cli(capsys, "eval", str(add_task), "--program", "/nonexistent.py")
    assert status == 2 and "cannot read program" in err


@pytest.mark.parametrize("spec", ["dask://scheduler", "dask://:8786", "tcp://127.0.0.1:1", "ray"])
@pytest.mark.parametrize("verb", ["eval", "resume"])
def test_a_bad_executor_address_is_one_line_and_exit_2(
    add_task: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], verb: str, spec: str
) -> None:
    target = [str(add_task)] if verb == "eval" else ["some-run", "--runs-dir", str(tmp_path)]
    status, out, err = run_cli(capsys, verb, *target, "--executor", spec)
    assert status == 2 and out == ""
    assert err.count("\n") == 1, err
    assert err.startswith(f"evolve: error: --executor {spec!r}: use 'local' or 'dask://HOST:PORT'")


def test_resume_goes_to_the_recorded_executor_unless_told_otherwise(
    add_task: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = tmp_path / "runs"
    status, out, _ = run_cli(
        capsys, "run", str(add_task), "--seed", "1", "--budget", "300", "--runs-dir", str(runs),
        "--json", "--quiet",
    )  # fmt: skip
    assert status == 0
    run_dir = Path(json.loads(out.splitlines()[-1])["run_dir"])
    gone = "dask://127.0.0.1:9"
    store = RunStore.open(run_dir)
    try:
        # As if killed after its first checkpoint while on a cluster that is gone since.
        store.rewind(0, forget=FINISHED_KEYS)
        store.set_config(executor=gone)
        evaluations = len(store.stored_evaluations())
    finally:
        store.close()
    asked: list[str] = []

    def connect(spec: str) -> Executor:
        asked.append(spec)
        if spec.startswith("dask://"):  # what an unreachable scheduler gives, without the wait
            raise UsageError(f"{spec}: cannot reach the Dask scheduler (connection refused)")
        return connect_executor(spec)

    monkeypatch.setattr("evolve.resume.connect_executor", connect)
    status, out, err = run_cli(capsys, "resume", str(run_dir), "--json", "--quiet")
    assert status == 2 and out == ""
    assert err.count("\n") == 1, err
    assert f"{gone}: cannot reach the Dask scheduler" in err and "--executor local" in err
    store = RunStore.open(run_dir)
    try:  # refused before the store was touched
        assert "summary" not in store.config()
        assert len(store.stored_evaluations()) == evaluations
    finally:
        store.close()

    status, out, err = run_cli(
        capsys, "resume", str(run_dir), "--executor", "local", "--json", "--quiet"
    )
    assert status == 0, err
    summary = json.loads(out.splitlines()[-1])
    assert summary["resumed"] is True and summary["solved"] is True
    assert asked == [gone, "local"]
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    assert [e["executor"] for e in events if e["type"] == "run_resumed"] == ["local"]


def test_the_command_line_starts_without_the_libraries_few_commands_need(tmp_path: Path) -> None:
    """scipy (timed confirmation), plotly (reports), Hypothesis (generated inputs) and Dask
    (--executor dask://) cost seconds to import together: they load where they are used. The
    parser loads no verb's implementation at all: not even libcst, DEAP or numpy."""
    probe = (
        "import json, sys\nimport evolve.cli\n"
        "print(json.dumps(sorted({m.partition('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    loaded = set(json.loads(done.stdout))
    assert "evolve" in loaded
    heavy = loaded & {"scipy", "plotly", "hypothesis", "distributed", "dask", "libcst", "deap"}
    assert not heavy, f"imported at start-up: {sorted(heavy)}"
