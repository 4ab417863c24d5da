"""Predicate switching: which conditions decide the failing tests.

When every test runs every line (a loop over all cases, a function without early exits),
the spectrum is flat and Ochiai cannot tell the faulty line from the others: every site of
the engine's own `lexicase` weighs 0.97 to 1.0. Switching a predicate can. Run the program
with one condition negated; if a test it failed passes now, that condition decides the
failure, and the fix is most likely in it (predicate switching, Zhang, Gupta and Gupta, ICSE
2006; the angelic fix localisation of Nopol, Xuan et al., TSE 2017).

The switch here is static: every evaluation of the condition is negated, by the
`negate-condition` edit at its site. Only conditions that steer control flow (if, while, a
conditional expression, a comprehension's filter) are switched, not a returned truth value:
negating what a predicate returns flips every answer, so it "passes more tests" whenever the
seed fails most of them, which says nothing of where the fault is (`isbn10_valid` failing 5
of 8: its `return total % 11 == 0` was favoured, and the fix was a constant elsewhere).

A probe is an ordinary variant, run in the sandbox, counted in the budget, cached and stored.
A condition decides when its negation passes more tests than the seed: the sites of its
node's lines (the condition and what it guards) are favoured, and the probe joins the first
population, a partial fix (or a whole one) like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import libcst as cst

from evolve.program.patch import Edit
from evolve.program.program import Program
from evolve.search.localise import Localisation
from sandbox import Evaluation

OPERATOR = "negate-condition"
# At most this many probes, most suspicious conditions first, and never more than this share
# of the budget: the probes are a guess at where to look, not the search.
MAX_PROBES = 16
BUDGET_SHARE = 0.05


@dataclass(frozen=True)
class Probe:
    edit: Edit
    lines: range  # the switched node's lines (an if's, its branches included), as the sandbox
    # numbers them: the condition decides which of them run, so the fix may be any of them
    fixed: int  # tests the seed fails and the switched program passes
    broken: int  # tests the seed passes and the switched program does not

    @property
    def deciding(self) -> bool:
        """The switched program passes more tests than the seed: the condition's outcome
        decides failures. A negation that fixes one test and breaks six only shows that the
        condition matters, which any condition on the failing path does."""
        return self.fixed > self.broken

    def to_json(self) -> dict[str, object]:
        return {
            "site": self.edit.site,
            "lines": [self.lines.start, self.lines.stop - 1],
            "fixed": self.fixed,
            "broken": self.broken,
        }


def probe_edits(
    program: Program, weights: Mapping[str, float] | None, budget_left: int
) -> list[Edit]:
    """The switches to try: one per condition, the most suspicious first (the walk's order
    among equals), as many as `MAX_PROBES` and the budget's share allow."""
    edits = [
        edit
        for site in program.sites
        if not isinstance(site.node, cst.Return)
        for edit in program.edits_at(site.address)
        if edit.operator == OPERATOR
    ]
    if weights:
        edits.sort(key=lambda edit: -weights.get(edit.site, 0.0))
    return edits[: min(MAX_PROBES, int(budget_left * BUDGET_SHARE))]


def probe(program: Program, edit: Edit, seed: Evaluation, switched: Evaluation) -> Probe:
    """What switching the condition at `edit`'s site did to the seed's tests."""
    before, after = seed.passed_names, switched.passed_names
    names = {test.name for test in seed.tests}
    site = program.site(edit.site)
    return Probe(
        edit,
        lines=site.lines,
        fixed=len((names - before) & after),
        broken=len(before - after),
    )


def deciding_lines(probes: Sequence[Probe]) -> frozenset[int]:
    return frozenset(line for p in probes if p.deciding for line in p.lines)


def switch(
    program: Program,
    localisation: Localisation,
    seed: Evaluation,
    run: Callable[[list[Edit]], list[Evaluation | None]],
    budget_left: int,
) -> list[Probe]:
    """Run the probes through `run` (the search's own evaluations) and favour the sites of
    the deciding conditions; the probes, in the order run."""
    edits = probe_edits(program, localisation.mutation_weights(), budget_left)
    if not edits:
        return []
    results = run(edits)
    probes = [
        probe(program, edit, seed, switched)
        for edit, switched in zip(edits, results, strict=True)
        if switched is not None
    ]
    localisation.favour(program, deciding_lines(probes))
    return probes
