"""`evolve verify`: an untouched run passes; one changed byte anywhere fails, naming the record."""

from __future__ import annotations

import dataclasses
import itertools
import json
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evolve.cli import main
from evolve.store.chain import GENESIS, record_hash
from evolve.store.database import RunStore
from tests.doubles import IN_PROCESS_LAYERS

from .conftest import Run, copy_run

PRINTABLE = list(range(0x20, 0x7F))  # bytes that keep an ASCII diff valid UTF-8


def verify(capsys: pytest.CaptureFixture[str], run: Run) -> tuple[int, str, str]:
    status = main(["verify", str(run.run_dir)])
    out, err = capsys.readouterr()
    return status, out, err


def sql(run: Run, statement: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(run.run_dir / "run.sqlite") as db:
        return db.execute(statement, params).fetchall()


def test_an_untouched_run_verifies(calc_run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = verify(capsys, calc_run)
    assert status == 0, err
    assert out.startswith("OK: 3 record(s)")
    assert "search: 11 recorded passing tests still pass" in out
    assert "apply would write change #3" in out


def test_tests_added_to_the_task_since_the_record_are_reported(
    calc_template: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As `review --ask` adds answers to cases.jsonl: the record is intact, and says so, but
    # it vouches for 11 tests, not for the one added.
    run = copy_run(calc_template, tmp_path)
    cases = run.task_dir / "cases.jsonl"
    with cases.open("a") as lines:
        lines.write(json.dumps({"args": ["sub", 2, 2], "expected": 0}) + "\n")
        lines.write(json.dumps({"args": ["mul", 0, 3], "expected": 99}) + "\n")
    status, out, err = verify(capsys, run)
    # The records are sound, but the champion no longer repairs the task: not a success.
    assert status == 1
    assert "search: 11 recorded passing tests still pass (12/13" in out
    assert "search: the task has 13 tests now, 11 when recorded; the champion fails 1" in out
    assert "the champion fails 1 test(s) added to the task since its record" in err
    assert main(["verify", str(run.run_dir), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["failing_added_tests"] == 1


def test_tests_added_that_the_champion_passes_leave_verify_a_success(
    calc_template: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = copy_run(calc_template, tmp_path)
    with (run.task_dir / "cases.jsonl").open("a") as lines:
        lines.write(json.dumps({"args": ["sub", 2, 2], "expected": 0}) + "\n")
    status, out, err = verify(capsys, run)
    assert status == 0, err
    assert "search: the task has 12 tests now, 11 when recorded; the champion passes all" in out


def test_records_are_chained(calc_run: Run) -> None:
    store = RunStore.open(calc_run.run_dir)
    changes = store.accepted()
    store.close()
    assert changes[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(changes):
        assert after.prev_hash == before.hash and after.parent == before.child
    for change in changes:
        assert change.hash == record_hash(change)
        # The layers the child's evaluation reported (here the in-process double's; the
        # end-to-end audit test sees the fork mode's).
        assert change.engine_version and change.layers == IN_PROCESS_LAYERS
        assert '"description"' in change.edits and '"search"' in change.evidence


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_one_changed_byte_of_a_stored_diff_fails(
    calc_template: Run, data: st.DataObject, capsys: pytest.CaptureFixture[str]
) -> None:
    number = data.draw(st.integers(1, 3), label="record")
    with tempfile.TemporaryDirectory() as where:
        run = copy_run(calc_template, Path(where))
        [(diff,)] = sql(run, "SELECT diff FROM accepted WHERE number = ?", number)
        assert isinstance(diff, str)
        raw = bytearray(diff.encode("utf-8"))
        position = data.draw(st.integers(0, len(raw) - 1), label="position")
        raw[position] = data.draw(
            st.sampled_from([b for b in PRINTABLE if b != raw[position]]), label="byte"
        )
        sql(run, "UPDATE accepted SET diff = ? WHERE number = ?", raw.decode("utf-8"), number)
        status, out, err = verify(capsys, run)
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and f"record #{number}:" in err


def _flip(text: str, position: int = -2) -> str:
    """The text with one character changed (near the end by default, inside the content)."""
    index = position % len(text)
    return text[:index] + ("x" if text[index] != "x" else "y") + text[index + 1 :]


Tamper = Callable[[Run, int], None]


def _tamper_field(column: str) -> Tamper:
    def tamper(run: Run, number: int) -> None:
        [(value,)] = sql(run, f"SELECT {column} FROM accepted WHERE number = ?", number)
        assert isinstance(value, str)
        sql(run, f"UPDATE accepted SET {column} = ? WHERE number = ?", _flip(value), number)

    return tamper


def _tamper_child_source(run: Run, number: int) -> None:
    [(child,)] = sql(run, "SELECT child FROM accepted WHERE number = ?", number)
    [(source,)] = sql(run, "SELECT source FROM variants WHERE hash = ?", child)
    assert isinstance(source, str)
    sql(run, "UPDATE variants SET source = ? WHERE hash = ?", _flip(source, 10), child)


def _tamper_created_at(run: Run, number: int) -> None:
    sql(run, "UPDATE accepted SET created_at = created_at + 1e-6 WHERE number = ?", number)


def _tamper_hash_consistently(run: Run, number: int) -> None:
    """Alter the fitness and re-seal the record: the next record's link still catches it."""
    store = RunStore.open(run.run_dir)
    change = store.accepted()[number - 1]
    store.close()
    forged = dataclasses.replace(change, fitness_after="11/11")
    sql(
        run,
        "UPDATE accepted SET fitness_after = ?, hash = ? WHERE number = ?",
        forged.fitness_after,
        record_hash(forged),
        number,
    )


@pytest.mark.parametrize(
    ("tamper", "number", "named"),
    [
        (_tamper_field("diff"), 2, "record #2"),
        (_tamper_field("fitness_after"), 1, "record #1"),
        (_tamper_field("fitness_before"), 3, "record #3"),
        (_tamper_field("hash"), 2, "record #2"),
        (_tamper_field("prev_hash"), 3, "record #3"),
        (_tamper_field("patch"), 1, "record #1"),
        (_tamper_field("evidence"), 2, "record #2"),
        (_tamper_child_source, 2, "record #2"),
        (_tamper_created_at, 1, "record #1"),
        (_tamper_hash_consistently, 1, "record #2"),
    ],
    ids=[
        "diff",
        "fitness-after",
        "fitness-before",
        "hash",
        "prev-hash",
        "patch",
        "evidence",
        "child-source",
        "timestamp",
        "resealed",
    ],
)
def test_a_changed_record_fails_naming_it(
    calc_run: Run,
    capsys: pytest.CaptureFixture[str],
    tamper: Tamper,
    number: int,
    named: str,
) -> None:
    tamper(calc_run, number)
    status, _, err = verify(capsys, calc_run)
    assert status == 1
    assert err.startswith(f"evolve: verify failed: {named}:"), err
    assert err.count("\n") == 1


def test_a_changed_seed_or_a_dropped_record_fails(
    calc_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    sql(calc_run, "DELETE FROM accepted WHERE number = 3")
    status, _, err = verify(capsys, calc_run)
    assert status == 1 and "record #2: the run's champion is not the last record's child" in err

    seed = calc_run.run_dir / "seed.py"
    seed.write_text(seed.read_text() + "# edited\n")
    status, _, err = verify(capsys, calc_run)
    assert status == 1 and err.startswith("evolve: verify failed: seed:")


def test_verify_reruns_the_evidence(calc_run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    cases = calc_run.task_dir / "cases.jsonl"
    cases.write_text(cases.read_text().replace('"expected": 25', '"expected": 26'))
    status, out, err = verify(capsys, calc_run)
    assert status == 1 and out == ""
    assert "record #3: champion no longer passes search test cases[11]" in err


def test_verify_a_missing_run_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "nope", "--runs-dir", str(tmp_path)]) == 2
    assert "no such run" in capsys.readouterr().err


def test_a_run_from_before_the_chain_opens_and_fails_as_unsealed(
    calc_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    # Rebuild `accepted` as the first release wrote it: without the audit columns.
    old_columns = (
        "number, generation, evaluations, parent, child, patch, operators, diff,"
        " fitness_before, fitness_after, tests_gained, created_at"
    )
    with sqlite3.connect(calc_run.run_dir / "run.sqlite") as db:
        db.execute(f"CREATE TABLE old AS SELECT {old_columns} FROM accepted")
        db.execute("DROP TABLE accepted")
        db.execute("ALTER TABLE old RENAME TO accepted")
        db.execute("PRAGMA user_version = 0")  # as unversioned as the first release's
    store = RunStore.open(calc_run.run_dir)
    first = store.accepted()[0]
    assert (first.number, first.hash, first.edits) == (1, "", "[]")
    store.close()
    status, _, err = verify(capsys, calc_run)
    assert status == 1 and "record #1: not sealed" in err
