"""`evolve apply` and `evolve rollback`: byte-exact writes, backups, and refusing to overwrite
a file the user changed since the run started."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from evolve.cli import main

from .conftest import Run


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def backups(run: Run) -> list[Path]:
    return sorted(run.task_dir.glob(f"seed.py.evolve-backup-{run.run_dir.name}*"))


def test_apply_writes_the_champion_and_keeps_a_backup(
    calc_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = calc_run.program.read_bytes()
    status, out, _ = cli(capsys, "apply", str(calc_run.run_dir))
    assert status == 0 and "applied change #3" in out
    assert calc_run.program.read_bytes() == calc_run.source_after(3).encode()
    [backup] = backups(calc_run)
    assert backup.read_bytes() == seed

    # Again: the file already holds the champion, so nothing is written or backed up.
    status, out, _ = cli(capsys, "apply", str(calc_run.run_dir))
    assert status == 0 and "already holds change #3; nothing written" in out
    assert len(backups(calc_run)) == 1


def test_rollback_reproduces_each_version_byte_for_byte(
    calc_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = calc_run.program.read_bytes()
    assert cli(capsys, "apply", str(calc_run.run_dir))[0] == 0
    for number in (2, 1, 3):
        status, out, _ = cli(capsys, "rollback", str(calc_run.run_dir), "--to", str(number))
        assert status == 0 and f"rolled back to change #{number}" in out
        assert calc_run.program.read_bytes() == calc_run.source_after(number).encode()
    status, out, _ = cli(capsys, "rollback", str(calc_run.run_dir), "--to", "0")
    assert status == 0 and "rolled back to the seed" in out
    assert calc_run.program.read_bytes() == seed
    # Every write kept what it replaced, none overwriting an earlier backup.
    assert len(backups(calc_run)) == 5


def test_rollback_to_another_path_and_bad_numbers(
    calc_run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "out" / "calc.py"
    status, _, _ = cli(
        capsys, "rollback", str(calc_run.run_dir), "--to", "2", "--to-path", str(elsewhere)
    )
    assert status == 0 and elsewhere.read_text() == calc_run.source_after(2)
    for bad in ("4", "-1"):
        status, _, err = cli(capsys, "rollback", str(calc_run.run_dir), "--to", bad)
        assert status == 2 and "--to must be between 0 (the seed) and 3" in err


def test_apply_to_a_folder_writes_the_program_under_its_own_name(
    calc_run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    status, out, _ = cli(capsys, "apply", str(calc_run.run_dir), "--to", str(folder))
    assert status == 0 and "applied change #3" in out
    assert (folder / calc_run.program.name).read_text() == calc_run.source_after(3)
    assert calc_run.program.read_text() != calc_run.source_after(3)  # the user's file kept


def test_rollback_reads_like_apply(
    calc_run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rollback RUN N [--to PATH]`, as `apply RUN [--to PATH]`; the older form still works
    and says what to write instead."""
    elsewhere = tmp_path / "out" / "calc.py"
    status, out, err = cli(capsys, "rollback", str(calc_run.run_dir), "1", "--to", str(elsewhere))
    assert status == 0 and err == "" and elsewhere.read_text() == calc_run.source_after(1)
    status, _, err = cli(capsys, "rollback", str(calc_run.run_dir), "2")
    assert status == 0 and err == "" and calc_run.program.read_text() == calc_run.source_after(2)
    status, _, err = cli(capsys, "rollback", str(calc_run.run_dir), "--to", "0")
    assert status == 0 and "write `rollback RUN N [--to PATH]`" in err
    for argv, said in (
        (["9"], "N must be between 0 (the seed) and 3, not 9"),
        ([], "say which change"),
        (["--to", str(elsewhere)], "names a path, but no change N is given"),
        (["1", "--to-path", str(elsewhere)], "give the target as --to PATH"),
    ):
        status, out, err = cli(capsys, "rollback", str(calc_run.run_dir), *argv)
        assert status == 2 and out == "" and err.count("\n") == 1 and said in err, err


def test_apply_refuses_a_target_changed_since_the_run_started(
    calc_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    edited = calc_run.program.read_text() + "# my own edit\n"
    calc_run.program.write_text(edited)
    for argv in (["apply"], ["rollback", "--to", "0"]):
        status, out, err = cli(capsys, *argv, str(calc_run.run_dir))
        assert status == 2 and out == "" and err.count("\n") == 1
        assert "changed since run" in err and "refusing to overwrite, use --force" in err
        assert calc_run.program.read_text() == edited
    assert backups(calc_run) == []

    status, _, _ = cli(capsys, "apply", str(calc_run.run_dir), "--force")
    assert status == 0 and calc_run.program.read_text() == calc_run.source_after(3)
    [backup] = backups(calc_run)
    assert backup.read_text() == edited


def test_apply_refuses_a_missing_target(calc_run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    calc_run.program.unlink()
    status, _, err = cli(capsys, "apply", str(calc_run.run_dir))
    assert status == 2 and "missing, but it held the seed" in err
    assert not calc_run.program.exists()


def test_apply_to_a_path(calc_run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fresh = tmp_path / "fresh.py"
    assert cli(capsys, "apply", str(calc_run.run_dir), "--to", str(fresh))[0] == 0
    assert fresh.read_text() == calc_run.source_after(3)

    other = tmp_path / "other.py"
    other.write_text("print('not the seed')\n")
    status, _, err = cli(capsys, "apply", str(calc_run.run_dir), "--to", str(other))
    assert status == 2 and f"{other}: changed since run" in err
    assert other.read_text() == "print('not the seed')\n"

    holds_seed = tmp_path / "copy.py"
    holds_seed.write_bytes(calc_run.program.read_bytes())
    assert cli(capsys, "apply", str(calc_run.run_dir), "--to", str(holds_seed))[0] == 0
    assert holds_seed.read_text() == calc_run.source_after(3)
    assert calc_run.program.read_text() == calc_run.source_after(0)  # untouched


def test_apply_refuses_a_tampered_record(calc_run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(calc_run.run_dir / "run.sqlite") as db:
        db.execute("UPDATE accepted SET diff = diff || ' ' WHERE number = 1")
    seed = calc_run.program.read_bytes()
    status, _, err = cli(capsys, "apply", str(calc_run.run_dir))
    assert status == 1 and "verify failed: record #1:" in err
    assert calc_run.program.read_bytes() == seed
