"""An accepted change as recorded: numbered and sealed after the ones before it, with the
edits it adds and those it drops, each dropped one naming the change that introduced it."""

from __future__ import annotations

from evolve.acceptance.change import sealed_change
from evolve.acceptance.checks import Candidate
from evolve.evaluation.evaluator import Variant
from evolve.program.patch import Edit, Patch
from evolve.program.program import Program
from evolve.store.chain import GENESIS, edit_actions, record_hash, reverts_text
from evolve.task import Goal
from sandbox import Evaluation, Status, TestOutcome

SEED = "def f(x, y):\n    total = x + y\n    return total * 2\n"
A = Edit("binary-operator", "body[0].body.body[0].body[0].value", "-")
B = Edit("binary-operator", "body[0].body.body[1].body[0].value", "+")


def _step(program: Program, patch: Patch, passed: int) -> Candidate:
    source = program.render(patch)
    tests = tuple(TestOutcome(f"t{i}", "passed" if i < passed else "failed") for i in range(3))
    status = Status.OK if passed == 3 else Status.FAILED
    variant = Variant(patch, source, f"digest-{len(patch)}-{passed}", f"key-{patch}", source)
    return Candidate(variant, Evaluation(status=status, tests=tests), None)


def test_a_change_is_numbered_sealed_and_names_what_it_undoes() -> None:
    program = Program.parse(SEED)
    seed, first, second = _step(program, (), 1), _step(program, (A,), 2), _step(program, (B,), 3)
    one = sealed_change(program, [], seed, first, generation=2, evaluations=50, goal=Goal.REPAIR)
    assert one.number == 1 and one.prev_hash == GENESIS
    assert one.hash == record_hash(one)
    assert one.fitness_before == "1/3" and one.fitness_after == "2/3"
    assert one.tests_gained == ("t1",) and one.operators == ("binary-operator",)
    assert "-    total = x + y" in one.diff and "+    total = x - y" in one.diff
    two = sealed_change(
        program, [one], first, second, generation=5, evaluations=90, goal=Goal.REPAIR
    )
    assert two.number == 2 and two.prev_hash == one.hash and two.parent == one.child
    # It adds B and drops A, which change 1 introduced.
    assert edit_actions(two.edits) == ([B], [(A, 1)])
    assert reverts_text(two.edits) == "reverts #1: binary-operator"
