"""The verbs that read a run: refusing what is not a run in one line, never writing, and
their JSON. (Bugs: a corrupt run.sqlite, a directory that only looks like a run, --runs-dir
naming a file.)"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from evolve.store.database import RunStore

from .conftest import Run, cli, fingerprint, last_json

# Every verb that takes a run, with the arguments it needs besides the run.
RUN_VERBS: list[tuple[str, ...]] = [
    ("verify",),
    ("log",),
    ("log", "--json"),
    ("diff",),
    ("diff", "1"),
    ("review",),
    ("review", "--json"),
    ("review", "--approve-all"),
    ("report",),
    ("resume",),
    ("stop",),
    ("apply",),
    ("rollback", "0"),
]


def garbage(run_dir: Path) -> None:
    (run_dir / "run.sqlite").write_bytes(b"garbage")


def truncated(run_dir: Path) -> None:
    data = (run_dir / "run.sqlite").read_bytes()
    (run_dir / "run.sqlite").write_bytes(data[: len(data) // 3])


def empty(run_dir: Path) -> None:
    (run_dir / "run.sqlite").write_bytes(b"")


def sql(run_dir: Path, statement: str) -> None:
    """Change the record by hand, closing the connection (which folds the log back in)."""
    with closing(sqlite3.connect(run_dir / "run.sqlite")) as db, db:
        db.execute(statement)


def no_configuration(run_dir: Path) -> None:
    sql(run_dir, "DELETE FROM config")


def wrong_types(run_dir: Path) -> None:
    sql(run_dir, "UPDATE config SET value = '[1, 2]' WHERE key = 'program'")


def not_json(run_dir: Path) -> None:
    sql(run_dir, "UPDATE config SET value = '{oops' WHERE key = 'summary'")


DAMAGE: list[tuple[Callable[[Path], None], str]] = [
    (garbage, "cannot be read as a run database"),
    (truncated, "run.sqlite"),
    (empty, "not a run database"),
    (no_configuration, "not a run: its configuration has no seed_hash"),
    (wrong_types, "configuration program is list, not str"),
    (not_json, "not valid JSON"),
]


@pytest.mark.parametrize(("damage", "message"), DAMAGE, ids=lambda d: getattr(d, "__name__", ""))
@pytest.mark.parametrize("verb", RUN_VERBS, ids=" ".join)
def test_a_damaged_run_is_one_line_exit_2_and_left_as_it_was(
    add_run: Run,
    capsys: pytest.CaptureFixture[str],
    verb: tuple[str, ...],
    damage: Callable[[Path], None],
    message: str,
) -> None:
    damage(add_run.run_dir)
    before = fingerprint(add_run.run_dir.parent)
    status, out, err = cli(capsys, verb[0], str(add_run.run_dir), *verb[1:])
    assert status == 2, err
    assert out == "" and err.count("\n") == 1, err
    assert err.startswith("evolve: error: ") and "Traceback" not in err
    if damage is not truncated:  # a truncated file may read as garbage or as a short table
        assert message in err
    assert fingerprint(add_run.run_dir.parent) == before


@pytest.mark.parametrize("verb", RUN_VERBS, ids=" ".join)
def test_a_directory_that_only_looks_like_a_run_is_refused_and_not_grown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], verb: tuple[str, ...]
) -> None:
    fake = tmp_path / "x"
    fake.mkdir()
    (fake / "run.sqlite").touch()
    status, out, err = cli(capsys, verb[0], str(fake), *verb[1:])
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert "not a run" in err
    assert [p.name for p in fake.iterdir()] == ["run.sqlite"]
    assert (fake / "run.sqlite").stat().st_size == 0


def test_a_store_without_a_configuration_is_not_a_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    RunStore.create(tmp_path / "x").close()
    before = fingerprint(tmp_path)
    for verb in ("log", "diff", "report", "verify"):
        status, _, err = cli(capsys, verb, str(tmp_path / "x"))
        assert status == 2 and "not a run: its configuration has no seed_hash" in err
    assert fingerprint(tmp_path) == before


@pytest.mark.parametrize(
    "argv",
    [
        ("log", "r1"),
        ("runs",),
        ("run", "TASK", "--budget", "10"),
        ("resume", "r1"),
        ("bench", "TASK", "--runs", "1"),
    ],
)
def test_runs_dir_naming_a_file_is_one_line_exit_2(
    add_run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    file = tmp_path / "file"
    file.write_text("not a directory\n")
    args = [str(add_run.task_dir) if a == "TASK" else a for a in argv]
    status, out, err = cli(capsys, *args, "--runs-dir", str(file))
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert f"--runs-dir {file}: not a directory" in err
    assert file.read_text() == "not a directory\n"


def test_reading_verbs_never_write_to_a_finished_run(
    add_run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(add_run.run_dir)
    for argv in (
        ["log"],
        ["log", "--json"],
        ["diff"],
        ["diff", "1", "--json"],
        ["verify"],
        ["verify", "--json"],
        ["review", "--json"],
    ):
        status, _, err = cli(capsys, argv[0], str(add_run.run_dir), *argv[1:])
        assert status == 0, (argv, err)
    for argv in (["runs"], ["runs", "--json"]):
        assert cli(capsys, *argv, "--runs-dir", str(add_run.runs_dir))[0] == 0
    assert fingerprint(add_run.run_dir) == before  # no -wal, no -shm, no byte changed


def test_log_and_diff_json(add_run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "log", str(add_run.run_dir), "--json")
    assert status == 0
    changes = json.loads(out)
    assert [c["number"] for c in changes] == list(range(1, len(changes) + 1))
    first = changes[0]
    for key in ("operators", "fitness_before", "fitness_after", "edits", "reverts", "diff"):
        assert key in first
    assert first["evidence"]["search"]["total"] == 4
    assert changes[-1]["reason"].startswith("chosen among")  # the plausible patches' choice

    status, out, _ = cli(capsys, "diff", str(add_run.run_dir), "--json")
    whole = last_json(out)
    assert whole["number"] is None and "+    return a + b" in str(whole["diff"])
    status, out, _ = cli(capsys, "diff", str(add_run.run_dir), "1", "--json")
    assert last_json(out)["diff"] == first["diff"]


def test_verify_and_review_json(add_run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "verify", str(add_run.run_dir), "--json")
    data = last_json(out)
    assert status == 0 and data["ok"] is True and data["records"] >= 1
    assert data["reviews"] == {"pending": data["records"]}

    status, out, _ = cli(capsys, "review", str(add_run.run_dir), "--json", "--approve", "1")
    data = last_json(out)
    assert status == 0
    changes = data["changes"]
    assert isinstance(changes, list)
    assert changes[0]["standing"] == "approved" and changes[0]["decided_by"]
    assert "diff" not in changes[0]

    sql(add_run.run_dir, "UPDATE accepted SET diff = diff || ' ' WHERE number = 1")
    status, out, err = cli(capsys, "verify", str(add_run.run_dir), "--json")
    assert status == 1 and last_json(out)["ok"] is False
    assert "record #1" in err


def test_runs_lists_every_run_and_marks_unreadable_ones(
    add_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = add_run.runs_dir / "broken"
    broken.mkdir()
    (broken / "run.sqlite").write_bytes(b"garbage")
    status, out, _ = cli(capsys, "runs", "--runs-dir", str(add_run.runs_dir), "--json")
    assert status == 0
    runs = {run["id"]: run for run in json.loads(out)}
    assert runs["r1"]["status"] == "finished" and runs["r1"]["solved"] is True
    assert runs["r1"]["task"] == "add" and runs["r1"]["accepted"] >= 1
    assert runs["broken"]["status"] == "unreadable"
    status, out, _ = cli(capsys, "runs", "--runs-dir", str(add_run.runs_dir))
    assert status == 0 and "r1" in out and "unreadable" in out and "solved" in out


def test_runs_in_an_empty_or_missing_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "runs", "--runs-dir", str(tmp_path / "none")) == (
        0,
        f"no runs in {tmp_path / 'none'}\n",
        "",
    )
    assert cli(capsys, "runs", "--runs-dir", str(tmp_path), "--json")[1] == "[]\n"


def test_diff_of_a_change_the_run_does_not_have(
    add_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = cli(capsys, "diff", str(add_run.run_dir), "9")
    assert status == 2 and "run has no change #9" in err


def test_diff_of_a_run_that_changed_nothing_says_so_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_task: Callable[..., Path]
) -> None:
    task = make_task(tmp_path / "t", "def f(x):\n    return x\n", "f", [([1], 2)])
    cli(capsys, "run", str(task), "--budget", "1", "--runs-dir", str(tmp_path / "r"), "--quiet")
    [run_dir] = (tmp_path / "r").iterdir()
    status, out, err = cli(capsys, "diff", str(run_dir))
    assert status == 0 and out == ""  # an empty diff, for a pipe
    assert "no change, the champion is the seed" in err
