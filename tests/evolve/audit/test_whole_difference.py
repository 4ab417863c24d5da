"""A record names the whole difference between parent and child: every edit it adds and
every earlier edit it drops; `verify` holds the record to it."""

from __future__ import annotations

import dataclasses
import re
import sqlite3

import pytest

from evolve.audit.verify import Tampered, _check_edits
from evolve.cli import main
from evolve.program.patch import Edit
from evolve.program.program import Program
from evolve.store.chain import edit_actions, edits_json, record_hash, reverts_text
from evolve.store.database import AcceptedChange, RunStore

from .conftest import Run

SEED = "def f(x, y):\n    total = x + y\n    return total * 2\n"
A = Edit("binary-operator", "body[0].body.body[0].body[0].value", "-")
B = Edit("binary-operator", "body[0].body.body[1].body[0].value", "+")


def change(number: int, edits: str) -> AcceptedChange:
    return AcceptedChange(
        number, 1, 1, "p", "c", "[]", (), "", "", "", (), 0.0, edits=edits
    )  # fmt: skip


def test_a_change_that_drops_an_earlier_edit_says_which_and_from_where() -> None:
    program = Program.parse(SEED)
    text = edits_json(program, [B], [(A, 1)])
    added, removed = edit_actions(text)
    assert added == [B] and removed == [(A, 1)]
    assert reverts_text(text) == "reverts #1: binary-operator"
    assert reverts_text(edits_json(program, [B])) == ""
    _check_edits(change(2, text), (A,), (B,), "record #2")  # the whole difference: fine


@pytest.mark.parametrize(
    ("parent", "child", "added", "removed", "message"),
    [
        ((A,), (B,), [B], [], "drops 1 edit(s) it does not name"),
        ((A,), (A, B), [], [], "do not give its child"),
        ((), (B,), [B], [(A, 1)], "names a removed edit its parent does not have"),
        ((A,), (B,), [B], [(A, 2)], "reverts #2, which is not an earlier change"),
    ],
)
def test_verify_refuses_a_record_that_does_not_tell_the_whole_difference(
    parent: tuple[Edit, ...],
    child: tuple[Edit, ...],
    added: list[Edit],
    removed: list[tuple[Edit, int]],
    message: str,
) -> None:
    program = Program.parse(SEED)
    with pytest.raises(Tampered, match=re.escape(message)):
        _check_edits(change(2, edits_json(program, added, removed)), parent, child, "record #2")


def test_old_records_without_actions_read_as_additions() -> None:
    added, removed = edit_actions('[{"operator": "x", "site": "s", "payload": 1}]')
    assert added == [Edit("x", "s", 1)] and removed == []


def test_a_record_that_hides_an_edit_fails_verify_even_resealed(
    calc_run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    store = RunStore.open(calc_run.run_dir)
    last = store.accepted()[-1]
    store.close()
    [_hidden, *rest] = edit_actions(last.edits)[0]
    program_text = edits_json(Program.parse(calc_run.source_after(0)), rest)
    forged = dataclasses.replace(last, edits=program_text)
    with sqlite3.connect(calc_run.run_dir / "run.sqlite") as db:
        db.execute(
            "UPDATE accepted SET edits = ?, hash = ? WHERE number = ?",
            (forged.edits, record_hash(forged), last.number),
        )
    status = main(["verify", str(calc_run.run_dir)])
    _, err = capsys.readouterr()
    assert status == 1 and f"record #{last.number}: its edits" in err
