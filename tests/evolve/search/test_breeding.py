"""Repeats in breeding: a child whose source the population or the run already holds is kept
up to a share of the population; past it, it is redrawn around the champion, deterministically,
and kept only when no new one turns up."""

from __future__ import annotations

import ast
import itertools
import random

from evolve.program.patch import Patch
from evolve.program.program import Program
from evolve.search.breeding import REPEAT_SHARE, Breeder
from evolve.search.individual import Individual, case_fitness_class

SOURCE = "def f(a, b):\n    if a > b:\n        return a - b\n    return b + a * 2\n"
FITNESS = case_fitness_class(1)


class Sources:
    """What the engine's `_identify` answers, from rendered sources and an evaluated set."""

    def __init__(self, program: Program, evaluated: set[str] | None = None) -> None:
        self.program = program
        self.evaluated = evaluated if evaluated is not None else set()

    def key(self, patch: Patch) -> str:
        return ast.dump(ast.parse(self.program.render(patch)))

    def __call__(self, patch: Patch) -> tuple[str, bool]:
        key = self.key(patch)
        return key, key in self.evaluated


def breeder(program: Program, seed: int, sources: Sources | None, population: int) -> Breeder:
    return Breeder(
        program=program,
        rng=random.Random(seed),
        fitness_class=FITNESS,
        population=population,
        elite=1,
        max_edits=3,
        crossover_rate=0.3,
        site_weights=lambda: None,
        operator_weights=lambda: None,
        identify=sources,
    )


def test_repeats_past_their_share_are_redrawn_around_the_champion() -> None:
    program = Program.parse(SOURCE)
    parent = Individual([], FITNESS)
    champion_edit = program.random_edit(random.Random(1))
    assert champion_edit is not None
    champion = Individual([champion_edit], FITNESS)
    b = breeder(program, 4, None, 20)
    b.crossover_rate = 0.0
    # Every source is known already, except what the champion's mutants make.
    b.identify = lambda patch: (repr(patch), champion_edit not in patch)
    children = b.offspring([parent] * 20, 20, champion)
    allowed = int(REPEAT_SHARE * 20)
    assert len(children) == 20 and b.repeats > allowed
    redrawn = children[allowed:]
    assert b.redrawn >= len(redrawn)
    # A mutation of the champion keeps its edit unless it drops or replaces it.
    assert sum(champion_edit in child for child in redrawn) >= len(redrawn) // 2


def test_children_are_as_made_while_nothing_repeats() -> None:
    program = Program.parse(SOURCE)
    fresh = itertools.count()
    seed = Individual([], FITNESS)
    b = breeder(program, 4, None, 30)
    b.identify = lambda patch: (str(next(fresh)), False)
    children = b.seeded(seed)
    assert [c.patch for c in children] == [
        c.patch for c in breeder(program, 4, None, 30).seeded(seed)
    ]
    assert b.repeats == b.redrawn == 0


def test_the_same_generator_gives_the_same_children() -> None:
    program = Program.parse(SOURCE)

    def children(seed: int) -> list[Patch]:
        sources = Sources(program, {Sources(program).key(())})
        b = breeder(program, seed, sources, 20)
        made = b.seeded(Individual([], FITNESS))
        b.taken.clear()
        return [child.patch for child in b.offspring(made * 2, 20, made[0])]

    assert children(7) == children(7)
    assert children(7) != children(8)


def test_a_repeat_is_kept_when_nothing_new_is_left() -> None:
    program = Program.parse("def f(a):\n    return a\n")
    everything = Sources(program)
    b = breeder(program, 1, everything, 50)
    seed = Individual([], FITNESS)
    children = b.seeded(seed)  # far more than the program has variants
    assert len(children) == 50
    assert len({everything.key(child.patch) for child in children}) < 50


def test_elites_with_one_source_are_kept_once() -> None:
    program = Program.parse(SOURCE)
    champion = Individual([], FITNESS)
    champion.score.values = (1.0, 0.0, 0.0)
    edit = program.random_edit(random.Random(0))
    assert edit is not None
    twin = Individual([edit], FITNESS)  # another patch, said to render the same source
    twin.score.values = (1.0, 0.0, 1.0)
    b = breeder(program, 1, None, 10)
    b.identify = lambda patch: ("one source", True)
    b.elite = 2
    assert b.elites([twin], champion) == [champion]


def test_without_identify_children_are_kept_as_made() -> None:
    program = Program.parse(SOURCE)
    parent = Individual([], FITNESS)
    b = breeder(program, 2, None, 10)
    assert len(b.offspring([parent] * 10, 10)) == 10
    assert b.redrawn == 0
