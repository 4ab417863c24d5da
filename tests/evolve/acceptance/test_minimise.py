"""Patch minimisation: delta debugging keeps only the edits an accepted change needs."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from evolve.acceptance.checks import AcceptanceChecks, Candidate
from evolve.acceptance.minimise import ddmin, minimise_patch
from evolve.evaluation.evaluator import Evaluator
from evolve.program.patch import Edit
from evolve.run import RunRequest, read_program, start_run
from evolve.store.database import RunStore
from evolve.task import load_task
from tests.doubles import InProcessSandbox, SerialExecutor


def test_ddmin_finds_the_needed_items() -> None:
    calls: list[list[int]] = []

    def holds(items: Sequence[int]) -> bool:
        calls.append(list(items))
        return {3, 7} <= set(items)

    assert ddmin(range(10), holds) == [3, 7]
    assert ddmin(range(10), holds) == [3, 7]  # deterministic
    assert len(calls) < 2 * 10 * 10  # far fewer than all subsets


def test_ddmin_may_find_nothing_is_needed() -> None:
    assert ddmin([1, 2, 3], lambda items: True) == []


@given(st.sets(st.integers(0, 15)), st.integers(0, 16))
def test_ddmin_result_is_one_minimal(needed: set[int], size: int) -> None:
    items = list(range(size))
    needed = {n for n in needed if n < size}

    def holds(kept: Sequence[int]) -> bool:
        return needed <= set(kept)

    result = ddmin(items, holds)
    assert holds(result)
    assert all(not holds([x for x in result if x != drop]) for drop in result)
    assert result == sorted(result)  # order is kept


def test_minimise_patch_keeps_what_the_parent_had() -> None:
    old, a, b, c = (Edit("op", f"site{i}", i) for i in range(4))
    patch, needed = minimise_patch((old,), (old, a, b, c), lambda p: b in p)
    assert patch == (old, b)
    assert needed == (b,)


SEED = '''def add(a, b):
    """Return the sum of a and b."""
    unused = 1
    return a - b
'''
NOISE = Edit("integer-constant", "body[0].body.body[1].body[0].value", 2)
FIX = Edit("binary-operator", "body[0].body.body[2].body[0].value", "+")


def test_a_candidate_with_a_useless_edit_is_minimised(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    cases: list[tuple[list[object], object]] = [([1, 2], 3), ([5, 0], 5), ([2, 2], 4)]
    holdout: list[tuple[list[object], object]] = [([3, 4], 7), ([0, 0], 0)]
    task = load_task(make_task(tmp_path / "add", SEED, "add", cases, holdout))
    program = read_program(task)
    store = RunStore.create(tmp_path / "run")
    sandbox = InProcessSandbox()
    try:
        evaluator = Evaluator(task, program, store, SerialExecutor(), sandbox)
        checks = AcceptanceChecks.create(task, evaluator, random.Random(0))

        def candidate(patch: tuple[Edit, ...]) -> Candidate:
            variant = evaluator.variant(patch)
            [evaluation] = evaluator.evaluate([variant], 1, 100)
            assert evaluation is not None
            return Candidate(variant, evaluation, evaluator.holdout(variant, 1))

        seed, noisy = candidate(()), candidate((NOISE, FIX))
        assert noisy.evaluation.passed == 3
        result = checks.minimise(seed, noisy, 1, lambda v: evaluator.evaluate([v], 1, 100)[0])
    finally:
        sandbox.close()
        store.close()
    assert result.candidate.variant.patch == (FIX,)
    assert (result.edits_before, result.edits_after) == (2, 1)
    assert "unused = 1" in result.candidate.variant.source
    assert result.candidate.evaluation.passed == 3


def test_the_engine_records_minimised_changes(add_task: Path, tmp_path: Path) -> None:
    summary = start_run(
        RunRequest(add_task, seed=1, budget=300, runs_dir=tmp_path / "runs"), _Quiet()
    )
    store = RunStore.open(Path(summary.run_dir))
    try:
        changes = store.accepted()
    finally:
        store.close()
    assert changes and summary.solved
    for change in changes:
        checks = json.loads(change.evidence)["checks"]
        edits = json.loads(change.edits)
        assert checks["minimised"]["edits_after"] == len(edits)
        assert checks["minimised"]["edits_before"] >= len(edits)
        assert checks["generated_inputs"] > 0
    # The repair was chosen among the plausible ones found, and says so.
    choice = json.loads(changes[-1].evidence)["checks"]["plausible"]
    assert choice["candidates"] and choice["reason"]
    assert choice["candidates"][0]["variant"] == changes[-1].child
    assert 0 < summary.cache_hit_rate < 1


class _Quiet:
    def generation(self, stats: object) -> None:
        pass

    def accepted(self, change: object) -> None:
        pass
