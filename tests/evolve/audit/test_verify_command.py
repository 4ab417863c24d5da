"""`[review] verify`: apply and rollback write the user's file only when the command passes
on a copy of the project holding the result; the outcome is in the run's events."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from evolve.audit.verify_command import VerifyCommand, project_root, run_in_copy
from evolve.cli import main
from evolve.store.database import RunStore
from evolve.store.events import EVENTS_FILE

from .conftest import CALC_CASES, CALC_SEED, Run, write_calc

PYTHON = shlex.quote(sys.executable)
# Passes only where `seed.py` in the working directory adds correctly: the copy must hold
# the version being written, not the file as it is.
ADDS = f"{PYTHON} -c \"import seed; assert seed.calc('add', 1, 2) == 3, 'add is wrong'\""
HANGS = f'{PYTHON} -c "import time; time.sleep(60)"'


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def with_verify(run: Run, command: str, timeout_s: float = 60.0) -> Run:
    # The task directory is the project: its marker stops the search for one above it.
    (run.task_dir / "pyproject.toml").write_text("[project]\nname = 'calc'\n")
    store = RunStore.open(run.run_dir)
    store.set_config(review_verify=command, review_verify_timeout_s=timeout_s)
    store.close()
    return run


def verify_events(run: Run) -> list[dict[str, object]]:
    lines = (run.run_dir / EVENTS_FILE).read_text().splitlines()
    events = [json.loads(line) for line in lines]
    return [event for event in events if event["type"] == "verify_command"]


def test_apply_writes_when_the_command_passes_on_the_result(
    calc_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    run = with_verify(calc_run, ADDS)
    status, out, err = cli(capsys, "apply", str(run.run_dir))
    assert status == 0, err
    assert "applied change #3" in out
    assert run.program.read_text() == run.source_after(3)
    [event] = verify_events(run)
    assert event["verb"] == "apply" and event["number"] == 3
    assert event["passed"] is True and event["exit_status"] == 0
    assert event["project"] == str(run.task_dir.resolve())


def test_rollback_is_refused_when_the_command_fails_and_nothing_is_written(
    calc_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    run = with_verify(calc_run, ADDS)
    assert cli(capsys, "apply", str(run.run_dir))[0] == 0
    applied = run.program.read_bytes()
    files_before = sorted(run.task_dir.iterdir())

    # The seed adds wrongly: rolling back to it fails the command.
    status, out, err = cli(capsys, "rollback", str(run.run_dir), "--to", "0")
    assert status == 2 and out == ""
    [line] = err.strip().splitlines()
    assert f"verify command `{ADDS}` exit status 1" in line and "nothing written" in line
    assert run.program.read_bytes() == applied
    assert sorted(run.task_dir.iterdir()) == files_before  # not even a backup
    refused = verify_events(run)[-1]
    assert refused["verb"] == "rollback" and refused["number"] == 0
    assert refused["passed"] is False and refused["exit_status"] == 1
    assert "add is wrong" in str(refused["output"])


def test_a_command_that_hangs_is_timed_out_and_refused(
    calc_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    run = with_verify(calc_run, HANGS, timeout_s=0.5)
    seed = run.program.read_bytes()
    status, _, err = cli(capsys, "apply", str(run.run_dir))
    assert status == 2
    assert "timed out after" in err and "nothing written" in err
    assert run.program.read_bytes() == seed
    [event] = verify_events(run)
    assert event["timed_out"] is True and event["exit_status"] is None
    assert float(str(event["duration_s"])) < 30


def test_a_command_that_cannot_start_is_refused(
    calc_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    run = with_verify(calc_run, "./no-such-program --check")
    seed = run.program.read_bytes()
    status, _, err = cli(capsys, "apply", str(run.run_dir))
    assert status == 2 and "could not start" in err
    assert run.program.read_bytes() == seed


def test_a_changed_target_is_refused_before_the_command_runs(
    calc_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    run = with_verify(calc_run, ADDS)
    run.program.write_text("# edited by hand\n")
    status, _, err = cli(capsys, "apply", str(run.run_dir))
    assert status == 2 and "changed since run" in err
    assert verify_events(run) == []


def test_the_command_runs_in_a_copy_and_the_project_is_left_alone(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "setup.cfg").write_text("")
    (project / "pkg" / "mod.py").write_text("VALUE = 1\n")
    (project / "notes.txt").write_text("kept\n")
    (project / ".git").mkdir()
    (project / "runs" / "r1").mkdir(parents=True)
    (project / "runs" / "r1" / "run.sqlite").write_text("")
    (project / ".venv").mkdir()
    assert project_root(project / "pkg") == project.resolve()
    # The command sees the new text and the project's other files, and may write freely.
    script = (
        "import pathlib, pkg.mod; assert pkg.mod.VALUE == 2;"
        " assert pathlib.Path('notes.txt').read_text() == 'kept\\n';"
        " pathlib.Path('notes.txt').write_text('scribbled');"
        " assert not pathlib.Path('.git').exists() and pathlib.Path('runs').is_dir();"
        " assert not pathlib.Path('runs/r1').exists() and pathlib.Path('.venv').is_symlink()"
    )
    command = VerifyCommand(f"{PYTHON} -c {shlex.quote(script)}", timeout_s=60)
    outcome = run_in_copy(command, project, {project / "pkg" / "mod.py": "VALUE = 2\n"})
    assert outcome.passed, outcome.output
    assert (project / "pkg" / "mod.py").read_text() == "VALUE = 1\n"
    assert (project / "notes.txt").read_text() == "kept\n"


def test_a_run_fixes_the_command_when_it_starts_and_a_bad_one_is_refused_at_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task_dir = write_calc(tmp_path / "calc")
    toml = task_dir / "task.toml"
    # A TOML basic string reads JSON's escapes alike.
    verify = f"verify = {json.dumps(ADDS)}"
    toml.write_text(toml.read_text() + f"[review]\n{verify}\nverify_timeout_s = 9\n")
    runs = tmp_path / "runs"
    status, _, err = cli(capsys, "run", str(task_dir), "--budget", "20", "--runs-dir", str(runs))
    assert status == 0, err
    [run_dir] = runs.iterdir()
    store = RunStore.open(run_dir)
    config = store.config()
    store.close()
    assert (config["review_verify"], config["review_verify_timeout_s"]) == (ADDS, 9.0)

    toml.write_text(toml.read_text().replace(verify, 'verify = "pytest \'x"'))
    status, out, err = cli(capsys, "run", str(task_dir), "--runs-dir", str(tmp_path / "more"))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "[review] verify: cannot be split" in err
    assert not (tmp_path / "more").exists()


def test_a_program_of_several_files_is_verified_before_it_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The calc task as a package: its buggy module beside an __init__ that exports it.
    project = tmp_path / "project"
    package = project / "calcpkg"
    package.mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'calcpkg'\n")
    (package / "__init__.py").write_text("from calcpkg.ops import calc\n")
    (package / "ops.py").write_text(CALC_SEED)
    lines = "".join(json.dumps({"args": a, "expected": e}) + "\n" for a, e in CALC_CASES)
    (project / "cases.jsonl").write_text(lines)
    checks = f"{PYTHON} -c \"import calcpkg; assert calcpkg.calc('add', 1, 2) == 3\""
    (project / "task.toml").write_text(
        '[task]\nprogram = "calcpkg"\nentry = "calc"\n[tests]\ncases = "cases.jsonl"\n'
        f"[search]\nbudget = 300\n[review]\nverify = {json.dumps(checks)}\n"
    )
    runs = tmp_path / "runs"
    argv = ["run", str(project), "--seed", "1", "--runs-dir", str(runs), "--quiet"]
    assert cli(capsys, *argv, "--partial-repairs")[0] == 0
    [run_dir] = runs.iterdir()
    seed = (package / "ops.py").read_text()

    status, _, err = cli(capsys, "rollback", str(run_dir), "--to", "0")
    assert status == 0, err  # the files already hold the seed: nothing to verify or write
    status, out, err = cli(capsys, "apply", str(run_dir))
    assert status == 0, err
    assert "ops.py" in out and (package / "ops.py").read_text() != seed
    assert [e["passed"] for e in verify_events(Run(project, run_dir))] == [True]
    status, _, err = cli(capsys, "rollback", str(run_dir), "--to", "0")
    assert status == 2 and "nothing written" in err
    assert (package / "ops.py").read_text() != seed
    assert [e["passed"] for e in verify_events(Run(project, run_dir))] == [True, False]
