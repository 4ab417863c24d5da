"""Sweeping the champion's neighbourhood: single edits likeliest first, each tried once, within
the sweep's share of the budget; a run reaches a one-edit fix its random draws missed, and a
fix hidden behind another defect from the stepping stone that fixes that one."""

from __future__ import annotations

import json
from pathlib import Path

from evolve.program.patch import Edit, Patch
from evolve.program.program import Program
from evolve.run import RunRequest, start_run
from evolve.search.algorithms import Algorithm
from evolve.search.individual import Individual, ScoreFitness
from evolve.search.settings import SearchSettings
from evolve.search.sweeping import PER_GENERATION, SHARE, STONE_PER_GENERATION, Sweep, likeliest
from evolve.store.database import RunStore
from sandbox import Evaluation, Status, TestOutcome
from tests.conftest import write_task
from tests.doubles import Quiet

SOURCE = """\
def score(xs, k):
    total = 0
    for x in xs:
        total += x * 2
    return total - k
"""
LUHN = Path(__file__).parents[3] / "benchmarks" / "repair" / "luhn"


def _line(program: Program, edit: Edit) -> int:
    return program.site(edit.site).line


def test_every_single_edit_once_the_weightiest_site_first() -> None:
    program = Program.parse(SOURCE)
    edits = list(likeliest(program, None, None))
    assert len(edits) == len(set(edits))
    offered = {
        Edit(name, site.address, payload)
        for site in program.sites
        for name, payloads in program.operators_at(site.address)
        for payload in payloads
    }
    assert set(edits) == offered
    # A site that weighs ten times the others' comes first; one that weighs nothing never.
    [doubled] = [s for s in program.sites if s.line == 4 and type(s.node).__name__ == "Integer"]
    weights = {s.address: 1.0 for s in program.sites} | {doubled.address: 10.0}
    weights[program.sites[0].address] = 0.0
    ranked = list(likeliest(program, weights, None))
    assert ranked[0].site == doubled.address
    assert all(edit.site != program.sites[0].address for edit in ranked)


def test_an_operator_weighing_more_goes_first_among_its_sites_edits() -> None:
    program = Program.parse(SOURCE)
    [doubled] = [s for s in program.sites if s.line == 4 and type(s.node).__name__ == "Integer"]
    only = {doubled.address: 1.0}
    names = [name for name, _ in program.operators_at(doubled.address)]
    assert len(names) > 1
    favoured = names[-1]
    operators = {name: 1.0 if name == favoured else 0.01 for name in names}
    ranked = list(likeliest(program, only, operators))
    assert ranked[0].operator == favoured


def test_a_sweep_hands_out_untried_unseen_edits_within_its_share() -> None:
    program = Program.parse(SOURCE)
    order = list(likeliest(program, None, None))
    seen: set[Patch] = {(order[0],)}
    sweep = Sweep(budget=40)
    first = sweep.next(program, (), None, None, seen.__contains__)
    # The likeliest edit was evaluated already: it is skipped, and not offered again.
    assert first == [(order[1],), (order[2],), (order[3],)][:PER_GENERATION]
    second = sweep.next(program, (), None, None, seen.__contains__)
    assert not set(first) & set(second)
    # SHARE of the budget, then nothing.
    while sweep.next(program, (), None, None, seen.__contains__):
        pass
    assert sweep.spent == int(SHARE * 40)


def test_a_new_champion_is_a_new_neighbourhood() -> None:
    program = Program.parse(SOURCE)
    sweep = Sweep(budget=1000)
    [first, *_] = sweep.next(program, (), None, None, lambda patch: False)
    champion = first
    after = sweep.next(program, champion, None, None, lambda patch: False)
    assert all(patch[: len(champion)] == champion and len(patch) == 2 for patch in after)
    assert all(patch[-1] not in champion for patch in after)


def test_a_sweep_round_trips_through_its_checkpoint_state() -> None:
    program = Program.parse(SOURCE)
    order = list(likeliest(program, None, None))
    # The champion holds one of the likeliest edits: skipped, and skipped again once resumed.
    champion = (order[1],)
    sweep = Sweep(budget=1000)
    sweep.next(program, champion, None, None, lambda patch: False)
    restored = Sweep(enabled=False)
    restored.restore(json.loads(json.dumps(sweep.state())))
    assert restored == sweep
    for _ in range(3):
        again = restored.next(program, champion, None, None, lambda patch: False)
        assert again == sweep.next(program, champion, None, None, lambda patch: False)
    assert len(set(sweep.tried)) == len(sweep.tried) and order[1] not in sweep.tried


def test_disabled_or_random_search_sweeps_nothing(tmp_path: Path) -> None:
    program = Program.parse(SOURCE)
    assert Sweep(enabled=False, budget=1000).next(program, (), None, None, lambda p: False) == []
    for algorithm, enabled in ((Algorithm.RANDOM, False), (Algorithm.LEXICASE, True)):
        settings = SearchSettings(algorithm=algorithm)
        runs = tmp_path / algorithm.value
        request = RunRequest(LUHN, seed=4, budget=120, runs_dir=runs, settings=settings)
        summary = start_run(request, Quiet())
        store = RunStore.open(Path(summary.run_dir))
        try:
            checkpoint = store.last_checkpoint()
        finally:
            store.close()
        assert checkpoint is not None
        state = checkpoint[1]["components"]["sweep"]
        assert state["enabled"] is enabled and (state["spent"] > 0) is enabled


def test_the_sweep_reaches_a_one_edit_fix_the_draws_missed(tmp_path: Path) -> None:
    # `digit -= 10` -> `9` at luhn's most suspicious statement: without the sweep, seed 4 never
    # drew it in 2,000 evaluations (its population settled on `total % 1 == 0`, which games
    # the tests); seeds 1 to 8 were repaired 6 times. With it: 8 of 8, seed 4 in 847.
    request = RunRequest(LUHN, seed=4, budget=2000, runs_dir=tmp_path / "r")
    summary = start_run(request, Quiet())
    assert summary.solved
    champion = Path(summary.champion_path).read_text()
    assert "digit -= 9" in champion


def _evaluated(patch: Patch, passed: int, total: int = 8) -> Individual:
    individual = Individual(patch, ScoreFitness)
    outcomes = ("passed" if i < passed else "failed" for i in range(total))
    individual.evaluation = Evaluation(
        status=Status.OK if passed == total else Status.FAILED,
        tests=tuple(TestOutcome(f"cases[{i}]", outcome) for i, outcome in enumerate(outcomes)),
    )
    return individual


def test_the_stepping_stone_is_the_champions_single_edit_that_passes_most() -> None:
    program = Program.parse(SOURCE)
    a, b, c = list(likeliest(program, None, None))[:3]
    sweep = Sweep(budget=1000)
    population = [
        _evaluated((a, b), 7),  # two edits from the champion: not a stone
        _evaluated((b,), 8),  # passes every test: the acceptor's, not a stone
        _evaluated((a,), 5),
        _evaluated((c,), 5),  # no better than the first found
        _evaluated((), 4),  # the champion itself
    ]
    sweep.observe(population, (), 4)
    assert sweep.stone.base == (a,) and sweep.stone_passed == 5
    sweep.observe([_evaluated((c,), 6)], (), 4)
    assert sweep.stone.base == (c,)
    # A new champion: its own stones only, none yet (`(a, c)` passes no more than it).
    sweep.observe([_evaluated((a, c), 6)], (a,), 6)
    assert sweep.stone.base == () and sweep.stone_of == (a,)
    # Nothing passing more than the champion: no stone.
    sweep = Sweep(budget=1000)
    sweep.observe([_evaluated((a,), 4)], (), 4)
    assert sweep.stone.base == ()


def test_the_stepping_stones_single_edits_follow_the_champions() -> None:
    program = Program.parse(SOURCE)
    order = list(likeliest(program, None, None))
    stone = order[5]
    sweep = Sweep(budget=1000)
    sweep.observe([_evaluated((stone,), 5)], (), 4)
    handed = sweep.next(program, (), None, None, lambda patch: False)
    assert handed[:PER_GENERATION] == [(edit,) for edit in order[:PER_GENERATION]]
    assert handed[PER_GENERATION:] == [(stone, order[0])][:STONE_PER_GENERATION]
    # The stone's neighbourhood goes on where it stopped, its own edit skipped; both round
    # trip through the checkpoint, and one from before stepping stones restores to none.
    restored = Sweep(enabled=False)
    restored.restore(json.loads(json.dumps(sweep.state())))
    assert restored == sweep
    again = restored.next(program, (), None, None, lambda patch: False)
    assert again == sweep.next(program, (), None, None, lambda patch: False)
    assert all(patch[0] == stone and len(patch) == 2 for patch in again[PER_GENERATION:])
    old = {key: value for key, value in sweep.state().items() if not key.startswith("stone")}
    restored.restore(old)
    assert restored.stone.base == () and restored.tried == sweep.tried


# `ok` is never returned, and the scan starts a pair too late; fixing the start alone changes
# no answer. `return ok` passes one test more (`[1, 3, 2]`) and is the stepping stone.
MASKED = """\
def all_sorted(xs):
    ok = True
    for i in range(2, len(xs)):
        if xs[i - 1] > xs[i]:
            ok = False
    return True
"""
MASKED_CASES: list[tuple[list[object], object]] = [
    ([[]], True),
    ([[1]], True),
    ([[1, 2]], True),
    ([[2, 1]], False),
    ([[1, 2, 3]], True),
    ([[1, 3, 2]], False),
    ([[3, 1, 2]], False),
    ([[5, 4]], False),
]


def test_a_fix_one_defect_hides_is_found_from_the_stepping_stone(tmp_path: Path) -> None:
    # Without stepping stones seeds 1 and 2 spent 2,000 evaluations unrepaired; with them,
    # seed 1 is repaired in 571.
    task = write_task(tmp_path / "t", MASKED, "all_sorted", MASKED_CASES, budget=700)
    request = RunRequest(task, seed=1, budget=700, runs_dir=tmp_path / "r")
    summary = start_run(request, Quiet())
    assert summary.solved
    assert "range(1, len(xs))" in Path(summary.champion_path).read_text()
