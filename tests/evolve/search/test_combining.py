"""Combining partial fixes: the archive keeps fixes that break nothing the seed got right, and
their unions reach a repair that needs both; a run on a two-defect program joins them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evolve.program.patch import Edit, Patch
from evolve.run import RunRequest, start_run
from evolve.search import SearchSettings
from evolve.search.combining import MAX_FIXES, PER_GAIN, PartialFixes
from evolve.search.individual import Individual, case_fitness_class
from evolve.search.sweeping import PER_GENERATION, STONE_PER_GENERATION
from evolve.store.checkpoint import Stateful
from evolve.store.database import AcceptedChange, RunStore
from sandbox import Evaluation, Status, TestOutcome
from tests.doubles import Quiet

TESTS = ("t1", "t2", "t3", "t4", "t5")


def edit(n: int) -> Edit:
    return Edit("integer-constant", f"site{n}", n)


def individual(edits: list[Edit], passed: set[str]) -> Individual:
    one = Individual(edits, case_fitness_class(len(TESTS)))
    tests = tuple(TestOutcome(t, "passed" if t in passed else "failed") for t in TESTS)
    one.evaluation = Evaluation(status=Status.FAILED, tests=tests)
    return one


def archive() -> PartialFixes:
    fixes = PartialFixes()
    fixes.set_baseline({"t1"})
    return fixes


def never_seen(patch: Patch) -> bool:
    return False


def test_only_fixes_that_keep_what_the_seed_passes_are_kept_the_smallest_for_each_gain() -> None:
    fixes = archive()
    fixes.observe(
        [
            individual([edit(1), edit(2)], {"t1", "t2"}),
            individual([edit(3)], {"t1", "t2"}),  # the same gain, smaller: it goes first
            individual([edit(4)], {"t2", "t3"}),  # gains two, loses t1: a trade, not a fix
            individual([edit(5)], {"t1"}),  # gains nothing
            individual([], {"t1", "t4"}),  # the seed itself is no fix
        ]
    )
    assert fixes.fixes == {("t2",): [(edit(3),), (edit(1), edit(2))]}
    # The smallest first, and of those as small the first found; the same edits in another
    # order are the same guess; at most PER_GAIN of them.
    fixes.observe([individual([edit(n)], {"t1", "t2"}) for n in (6, 7, 3)])
    fixes.observe([individual([edit(2), edit(1)], {"t1", "t2"})])
    assert fixes.fixes[("t2",)] == [(edit(3),), (edit(6),), (edit(7),), (edit(1), edit(2))]
    fixes.observe([individual([edit(10 + n)], {"t1", "t2"}) for n in range(PER_GAIN)])
    assert len(fixes.fixes[("t2",)]) == PER_GAIN and (edit(1), edit(2)) not in fixes.fixes[("t2",)]


def test_every_guess_at_one_defect_is_joined_with_the_fix_of_the_other() -> None:
    # `not b - a == 2` and `b - a == 1` both make t2 pass; only the second joins with the
    # other defect's fix into a repair, and the first was found first.
    fixes = archive()
    fixes.observe([individual([edit(1)], {"t1", "t2"}), individual([edit(2)], {"t1", "t3"})])
    fixes.observe([individual([edit(3)], {"t1", "t2"})])
    unions = fixes.unions(never_seen, limit=5)
    assert unions == [(edit(1), edit(2)), (edit(3), edit(2))]


def test_unions_join_fixes_of_different_tests_the_widest_first() -> None:
    fixes = archive()
    fixes.observe(
        [
            individual([edit(1)], {"t1", "t2"}),
            individual([edit(2)], {"t1", "t3"}),
            individual([edit(3)], {"t1", "t2", "t4"}),  # holds t2: no union with edit(1)
        ]
    )
    unions = fixes.unions(never_seen, limit=5)
    # {t2, t4} + {t3} gains three tests, {t2} + {t3} two.
    assert unions == [(edit(2), edit(3)), (edit(1), edit(2))]
    assert fixes.unions(lambda patch: patch == (edit(2), edit(3)), limit=1) == [(edit(1), edit(2))]
    assert fixes.unions(never_seen, limit=5, max_edits=1) == []


def test_the_archive_is_bounded_disabled_for_the_baseline_and_checkpointed() -> None:
    fixes = PartialFixes()
    fixes.set_baseline(())
    names = [f"case{i}" for i in range(MAX_FIXES + 5)]
    population = []
    for i, name in enumerate(names):
        one = Individual([edit(i)], case_fitness_class(len(names)))
        one.evaluation = Evaluation(status=Status.FAILED, tests=(TestOutcome(name, "passed"),))
        population.append(one)
    fixes.observe(population)
    assert len(fixes.fixes) == MAX_FIXES
    fixes.fixes[next(iter(fixes.fixes))].append((edit(99),))  # two for one gain round-trip
    restored = PartialFixes()
    restored.restore(json.loads(json.dumps(fixes.state())))
    assert isinstance(restored, Stateful) and restored == fixes
    off = PartialFixes(enabled=False)
    off.observe(population)
    assert off.fixes == {} and off.unions(never_seen) == []


# Two independent defects, each fixed by one edit far from the other: the first loop skips
# the first item, the second misses items equal to the limit. Each fix alone passes cases the
# seed fails and keeps every case it passes.
TWO_DEFECTS = """\
def summary(xs, limit):
    total = 0
    for x in xs[1:]:
        total += x
    top = 0
    for x in xs:
        if x > limit:
            top += 1
    return [total, top]
"""
CASES = [
    ([[], 0], [0, 0]),
    ([[0, 2], 5], [2, 0]),
    ([[3, 4], 9], [7, 0]),  # the first defect only
    ([[0, 5], 5], [5, 1]),  # the second only
    ([[2, 2], 2], [4, 2]),  # both
    ([[0, 1, 7], 3], [8, 1]),
]


def _solved(task: Path, seed: int, runs_dir: Path) -> tuple[AcceptedChange, Any]:
    """Run the repair with a budget of 3000; it must end solved in one accepted change,
    returned with the run's last checkpoint."""
    summary = start_run(RunRequest(task, seed=seed, budget=3000, runs_dir=runs_dir), Quiet())
    assert summary.solved, summary
    store = RunStore.open(Path(summary.run_dir))
    try:
        [change] = store.accepted()
        return change, store.last_checkpoint()
    finally:
        store.close()


def test_a_run_joins_two_fixes_found_apart(tmp_path: Path, make_task: Callable[..., Path]) -> None:
    task = make_task(tmp_path / "two", TWO_DEFECTS, "summary", CASES, budget=3000)
    change, checkpoint = _solved(task, 1, tmp_path / "runs")
    assert "for x in xs:" in change.diff and ">=" in change.diff
    assert checkpoint is not None
    state = checkpoint[1]["components"]["partial_fixes"]
    # Unions ride along with a generation and are not bred from: the population keeps its size,
    # but for the sweep's single edits, which may be bred from.
    size = len(checkpoint[1]["population"])
    swept = PER_GENERATION + STONE_PER_GENERATION
    assert SearchSettings().population <= size <= SearchSettings().population + swept
    # The archive held a fix of each defect on its own.
    gains = {tuple(gained) for gained, _ in state["fixes"]}
    assert ("cases[3]",) in gains and ("cases[4]",) in gains, gains


# Two defects: a pair of pages is printed as a run (`last - first == 2` for `== 1`), and a
# run is measured from its first page (`first + 1` for `last + 1`). Dozens of single edits
# make the pair's test pass, `last ** first == 2` and `not last - first == 2` among them;
# only `== 1` joins with the other fix into a repair.
PAGE_RANGES = """\
def _span(first, last):
    if first == last:
        return str(first)
    if last - first == 2:
        return f"{first},{last}"
    return f"{first}-{last}"


def page_ranges(pages):
    if not pages:
        return ""
    out = []
    first = last = pages[0]
    for page in pages[1:]:
        if page == first + 1:
            last = page
            continue
        out.append(_span(first, last))
        first = last = page
    out.append(_span(first, last))
    return ",".join(out)
"""
PAGE_CASES: list[tuple[list[object], object]] = [
    ([[]], ""),
    ([[4]], "4"),
    ([[1, 2]], "1,2"),
    ([[1, 2, 3]], "1-3"),
    ([[1, 2, 3, 5, 7, 8]], "1-3,5,7,8"),
    ([[2, 4, 6]], "2,4,6"),
    ([[10, 11, 12, 13]], "10-13"),
    ([[3, 4, 9, 10, 11]], "3,4,9-11"),
]


@pytest.mark.slow
def test_the_right_guess_at_one_defect_meets_the_fix_of_the_other(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    # With one patch kept for each set of newly passed tests this seed ended unsolved, its
    # partial fixes joined into 7 of 8 with a wrong guess.
    task = make_task(tmp_path / "pages", PAGE_RANGES, "page_ranges", PAGE_CASES, budget=3000)
    change, _ = _solved(task, 2, tmp_path / "runs")
    assert "+        if page == last + 1:" in change.diff
    assert "+    if last - first == 1:" in change.diff or "+    if last - first < 2:" in change.diff
