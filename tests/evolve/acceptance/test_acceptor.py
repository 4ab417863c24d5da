"""The acceptor's choice among plausible repairs, with its refusal policy applied: a repair
that shows an anti-pattern of shape, as every other one found does, or that ranks level with
another that answers otherwise, is refused unless a holdout vouches for it (counted, never
collected again, the pool emptied), and the search goes on for a better one."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path

from evolve.acceptance.acceptor import Acceptor, Champion
from evolve.acceptance.antipatterns import DEAD_CODE, IDENTITY_OPERATION
from evolve.acceptance.checks import Candidate
from evolve.acceptance.plausible import MOST_EDITS, Plausible
from evolve.evaluation.evaluator import Evaluator
from evolve.run import read_program
from evolve.store.database import RunStore
from evolve.task import load_task
from sandbox import Evaluation
from tests.doubles import InProcessSandbox, SerialExecutor

SEED = "def add(a, b):\n    return a - b\n"


Offer = tuple[str, tuple[str, ...], Callable[[list[str | None]], list[str | None]]]


def conclude_with(
    tmp_path: Path,
    make_task: Callable[..., Path],
    anti_patterns: tuple[str, ...] = (),
    vouched: bool = False,
    offers: Sequence[Offer] = (),
    later: Sequence[Offer] = (),
) -> tuple[Acceptor, Champion, Champion]:
    """The acceptor's choice among plausible repairs: by default one, `- -> +`, showing
    `anti_patterns` (`vouched`: with a holdout it passed); else each of `offers`, an edit
    described (edits joined by "; "), its anti-patterns and its answers on the generated
    inputs made from the seed's. With `later`, a second choice among those follows, and its
    result is returned."""
    offers = offers or [("binary-operator at line 2: - -> +", anti_patterns, list)]
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
        seed_outputs = list(acceptor.checks.generated.seed_outputs(1))
        edits = {
            program.describe(edit): edit
            for site in program.sites
            for edit in program.edits_at(site.address)
        }
        for pool in (offers, later) if later else (offers,):
            for number, (described, patterns, answers) in enumerate(pool):
                patch = tuple(edits[text] for text in described.split("; "))
                variant = evaluator.variant(patch)
                [evaluation] = evaluator.evaluate([variant], 1, 1000)
                assert evaluation is not None
                holdout: Evaluation | None = evaluation if vouched else None
                candidate = Candidate(variant, evaluation, holdout)
                outputs = tuple(answers(list(seed_outputs)))
                plausible = Plausible(
                    candidate, len(patch), len(patch), 1, 10 + number, outputs, patterns
                )
                acceptor.plausible.add(plausible, 10 + number)
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


def answering(value: str) -> Callable[[list[str | None]], list[str | None]]:
    """Answers as the seed does, but `value` on the first generated input."""
    return lambda seed: [value, *seed[1:]]


def test_repairs_that_rank_level_and_answer_differently_are_refused(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    # Two one-token edits, found one after the other, that the tests cannot tell apart.
    plus = "binary-operator at line 2: - -> +"
    times = "binary-operator at line 2: - -> *"
    acceptor, champion, new = conclude_with(
        tmp_path, make_task, offers=[(plus, (), answering("7")), (times, (), answering("8"))]
    )
    assert new is champion and acceptor.refused == 2
    level = acceptor.refusal_policy.refused_level
    assert level is not None and acceptor.state()["refused_level"] == list(level)
    # A later repair that ranks no better (an edit more) is one more the tests cannot
    # decide on; one that ranks better is taken.
    worse = (f"{plus}; extend-expression at line 2: a - b -> a - b + 1", (), answering("7"))
    acceptor, champion, new = conclude_with(
        tmp_path / "worse",
        make_task,
        offers=[(plus, (), answering("7")), (times, (), answering("8"))],
        later=[worse],
    )
    assert new is champion and acceptor.refused == 3
    # Level and answering alike: harmless, the first found is taken.
    agreeing = conclude_with(
        tmp_path / "alike",
        make_task,
        offers=[(plus, (), answering("7")), (times, (), answering("7"))],
    )
    assert agreeing[2] is not agreeing[1] and agreeing[0].refused == 0
    # One raises where the other answers: an input outside what the function handles,
    # most likely; no disagreement.
    raising = conclude_with(
        tmp_path / "raises",
        make_task,
        offers=[
            (plus, (), lambda seed: [None, *seed[1:]]),
            (times, (), lambda seed: [seed[0], None, *seed[2:]]),
        ],
    )
    assert raising[2] is not raising[1] and raising[0].refused == 0


def test_a_repair_of_more_edits_than_most_is_refused_unless_a_holdout_vouches(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    sprawling = "; ".join(
        [
            "binary-operator at line 2: - -> +",
            "extend-expression at line 2: a - b -> a - b + 1",
            "guard-statement at line 2: guard `return a - b` with `if a:`",
            "copy-statement at line 2: insert `return a - b` (from line 2) at position 1",
        ]
    )
    assert sprawling.count(";") + 1 > MOST_EDITS
    acceptor, champion, new = conclude_with(
        tmp_path, make_task, offers=[(sprawling, (), answering("7"))]
    )
    assert new is champion and acceptor.refused == 1
    vouched = conclude_with(
        tmp_path / "holdout", make_task, offers=[(sprawling, (), answering("7"))], vouched=True
    )
    assert vouched[2] is not vouched[1] and vouched[0].refused == 0


def test_the_refused_level_resumes_from_the_acceptors_checkpoint(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    plus = "binary-operator at line 2: - -> +"
    times = "binary-operator at line 2: - -> *"
    acceptor, _, _ = conclude_with(
        tmp_path, make_task, offers=[(plus, (), answering("7")), (times, (), answering("8"))]
    )
    state = json.loads(json.dumps(acceptor.state()))  # as a checkpoint stores it
    # The keys, in order, of checkpoints from before the refusal policy had its own class.
    assert list(state) == ["checks", "refused", "refused_level", "plausible"]
    resumed = Acceptor(
        acceptor.task, acceptor.program, acceptor.evaluator, random.Random(0), budget=1000
    )
    resumed.restore(state)
    assert resumed.refused == 2
    level = acceptor.refusal_policy.refused_level
    assert level is not None and resumed.refusal_policy.refused_level == level
