"""The refusal policy on rankings made by hand: what it refuses, why, what a holdout changes,
the level ties it remembers, and that memory's checkpoint entry."""

from __future__ import annotations

import json

from evolve.acceptance.antipatterns import DEAD_CODE, IDENTITY_OPERATION
from evolve.acceptance.checks import Candidate
from evolve.acceptance.plausible import MOST_EDITS, Plausible, Ranking, rank
from evolve.acceptance.refusal import RefusalPolicy
from evolve.evaluation.evaluator import Variant, source_hash
from sandbox import Evaluation, Status

SEED_OUTPUTS: tuple[str | None, ...] = ("1", "2", "3", "4")


def plausible(
    name: str,
    outputs: tuple[str | None, ...] = SEED_OUTPUTS,
    *,
    edits: int = 1,
    found_at: int = 10,
    anti: tuple[str, ...] = (),
    vouched: bool = False,
) -> Plausible:
    """A plausible repair named `name` (its source), with a holdout passed if `vouched`."""
    source = f"def f(x):\n    return {name!r}\n"
    variant = Variant((), source, source_hash(source))
    holdout = Evaluation(Status.OK) if vouched else None
    candidate = Candidate(variant, Evaluation(Status.OK), holdout)
    return Plausible(candidate, edits, edits, 1, found_at, outputs, anti)


def ranked(*pool: Plausible) -> Ranking:
    return rank(pool, SEED_OUTPUTS)


def level_tie(edits: int = 1, vouched: bool = False) -> Ranking:
    """Two repairs level on every count that answer otherwise on the first input."""
    first = plausible("first", ("9", *SEED_OUTPUTS[1:]), edits=edits, vouched=vouched)
    later = plausible("later", ("8", *SEED_OUTPUTS[1:]), edits=edits, found_at=20)
    ranking = ranked(first, later)
    assert ranking.undecided == (later,)
    return ranking


def test_a_clean_small_repair_alone_is_accepted() -> None:
    policy = RefusalPolicy()
    assert policy.refusal(ranked(plausible("fix", edits=MOST_EDITS))) is None
    assert policy.refused_level is None


def test_a_pool_whose_best_shows_a_shape_anti_pattern_is_refused() -> None:
    dead = plausible("dead", anti=(DEAD_CODE,))
    both = plausible("both", anti=(DEAD_CODE, "constant-return"), found_at=20)
    refusal = RefusalPolicy().refusal(ranked(dead, both))
    assert refusal is not None
    # Each candidate is refused with its own anti-patterns of shape (style ones left out).
    assert f"shows {DEAD_CODE}," in refusal(dead)
    assert f"shows {DEAD_CODE}, constant-return," in refusal(both)
    # A clean candidate ranks first: the pool is not refused for the others' shapes.
    assert RefusalPolicy().refusal(ranked(dead, plausible("clean", edits=2))) is None
    # An anti-pattern of style alone refuses nothing.
    assert RefusalPolicy().refusal(ranked(plausible("same", anti=(IDENTITY_OPERATION,)))) is None


def test_a_repair_of_more_edits_than_most_is_refused() -> None:
    sprawling = plausible("sprawling", edits=MOST_EDITS + 1)
    refusal = RefusalPolicy().refusal(ranked(sprawling))
    assert refusal is not None
    assert f"takes {MOST_EDITS + 1} edits (more than {MOST_EDITS})" in refusal(sprawling)


def test_a_holdout_passed_vouches_for_the_best() -> None:
    policy = RefusalPolicy()
    assert policy.refusal(ranked(plausible("dead", anti=(DEAD_CODE,), vouched=True))) is None
    assert policy.refusal(ranked(plausible("sprawling", edits=9, vouched=True))) is None
    assert policy.refusal(level_tie(vouched=True)) is None
    assert policy.refused_level is None  # a vouched tie is not remembered


def test_a_level_tie_is_refused_and_sets_the_standing_later_repairs_must_beat() -> None:
    policy = RefusalPolicy()
    tie = level_tie(edits=2)
    refusal = policy.refusal(tie)
    assert refusal is not None
    assert "the 2 best repairs found rank level" in refusal(tie.chosen)
    assert policy.refused_level == tie.standings[0]
    # Level with the tie, or below it: one more the tests cannot decide on.
    changed = ("7", *SEED_OUTPUTS[1:])  # as much a change of behaviour as the tie's
    for later in (plausible("level", changed, edits=2), plausible("worse", changed, edits=3)):
        assert ranked(later).standings[0] >= tie.standings[0]
        no_better = policy.refusal(ranked(later))
        assert no_better is not None and "ranks no better" in no_better(later)
    # Above it: accepted, and the standing stays.
    assert policy.refusal(ranked(plausible("better", changed, edits=1))) is None
    assert policy.refused_level == tie.standings[0]


def test_the_standing_to_beat_is_the_best_of_the_ties_refused() -> None:
    policy = RefusalPolicy()
    worse, better = level_tie(edits=3), level_tie(edits=1)
    assert policy.refusal(worse) is not None and policy.refusal(better) is not None
    assert policy.refused_level == better.standings[0]
    assert policy.refusal(level_tie(edits=2)) is not None
    assert policy.refused_level == better.standings[0]  # a worse tie does not raise it


def test_level_repairs_that_answer_alike_are_no_tie() -> None:
    policy = RefusalPolicy()
    alike = ranked(plausible("first"), plausible("later", found_at=20))
    assert alike.undecided == ()
    assert policy.refusal(alike) is None and policy.refused_level is None


def test_the_standing_is_checkpointed_under_the_acceptors_key() -> None:
    policy = RefusalPolicy()
    assert policy.state() == {"refused_level": None}
    policy.refusal(level_tie(edits=2))
    level = policy.refused_level
    assert level is not None
    assert policy.state() == {"refused_level": list(level)}  # a list, as it always was
    saved = json.loads(json.dumps(policy.state()))  # as a checkpoint stores it
    restored = RefusalPolicy()
    # Read from the acceptor's whole state, beside its other entries.
    restored.restore({"checks": {}, "refused": 2, **saved, "plausible": {}})
    assert restored.refused_level == level
    # A checkpoint of a version before level ties were refused has no entry: none was.
    restored.restore({"checks": {}, "plausible": {}})
    assert restored.refused_level is None
