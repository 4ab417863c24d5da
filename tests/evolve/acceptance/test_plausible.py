"""Ranking plausible repairs: anti-patterns, then edits, then the size of the change, then
behaviour change, then order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from evolve.acceptance.checks import Candidate
from evolve.acceptance.plausible import (
    _TOKEN,
    ENOUGH,
    SHOWN_DISAGREEMENTS,
    SUSPECT_SHARE,
    Collection,
    Plausible,
    behaviour_change,
    change_size,
    extra_evaluations,
    new_failures,
    rank,
)
from evolve.evaluation.evaluator import Variant, source_hash
from evolve.run import RunRequest, start_run
from evolve.store.database import RunStore
from sandbox import Evaluation, Status
from tests.doubles import Quiet

SEED_OUTPUTS: tuple[str | None, ...] = ("1", "2", None, "4")


def plausible(
    name: str,
    outputs: tuple[str | None, ...],
    *,
    edits: int = 1,
    found_at: int = 10,
    anti: tuple[str, ...] = (),
    source: str = "",
) -> Plausible:
    source = source or f"def f(x):\n    return {name!r}\n"
    variant = Variant((), source, source_hash(source))
    candidate = Candidate(variant, Evaluation(Status.OK), None)
    return Plausible(candidate, edits, edits, 1, found_at, outputs, anti)


def test_behaviour_change_counts_only_inputs_the_seed_answers() -> None:
    assert behaviour_change(SEED_OUTPUTS, ("1", "2", "3", "4")) == 0
    assert behaviour_change(SEED_OUTPUTS, ("1", None, "3", "5")) == 2
    assert behaviour_change(("1.0",), ("1.0000001",), tolerance=1e-3) == 0


def test_anti_patterns_come_first_then_edits_then_behaviour() -> None:
    special_case = plausible("special", ("1", "2", None, "4"), edits=3)
    fix = plausible("fix", ("9", "9", "9", "9"), edits=1, found_at=50)
    constant = plausible("constant", ("1", "2", None, "4"), edits=1, anti=("constant-return",))
    ranking = rank([special_case, constant, fix], SEED_OUTPUTS)
    assert [p.candidate.variant.source for p in ranking.ranked] == [
        fix.candidate.variant.source,
        special_case.candidate.variant.source,
        constant.candidate.variant.source,
    ]
    assert ranking.changes == (3, 0, 0)
    assert "fewest edits (1, the next best 3)" in ranking.reason


def test_a_tie_on_edits_goes_to_the_least_change_then_to_the_first_found() -> None:
    near = plausible("near", ("1", "2", "3", "5"), found_at=40)
    far = plausible("far", ("0", "0", "0", "0"), found_at=20)
    same = plausible("same", ("1", "2", "7", "5"), found_at=30)
    ranking = rank([near, far, same], SEED_OUTPUTS)
    assert ranking.chosen.candidate.variant.source == same.candidate.variant.source
    # "Found first" decided between the two alike, not why they beat the third.
    assert ranking.reason == (
        "chosen among 3 plausible patches: found first of 2 alike on every count, which have"
        " the least change of behaviour from the seed (1 of the 3 generated inputs the seed"
        " answers, against 3)"
    )
    assert rank([far, near], SEED_OUTPUTS).reason.startswith(
        "chosen among 2 plausible patches: least change of behaviour from the seed (1 of the 3"
    )


def test_a_seed_with_one_answer_for_every_input_does_not_rank_by_change() -> None:
    # `return True` where a search was meant: the repair that answers False more often is
    # no likelier wrong for it.
    constant_seed = ("true", "true", None, "true")
    often = plausible("often", ("false", "false", None, "false"), found_at=20)
    seldom = plausible("seldom", ("false", "true", None, "true"), found_at=40)
    ranking = rank([seldom, often], constant_seed)
    assert ranking.chosen.candidate.variant.source == often.candidate.variant.source
    assert ranking.changes == (0, 0)
    assert "found first" in ranking.reason


def test_a_repair_that_raises_where_the_seed_answered_ranks_after_one_that_does_not() -> None:
    seed = "def f(xs, hi):\n    return xs[min(hi, len(xs) - 1)]\n"
    # One token replaced, but it indexes past the end on two of the generated inputs.
    past_the_end = plausible(
        "past",
        ("1", None, None, None),
        found_at=5,
        source="def f(xs, hi):\n    return xs[min(hi, len(xs) + 1)]\n",
    )
    meant = plausible(
        "meant",
        ("1", "3", None, "5"),
        found_at=50,
        source="def f(xs, hi):\n    return xs[min(hi, len(xs))]\n",
    )
    assert new_failures(SEED_OUTPUTS, past_the_end.outputs) == 2
    assert new_failures(SEED_OUTPUTS, meant.outputs) == 0  # the seed raised on the third
    ranking = rank([past_the_end, meant], SEED_OUTPUTS, seed_source=seed)
    assert ranking.chosen is meant
    assert ranking.failures == (0, 2)
    assert "fewest new failures (raises or hangs on 0 of the 3" in ranking.reason
    # Fewer edits still come first.
    two_edits = plausible("two", ("1", "3", None, "5"), edits=2)
    assert rank([two_edits, past_the_end], SEED_OUTPUTS).chosen is past_the_end


def test_an_identity_operation_ranks_after_new_failures_and_before_a_smaller_change() -> None:
    seed = "def f(xs, hi):\n    return xs[min(hi, len(xs) - 1)]\n"
    past_the_end = plausible(
        "past",
        ("1", None, None, None),
        found_at=5,
        source="def f(xs, hi):\n    return xs[min(hi, len(xs) + 1)]\n",
    )
    # `- 0` is the fix written oddly: a style anti-pattern, weaker evidence than a crash.
    identity = plausible(
        "identity",
        ("1", "3", None, "5"),
        found_at=50,
        anti=("identity-operation",),
        source="def f(xs, hi):\n    return xs[min(hi, len(xs) - 0)]\n",
    )
    ranking = rank([past_the_end, identity], SEED_OUTPUTS, seed_source=seed)
    assert ranking.chosen is identity
    assert "fewest new failures" in ranking.reason
    # With new failures alike, the clean patch comes first, even written with more tokens.
    clean = plausible(
        "clean",
        ("1", "3", None, "5"),
        found_at=60,
        source="def f(xs, hi):\n    return xs[min(hi, len(xs) - 1 + 1)]\n",
    )
    ranking = rank([identity, clean], SEED_OUTPUTS, seed_source=seed)
    assert ranking.chosen is clean
    assert "fewest anti-patterns (the next best shows identity-operation)" in ranking.reason
    # An anti-pattern of shape still comes before everything.
    constant = plausible("constant", ("1", "3", None, "5"), anti=("constant-return",))
    assert rank([constant, past_the_end], SEED_OUTPUTS).chosen is past_the_end


def test_change_size_counts_tokens_replaced_deleted_or_inserted() -> None:
    before = "while i >= 0 or j >= 0:"
    assert change_size(before, before) == 0
    assert change_size(before, "while i >= 0 or j >= 0 or carry:") == 2
    assert change_size(before, "while i >= 0 or j > 0:") == 1
    assert change_size(before, "while i >= 0 or (carry + (j - carry) // 2) >= 0:") == 10
    # An operator of two characters is one token: turning it is one change, as adding `not` is.
    assert change_size(before, "while i >= 0 or j < 0:") == 1
    assert change_size(before, "while i >= 0 or not j >= 0:") == 1


def test_of_two_one_edit_patches_the_smaller_change_of_the_code_wins() -> None:
    seed = "def f(i, j, carry):\n    return i >= 0 or j >= 0\n"
    contrived = plausible(
        "contrived",
        ("1", "2", None, "4"),
        found_at=5,
        source="def f(i, j, carry):\n    return i >= 0 or (carry + (j - carry) // 2) >= 0\n",
    )
    meant = plausible(
        "meant",
        ("1", "2", None, "5"),
        found_at=50,
        source="def f(i, j, carry):\n    return i >= 0 or j >= 0 or carry\n",
    )
    ranking = rank([contrived, meant], SEED_OUTPUTS, seed_source=seed)
    assert ranking.chosen is meant
    assert ranking.sizes == (2, 10)
    assert "smallest change of the code (2 tokens, the next best 10)" in ranking.reason
    # Without the seed's text the sizes are not compared: least behaviour change decides.
    assert rank([contrived, meant], SEED_OUTPUTS).chosen is contrived


def test_disagreements_show_the_inputs_the_tests_could_not_decide() -> None:
    inputs: list[tuple[list[Any], dict[str, Any]]] = [([1], {}), ([2], {}), ([3], {}), ([4], {})]
    a = plausible("a", ("1", "2", "3", "4"))
    b = plausible("b", ("1", "2", "30", None), found_at=20)
    ranking = rank([a, b], SEED_OUTPUTS, inputs)
    assert ranking.disagreements == (
        {"input": {"args": [3], "kwargs": {}}, "answers": [3, 30]},
        {"input": {"args": [4], "kwargs": {}}, "answers": [4, None]},
    )
    evidence = ranking.evidence(lambda edit: str(edit))
    assert json.loads(json.dumps(evidence))["candidates"][1]["behaviour_change"] == 1
    assert evidence["disagreeing"] == 2
    assert rank([a], SEED_OUTPUTS, inputs).reason == "the only plausible patch found"


def test_only_the_first_disagreements_are_shown_but_all_are_counted() -> None:
    count = SHOWN_DISAGREEMENTS + 4
    inputs: list[tuple[list[Any], dict[str, Any]]] = [([i], {}) for i in range(count)]
    a = plausible("a", tuple(str(i) for i in range(count)))
    b = plausible("b", tuple(str(-i) for i in range(count)), found_at=20)
    ranking = rank([a, b], SEED_OUTPUTS, inputs)
    # Input 0 answers alike (0 and -0 are one number).
    assert ranking.disagreeing == count - 1
    assert [d["input"]["args"] for d in ranking.disagreements] == [
        [i] for i in range(1, SHOWN_DISAGREEMENTS + 1)
    ]
    assert ranking.evidence(str)["disagreeing"] == count - 1


def test_the_collection_closes_after_its_extra_evaluations_or_when_enough_are_found() -> None:
    collection = Collection(budget=5000)
    assert not collection.ready(10_000)
    collection.add(plausible("a", ()), evaluations=100)
    assert collection.closes_at == 100 + extra_evaluations(5000, 100) == 200
    assert not collection.ready(199) and collection.ready(200)
    collection.add(plausible("a", ()), evaluations=120)  # the same program again
    assert len(collection.pool) == 1
    for index in range(ENOUGH - 1):
        collection.add(plausible(f"b{index}", ()), evaluations=130)
    assert collection.ready(130)
    collection.clear()
    assert not collection.pool and collection.closes_at is None
    # A hard-won repair gets a longer look, within a share of the budget.
    assert extra_evaluations(5000, 40) == 100
    assert extra_evaluations(5000, 300) == 300
    assert extra_evaluations(5000, 3000) == 500
    # Never past the budget.
    late = Collection(budget=300)
    late.add(plausible("a", ()), evaluations=250)
    assert late.closes_at == 300
    # ...and the choice says by how much the budget cut the look short.
    assert late.cut_short(300) == 250 + extra_evaluations(300, 250) - 300 == 50
    assert late.cut_short(350) == 0
    late.clear()
    assert late.cut_short(300) == 0
    assert collection.cut_short(0) == 0  # cleared: nothing to cut


def test_while_every_candidate_is_suspect_the_collection_looks_on_for_a_clean_one() -> None:
    collection = Collection(budget=4000)
    for index in range(ENOUGH):
        collection.add(plausible(f"s{index}", (), anti=("constant-return",)), evaluations=100)
    assert collection.closes_at == 200
    longer = 200 + int(4000 * SUSPECT_SHARE)
    assert not collection.ready(200) and not collection.ready(longer - 1)
    assert collection.ready(longer)
    collection.add(plausible("clean", ()), evaluations=300)
    assert collection.ready(300)  # a clean one: the usual rules again


@given(st.text(alphabet="ab (=\n", max_size=30), st.text(alphabet="ab (=\n", max_size=30))
def test_change_size_is_zero_only_for_the_same_tokens(before: str, after: str) -> None:
    same_tokens = _TOKEN.findall(before) == _TOKEN.findall(after)
    assert (change_size(before, after) == 0) == same_tokens


def test_change_size_of_a_large_program_compares_only_what_changed() -> None:
    program = "def f(x):\n    return x + 1\n\n\n" * 20_000  # about half a megabyte
    changed = program.replace("x + 1", "x - 1", 1)
    assert change_size(program, changed) == 1


def test_a_repair_found_as_the_budget_ends_says_its_choice_was_cut_short(tmp_path: Path) -> None:
    caesar = Path(__file__).parents[3] / "benchmarks" / "repair" / "caesar"
    # Found within a few dozen evaluations, and the collection asks for 100 more.
    request = RunRequest(caesar, seed=1, budget=100, runs_dir=tmp_path)
    summary = start_run(request, Quiet())
    assert summary.solved
    store = RunStore.open(Path(summary.run_dir))
    try:
        [change] = store.accepted()
    finally:
        store.close()
    chosen = json.loads(change.evidence)["checks"]["plausible"]
    assert chosen["cut_short"] > 0
    assert chosen["reason"].endswith(
        f"the run ended {chosen['cut_short']} evaluations before the look for other"
        " candidates was done"
    )
