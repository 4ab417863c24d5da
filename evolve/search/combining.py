"""Combining partial fixes: two patches that each repair a different part of the program.

A program with two defects is often repaired one defect at a time: one patch makes some
failing tests pass, another patch, found elsewhere in the run, makes others pass. Lexicase
keeps such specialists alive for a while, but only crossover can join them, and it joins what
happens to meet in one population: on a two-defect task a run found each fix alone in its
first 25 generations and spent the rest of its 5,000 evaluations without ever putting them
together, while a variant that gamed two tests took over the population.

So the search keeps an archive of *partial fixes*: variants that pass every test the seed
passes and some it fails, the smallest patches for each set of newly passed tests. Two
patches that make the same tests pass are different guesses at the defect, and only the
right one joins with the fix of the other: on a user's two-defect range formatter, 42
single edits made the one test of `if b - a == 2` pass (`b ** a == 2`, `if not ...`); with
one patch kept for that test, the first of them took the place before `b - a == 1` was
found, its union with the other defect's fix reached 7 of 8 tests, and the right pair was
never tried (seed 2 unsolved at 3,000 evaluations; solved on seeds 1-4 with the guesses
kept, each union of them tried in turn, two a generation). Two partial
fixes whose gains differ (neither set holds the other) are joined, edits of the first then
the edits of the second that it lacks, and a few such unions are evaluated with each new
generation, those that would pass the most tests together first. A union the run has
evaluated already is not made again. This is the fix-combination step of multi-hunk repair,
kept to variants that break nothing the seed got right, so what is joined are fixes rather
than trades of one test for another.

A union is evaluated, offered to the acceptor and kept in the archive if it is a partial fix
itself, but it is not bred from. On a one-defect task the partial fixes are mostly patches
that game a test or two; as parents, their unions (passing many tests by gaming them) took
over the population, and a Luhn checksum the search repairs in 558 evaluations went
unrepaired in 5,000.

Repairs only, and not for random search, the baseline. The archive is checkpointed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from evolve.program.patch import Patch, patch_from_json, patch_to_json
from evolve.search.individual import Individual

# Partial fixes kept: the smallest, then those that gain the most tests. A patch of three
# edits gaining three tests is likelier to game them than a one-edit fix of one test is, and
# ranked by gain first such patches filled the archive and pushed out the fixes that join.
MAX_FIXES = 24
# Patches kept for one set of newly passed tests: the smallest, then the first found.
PER_GAIN = 16
# Unions that join each new population.
PER_GENERATION = 2

# Whether the run has evaluated the source a patch renders to (the search's cache).
Seen = Callable[[Patch], bool]


@dataclass
class PartialFixes:
    enabled: bool = True
    baseline: tuple[str, ...] = ()  # the tests the seed passes
    # The smallest patches found for each set of newly passed tests (sorted names), in the
    # order their sets were first reached: the order is part of what makes a run repeatable.
    fixes: dict[tuple[str, ...], list[Patch]] = field(default_factory=dict)

    def set_baseline(self, passed: Iterable[str]) -> None:
        self.baseline = tuple(sorted(passed))

    def observe(self, population: Sequence[Individual]) -> None:
        """Keep the partial fixes among an evaluated population."""
        if not self.enabled:
            return
        baseline = frozenset(self.baseline)
        for individual in population:
            if individual.evaluation is None or not individual.patch:
                continue
            passed = individual.evaluation.passed_names
            if not baseline <= passed or passed == baseline:
                continue
            gained = tuple(sorted(passed - baseline))
            known = self.fixes.setdefault(gained, [])
            # The same edits in another order are the same guess.
            if not any(set(patch) == set(individual.patch) for patch in known):
                # Stable: of patches as small, the first found stays ahead.
                known.append(individual.patch)
                known.sort(key=len)
                del known[PER_GAIN:]
        entries = self._entries()
        if len(entries) > MAX_FIXES:
            ranked = sorted(entries, key=lambda item: (len(item[1]), -len(item[0])))
            kept = {(gained, patch) for gained, patch in ranked[:MAX_FIXES]}
            self.fixes = {
                gained: [patch for patch in patches if (gained, patch) in kept]
                for gained, patches in self.fixes.items()
                if any((gained, patch) in kept for patch in patches)
            }

    def _entries(self) -> list[tuple[tuple[str, ...], Patch]]:
        """Every patch kept, with the tests it gains, in the archive's order."""
        return [(gained, patch) for gained, patches in self.fixes.items() for patch in patches]

    def best_passed(self) -> int | None:
        """Tests the best partial fix kept passes (the baseline's and those it gains); None
        when none was kept."""
        if not self.fixes:
            return None
        return len(self.baseline) + max(len(gained) for gained in self.fixes)

    def unions(self, seen: Seen, limit: int = PER_GENERATION, max_edits: int = 0) -> list[Patch]:
        """Up to `limit` unions of two partial fixes the run has not evaluated, those that
        gain the most tests together first, then the smallest."""
        if not self.enabled:
            return []
        items = self._entries()
        candidates: list[tuple[int, int, int, Patch]] = []
        for i, (gained_a, a) in enumerate(items):
            for gained_b, b in items[i + 1 :]:
                one, other = set(gained_a), set(gained_b)
                if one <= other or other <= one:
                    continue  # one already does what the other does
                union = a + tuple(edit for edit in b if edit not in a)
                if max_edits and len(union) > max_edits:
                    continue
                candidates.append((-len(one | other), len(union), len(candidates), union))
        chosen: list[Patch] = []
        for _, _, _, union in sorted(candidates, key=lambda c: c[:3]):
            if len(chosen) == limit:
                break
            if union not in chosen and not seen(union):
                chosen.append(union)
        return chosen

    def state(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "baseline": list(self.baseline),
            # One entry a patch, as when a set of tests had one: older checkpoints restore.
            "fixes": [[list(gained), patch_to_json(patch)] for gained, patch in self._entries()],
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.enabled = bool(state["enabled"])
        self.baseline = tuple(state["baseline"])
        self.fixes = {}
        for gained, text in state["fixes"]:
            self.fixes.setdefault(tuple(gained), []).append(patch_from_json(text))
