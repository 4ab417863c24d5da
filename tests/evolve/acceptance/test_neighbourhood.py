"""The one-edit neighbourhood of a plausible repair: a simpler repair on its lines wins."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evolve.acceptance.acceptor import Acceptor, Champion
from evolve.acceptance.neighbourhood import neighbours
from evolve.evaluation.evaluator import Evaluator
from evolve.program.patch import Edit
from evolve.program.program import Program
from evolve.run import read_program
from evolve.store.database import RunStore
from evolve.task import load_task
from sandbox import Evaluation
from tests.doubles import InProcessSandbox, SerialExecutor

SEED = "def add(a, b):\n    total = a - b\n    return total\n\n\ndef twice(x):\n    return 2 * x\n"


def edit(program: Program, described: str) -> Edit:
    [found] = [
        e
        for site in program.sites
        for e in program.edits_at(site.address)
        if program.describe(e) == described
    ]
    return found


def test_neighbours_are_the_single_edits_on_the_lines_a_patch_edits() -> None:
    program = Program.parse(SEED)
    times = edit(program, "binary-operator at line 2: - -> *")
    plus_one = edit(program, "extend-expression at line 3: total -> total + 1")
    found = neighbours(program, (times, plus_one), ())
    assert all(len(patch) == 1 for patch in found)
    lines = {program.site(patch[0].site).line for patch in found}
    assert lines == {2, 3}  # never line 7, which the patch does not touch
    assert (times,) in found and (plus_one,) in found
    assert found[0][0].site == times.site  # the patch's own sites first
    assert (edit(program, "binary-operator at line 2: - -> +"),) in found
    assert len(neighbours(program, (times, plus_one), (), limit=5)) == 5
    # A patch on line 2 alone reaches line 3 too, which reads the `total` line 2 makes,
    # after line 2's own sites.
    alone = neighbours(program, (times,), ())
    order = [program.site(patch[0].site).line for patch in alone]
    assert set(order) == {2, 3} and order == sorted(order)
    # On top of a champion's edits: each neighbour keeps them.
    assert all(p[0] == times for p in neighbours(program, (times, plus_one), (times,)))


@dataclass
class Member:
    evaluation: Evaluation | None
    size: int

    def __len__(self) -> int:
        return self.size


def test_a_two_edit_repair_gives_way_to_the_one_edit_fix_on_its_line(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    # Two cases only: `a * b + 1` passes both, as `a + b` does.
    cases: list[tuple[list[object], object]] = [([1, 2], 3), ([2, 1], 3)]
    task = load_task(make_task(tmp_path / "add", SEED, "add", cases))
    program = read_program(task)
    store = RunStore.create(tmp_path / "run")
    sandbox = InProcessSandbox()
    try:
        evaluator = Evaluator(task, program, store, SerialExecutor(), sandbox)
        acceptor = Acceptor(task, program, evaluator, random.Random(0), budget=2000)
        seed = evaluator.variant(())
        [seed_evaluation] = evaluator.evaluate([seed], 0, 2000)
        assert seed_evaluation is not None
        champion = Champion(seed, seed_evaluation, None)
        contrived = evaluator.variant(
            (
                edit(program, "binary-operator at line 2: - -> *"),
                edit(program, "extend-expression at line 3: total -> total + 1"),
            )
        )
        [evaluation] = evaluator.evaluate([contrived], 1, 2000)
        assert evaluation is not None and evaluation.failed == 0
        new = acceptor.consider(champion, [Member(evaluation, 2)], [contrived], 1)
        if acceptor.pending:  # fewer than enough plausible repairs: the choice waits
            new = acceptor.conclude(champion, 1)
        changes = acceptor.accepted
    finally:
        sandbox.close()
        store.close()
    assert "total = a + b" in new.variant.source
    assert len(new.variant.patch) == 1
    [change] = changes
    choice = json.loads(change.evidence)["checks"]["plausible"]
    described = [candidate["edits"] for candidate in choice["candidates"]]
    assert ["binary-operator at line 2: - -> +"] in described
    assert [
        "binary-operator at line 2: - -> *",
        "extend-expression at line 3: total -> total + 1",
    ] in described
    assert "fewest edits" in choice["reason"] or "smallest change" in choice["reason"]
