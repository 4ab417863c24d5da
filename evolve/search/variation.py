"""Variation on edit lists: crossover swaps tails, mutation adds, drops or replaces an edit.

Now and then the added edit goes where one of the list's edits already is (a compound edit:
`x` -> `y` and then `y` -> `y - 1`): many fixes are two changes to one expression, and drawing
a site afresh would seldom land on the same one twice. Edits at one site apply in list order,
each to the node as the ones before it left it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from deap import tools

from evolve.program.patch import Edit
from evolve.program.program import Program
from evolve.search.selection import deap_random

# The chance that a grown list's new edit goes at the site of one of its edits.
COMPOUND_RATE = 0.05


def crossover(a: list[Edit], b: list[Edit], rng: random.Random) -> tuple[list[Edit], list[Edit]]:
    """Messy one-point crossover: each parent is cut at its own point, so lengths may change."""
    first, second = list(a), list(b)
    with deap_random(rng):
        tools.cxMessyOnePoint(first, second)
    return first, second


def mutate(
    edits: list[Edit],
    program: Program,
    rng: random.Random,
    max_edits: int,
    *,
    site_weights: Mapping[str, float] | None = None,
    operator_weights: Mapping[str, float] | None = None,
) -> list[Edit]:
    """One change to the edit list. Growing is the common move: fixes are built edit by edit;
    dropping and replacing let the search undo an edit that stopped paying. A fresh edit goes
    where `site_weights` point, with an operator drawn by `operator_weights` (both optional)."""
    result = list(edits)
    roll = rng.random()
    if result and (len(result) >= max_edits or roll < 0.25):
        del result[rng.randrange(len(result))]
        return result
    if result and roll >= 0.5 and rng.random() < COMPOUND_RATE:
        compound = _compound_edit(result, program, rng, operator_weights)
        if compound is not None:
            result.append(compound)
            return result
    fresh = program.random_edit(rng, site_weights, operator_weights)
    if fresh is None:
        return result
    if result and roll < 0.5:
        result[rng.randrange(len(result))] = fresh
    else:
        result.append(fresh)
    return result


def _compound_edit(
    edits: list[Edit],
    program: Program,
    rng: random.Random,
    operator_weights: Mapping[str, float] | None,
) -> Edit | None:
    """A fresh edit at the site of one of `edits`, other than the edits already there; None
    if the site is unknown or the draw repeats one of them."""
    site = rng.choice(edits).site
    try:
        fresh = program.edit_at(site, rng, operator_weights)
    except KeyError:
        return None  # an edit from a hand-made patch, addressed to no site of this program
    return None if fresh in edits else fresh
