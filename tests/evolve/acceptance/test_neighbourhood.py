"""The one-edit neighbourhood of a plausible repair: a simpler repair on its lines wins."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evolve.acceptance.acceptor import Acceptor, Champion
from evolve.acceptance.neighbourhood import OWN_SITE_EDITS, neighbours, other_single_edits
from evolve.evaluation.evaluator import Evaluator, Variant
from evolve.program.patch import Edit
from evolve.program.program import Program
from evolve.run import read_program
from evolve.store.database import RunStore
from evolve.task import load_task
from sandbox import Evaluation
from tests.doubles import InProcessSandbox, SerialExecutor

SEED = "def add(a, b):\n    total = a - b\n    return total\n\n\ndef twice(x):\n    return 2 * x\n"


def edit(program: Program, described: str, occurrence: int | None = None) -> Edit:
    """The edit `described`; `occurrence` picks one of several alike (`i -> i - 1` where a
    line reads `i` twice), in the program's order."""
    found = [
        e
        for site in program.sites
        for e in program.edits_at(site.address)
        if program.describe(e) == described
    ]
    if occurrence is None:
        assert len(found) == 1, found
        return found[0]
    return found[occurrence]


def test_neighbours_are_the_single_edits_on_the_lines_a_patch_edits() -> None:
    program = Program.parse(SEED)
    times = edit(program, "binary-operator at line 2: - -> *")
    plus_one = edit(program, "extend-expression at line 3: total -> total + 1")
    found = neighbours(program, (times, plus_one), ())
    singles = [patch for patch in found if len(patch) == 1]
    lines = {program.site(patch[0].site).line for patch in singles}
    assert lines == {2, 3}  # never line 7, which the patch does not touch
    assert (times,) in singles and (plus_one,) in singles
    assert found[0][0].site == times.site  # the patch's own sites first
    assert (edit(program, "binary-operator at line 2: - -> +"),) in singles
    assert len(neighbours(program, (times, plus_one), (), limit=5)) == 5
    # A patch on line 2 alone reaches line 3 too, which reads the `total` line 2 makes,
    # after line 2's own sites.
    alone = neighbours(program, (times,), ())
    order = [program.site(patch[0].site).line for patch in alone]
    assert set(order) == {2, 3} and order == sorted(order)
    # On top of a champion's edits: each neighbour keeps them.
    assert all(p[0] == times for p in neighbours(program, (times, plus_one), (times,)))


def test_a_patch_of_several_edits_has_each_swapped_for_another_edit() -> None:
    program = Program.parse(SEED)
    times = edit(program, "binary-operator at line 2: - -> *")
    plus_one = edit(program, "extend-expression at line 3: total -> total + 1")
    found = neighbours(program, (times, plus_one), (), limit=40)
    assert len(found) == 40 and len(set(found)) == 40 and (times, plus_one) not in found
    singles, swaps = found[:20], found[20:]
    assert all(len(patch) == 1 for patch in singles)
    assert all(len(patch) == 2 for patch in swaps)
    # The dropped edits take turns: one swap keeps `plus_one`, the next keeps `times`...
    assert swaps[0][0] == plus_one and swaps[1][0] == times
    # ...and the replacement is first at the dropped edit's own site.
    assert program.site(swaps[0][1].site).address == times.site
    # Past the lines near the dropped edit, the swaps go where the weights say first.
    everywhere = neighbours(program, (times, plus_one), (), limit=4000)
    twice_site = next(s.address for s in program.sites if s.line == 7)
    weighted = neighbours(program, (times, plus_one), (), limit=4000, weights={twice_site: 1.0})
    assert set(weighted) == set(everywhere)
    assert any(program.site(p[-1].site).line == 7 for p in everywhere if len(p) == 2)

    def first_at_line_7(patches: list[tuple[Edit, ...]]) -> int:
        return next(
            i for i, p in enumerate(patches) if len(p) == 2 and program.site(p[-1].site).line == 7
        )

    assert first_at_line_7(weighted) < first_at_line_7(everywhere)


def test_a_dropped_edit_is_swapped_first_for_the_other_edits_of_its_own_site() -> None:
    # `is_leap(y - month)` bent a value into passing where `is_leap(year)` was meant: the
    # one-token fix is another edit of the same node, and breadth first over every site it
    # came after the allowance was spent.
    source = (
        "def days(year, month):\n"
        "    total = 0\n"
        "    for y in range(1, year):\n"
        "        total += 365\n"
        "    for m in range(1, month):\n"
        "        total += 30\n"
        "        if m == 2 and leap(y):\n"
        "            total += 1\n"
        "    return total\n\n\n"
        "def leap(year):\n"
        "    return year % 4 == 0\n"
    )
    program = Program.parse(source)
    bent = edit(program, "extend-expression at line 7: y -> y - month")
    other = edit(program, "integer-constant at line 6: 30 -> 31")
    own = [e for e in program.edits_at(bent.site) if e != bent]
    assert len(own) > 2
    found = neighbours(program, (other, bent), (), limit=2 * (2 + 2 * len(own)))
    swapped = [p[-1] for p in found if len(p) == 2 and p[0] == other]
    assert swapped[: min(len(own), OWN_SITE_EDITS)] == own[:OWN_SITE_EDITS]
    meant = edit(program, "replace-name at line 7: y -> year")
    assert (other, meant) in found


@dataclass
class Member:
    evaluation: Evaluation | None
    size: int

    def __len__(self) -> int:
        return self.size


def choose_among(
    task_dir: Path, run_dir: Path, contrived: list[str | tuple[str, int]], budget: int
) -> tuple[Variant, list[list[str]], str]:
    """Offer the acceptor a plausible repair made of the `contrived` edits (described, or
    described and which occurrence), on the seed, and let it explore and choose: (the chosen
    variant, every candidate's edits, the reason)."""
    task = load_task(task_dir)
    program = read_program(task)
    store = RunStore.create(run_dir)
    sandbox = InProcessSandbox()
    try:
        evaluator = Evaluator(task, program, store, SerialExecutor(), sandbox)
        acceptor = Acceptor(task, program, evaluator, random.Random(0), budget=budget)
        seed = evaluator.variant(())
        [seed_evaluation] = evaluator.evaluate([seed], 0, budget)
        assert seed_evaluation is not None
        champion = Champion(seed, seed_evaluation, None)
        found = evaluator.variant(
            tuple(
                edit(program, *e) if isinstance(e, tuple) else edit(program, e) for e in contrived
            )
        )
        [evaluation] = evaluator.evaluate([found], 1, budget)
        assert evaluation is not None and evaluation.failed == 0
        new = acceptor.consider(champion, [Member(evaluation, len(contrived))], [found], 1)
        if acceptor.pending:  # fewer than enough plausible repairs: the choice waits
            new = acceptor.conclude(champion, 1)
        [change] = acceptor.accepted
    finally:
        sandbox.close()
        store.close()
    choice = json.loads(change.evidence)["checks"]["plausible"]
    described = [candidate["edits"] for candidate in choice["candidates"]]
    return new.variant, described, choice["reason"]


def test_a_two_edit_repair_gives_way_to_the_one_edit_fix_on_its_line(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    # Two cases only: `a * b + 1` passes both, as `a + b` does.
    cases: list[tuple[list[object], object]] = [([1, 2], 3), ([2, 1], 3)]
    contrived = [
        "binary-operator at line 2: - -> *",
        "extend-expression at line 3: total -> total + 1",
    ]
    chosen, described, reason = choose_among(
        make_task(tmp_path / "add", SEED, "add", cases), tmp_path / "run", contrived, 2000
    )
    assert "total = a + b" in chosen.source
    assert len(chosen.patch) == 1
    assert ["binary-operator at line 2: - -> +"] in described
    assert contrived in described
    assert "fewest edits" in reason or "smallest change" in reason


def test_a_neighbourhood_the_budget_cut_short_says_so(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    cases: list[tuple[list[object], object]] = [([1, 2], 3), ([2, 1], 3)]
    contrived = [
        "binary-operator at line 2: - -> *",
        "extend-expression at line 3: total -> total + 1",
    ]
    task = make_task(tmp_path / "add", SEED, "add", cases)
    _, _, reason = choose_among(task, tmp_path / "run", contrived, 30)
    assert re.search(r"; the run ended before \d+ patches one edit from it were tried$", reason)
    _, _, reason = choose_among(task, tmp_path / "run2", contrived, 2000)
    assert "patches one edit from it" not in reason


PATH_SUM = (
    "def has_path_sum(tree, target):\n"
    "    return _has_path(tree, 0, target)\n\n\n"
    "def _has_path(tree, i, target):\n"
    "    if i >= len(tree) or tree[i] is None:\n"
    "        return False\n"
    "    children = [c for c in (2 * i + 1, 2 * i + 2) if c < len(tree) and tree[c] is not None]\n"
    "    if not children:\n"
    "        return tree[i] == target\n"
    "    return any(_has_path(tree, c, target) for c in children)\n"
)


def test_other_single_edits_reach_every_site_after_those_near_the_patch() -> None:
    program = Program.parse(SEED)
    times = edit(program, "binary-operator at line 2: - -> *")
    plus_one = edit(program, "extend-expression at line 3: total -> total + 1")
    near = neighbours(program, (times, plus_one), (), limit=20)
    others = other_single_edits(program, (times, plus_one), (), near, limit=10_000)
    assert all(len(patch) == 1 for patch in others) and not set(others) & set(near)
    every = {(e,) for site in program.sites for e in program.edits_at(site.address)}
    assert set(others) | {p for p in near if len(p) == 1} == every  # line 7's too
    lines = [program.site(patch[0].site).line for patch in others]
    assert lines.index(7) > max(i for i, line in enumerate(lines) if line in (2, 3))
    assert len(other_single_edits(program, (times, plus_one), (), near, limit=5)) == 5
    assert other_single_edits(program, (times,), (), near, limit=100) == []  # one edit: none
    # On top of a champion's edits: each keeps them, and only the edits beyond them count.
    doubled = edit(program, "binary-operator at line 7: * -> +")
    assert other_single_edits(program, (times, plus_one), (times,), [], limit=100) == []
    on_top = other_single_edits(program, (times, plus_one, doubled), (times,), [], limit=100)
    assert on_top and all(patch[0] == times and len(patch) == 2 for patch in on_top)


def test_a_two_edit_repair_gives_way_to_a_single_edit_beyond_its_neighbourhood(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    # The recursion passes `target` on unchanged where `target - tree[i]` is meant. With
    # eight cases, a wrong index and a bent leaf comparison pass too; the fix is about the
    # 700th single edit near them, past the neighbourhood's allowance.
    cases: list[tuple[list[object], object]] = [
        ([[], 0], False), ([[1, 2, 3], 4], True), ([[5], 5], True), ([[10, 5, -2, 3], 18], True),
        ([[5], 4], False), ([[1, 2, None], 2], False), ([[1, 2, 3], 3], True),
        ([[10, 5, -2, 3], 8], True),
    ]  # fmt: skip
    contrived: list[str | tuple[str, int]] = [
        ("off-by-one at line 6: i -> i - 1", 1),  # tree[i - 1] is None
        "comparison at line 10: == -> <=",
    ]
    task = make_task(tmp_path / "path_sum", PATH_SUM, "has_path_sum", cases)
    chosen, described, _ = choose_among(task, tmp_path / "run", contrived, 5000)
    assert "_has_path(tree, c, target - tree[i])" in chosen.source
    assert ["off-by-one at line 6: i -> i - 1", "comparison at line 10: == -> <="] in described
    # Only what no holdout vouches for is checked so: with one, the neighbourhood is all.
    holdout: list[tuple[list[object], object]] = [([[7], 7], True)]
    vouched = make_task(tmp_path / "vouched", PATH_SUM, "has_path_sum", cases, holdout)
    chosen, _, _ = choose_among(vouched, tmp_path / "run2", contrived, 5000)
    assert len(chosen.patch) == 2


def test_a_patch_of_three_edits_also_keeps_one_and_adds_one() -> None:
    # A wrong three-edit patch often holds one edit of the right fix: keeping it and adding
    # one edit elsewhere gives a smaller patch, which each round tries first.
    program = Program.parse(SEED)
    times = edit(program, "binary-operator at line 2: - -> *")
    plus_one = edit(program, "extend-expression at line 3: total -> total + 1")
    doubled = edit(program, "binary-operator at line 7: * -> +")
    found = neighbours(program, (times, plus_one, doubled), (), limit=400)
    swaps = [patch for patch in found if len(patch) > 1]
    assert {len(patch) for patch in swaps} == {2, 3}
    # Round one: keep one edit (three ways), then keep two (three ways).
    assert [len(patch) for patch in swaps[:6]] == [2, 2, 2, 3, 3, 3]
    assert [patch[0] for patch in swaps[:3]] == [doubled, plus_one, times]
