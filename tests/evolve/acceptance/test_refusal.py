"""A plausible repair that shows an anti-pattern of shape, as every other one found does, is
refused unless a holdout vouches for it: the search goes on for a clean one."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from evolve.acceptance.acceptor import Acceptor, Champion
from evolve.acceptance.antipatterns import DEAD_CODE, IDENTITY_OPERATION
from evolve.acceptance.checks import Candidate
from evolve.acceptance.plausible import Plausible
from evolve.evaluation.evaluator import Evaluator
from evolve.run import read_program
from evolve.store.database import RunStore
from evolve.task import load_task
from sandbox import Evaluation
from tests.doubles import InProcessSandbox, SerialExecutor

SEED = "def add(a, b):\n    return a - b\n"


def conclude_with(
    tmp_path: Path,
    make_task: Callable[..., Path],
    anti_patterns: tuple[str, ...],
    vouched: bool = False,
) -> tuple[Acceptor, Champion, Champion]:
    """The acceptor's choice among one plausible repair showing `anti_patterns` (`vouched`:
    with a holdout it passed)."""
    task = load_task(make_task(tmp_path / "add", SEED, "add", [([1, 2], 3), ([2, 2], 4)]))
    program = read_program(task)
    store = RunStore.create(tmp_path / "run")
    sandbox = InProcessSandbox()
    try:
        evaluator = Evaluator(task, program, store, SerialExecutor(), sandbox)
        acceptor = Acceptor(task, program, evaluator, random.Random(0), budget=1000)
        seed = evaluator.variant(())
        [seed_evaluation] = evaluator.evaluate([seed], 0, 1000)
        assert seed_evaluation is not None
        champion = Champion(seed, seed_evaluation, None)
        [fix] = [
            edit
            for site in program.sites
            for edit in program.edits_at(site.address)
            if program.describe(edit) == "binary-operator at line 2: - -> +"
        ]
        variant = evaluator.variant((fix,))
        [evaluation] = evaluator.evaluate([variant], 1, 1000)
        assert evaluation is not None and evaluation.failed == 0
        holdout: Evaluation | None = evaluation if vouched else None
        candidate = Candidate(variant, evaluation, holdout)
        acceptor.plausible.add(Plausible(candidate, 1, 1, 1, 10, (), anti_patterns), 10)
        new = acceptor.conclude(champion, 1)
    finally:
        sandbox.close()
        store.close()
    return acceptor, champion, new


def test_a_repair_every_candidate_of_which_shows_a_shape_anti_pattern_is_refused(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    acceptor, champion, new = conclude_with(tmp_path, make_task, (DEAD_CODE,))
    assert new is champion
    assert acceptor.accepted == [] and acceptor.refused == 1
    assert not acceptor.pending
    assert len(acceptor.checks.overfitting) == 1  # never collected again


def test_a_style_anti_pattern_or_a_holdout_passed_does_not_refuse(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    acceptor, champion, new = conclude_with(tmp_path / "style", make_task, (IDENTITY_OPERATION,))
    assert new is not champion and acceptor.refused == 0
    vouched = conclude_with(tmp_path / "holdout", make_task, (DEAD_CODE,), vouched=True)
    assert vouched[2] is not vouched[1] and vouched[0].refused == 0
