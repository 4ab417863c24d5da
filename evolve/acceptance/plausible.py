"""Choosing among plausible repairs: collect several, keep each minimal, rank, say why.

A repair that passes every search test is *plausible*; with few tests and no holdout it may
still be wrong (overfitting). The first plausible patch is not taken on the spot: the search
goes on for a bounded number of evaluations (`extra_evaluations`) or until `ENOUGH` distinct
plausible patches are found, each minimised, and then they are ranked (Long and Rinard's
Prophet and Xiong et al.'s patch-correctness work rank candidates the same way: by how
suspect their shape is and how much behaviour they change):

1. fewer anti-patterns of shape (`evolve.acceptance.antipatterns`): a computed result made
   constant, control flow deleted, a condition made constant, a result of another kind;
2. fewer edits: a special case bolted on beside the fix (`if a: return a + b` before the
   old `return a - b`) needs more of them than the fix alone;
3. fewer new failures: generated inputs the seed answers on which the candidate raises or
   hangs (Yang et al.'s Opad judges patches the same way: one that crashes where the
   original program did not is overfitting; `min(hi, n + 1)` for `min(hi, n)` passes the
   tests and then indexes past the end);
4. fewer anti-patterns of style (`antipatterns.STYLE`: an identity operation, `n - 0`);
5. a smaller change of the text, in tokens: of two one-edit patches, `or carry` is likelier
   meant than `carry + (j - carry) // 2` (the syntactic distance CapGen and ssFix rank by);
6. less change of behaviour against the seed on the generated inputs the seed answers: a
   defect is wrong on some inputs, and a repair should leave the rest as they were (a
   tie-breaker only: a special case changes less than the fix it imitates; not where the
   seed gives one answer to every input, as it says nothing then);
7. found earlier: only between candidates that answer alike on every generated input.
   Where the best candidates rank level on every count above and answer otherwise (a
   missing month length written twice at March or at August), the tests cannot decide and
   "found first" would be a coin toss: the acceptor asks a person if it may, and otherwise
   accepts none of them (`Ranking.undecided`).

The choice, the candidates and the inputs on which they disagree go into the accepted
change's evidence: a person reviewing it sees what the tests could not decide.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import takewhile
from typing import Any

from evolve.acceptance.antipatterns import STYLE
from evolve.acceptance.checks import Candidate
from evolve.program.patch import Patch, patch_from_json, patch_to_json
from sandbox import outputs_equal

# A collected repair's candidate and its outputs on the generated inputs, by its patch.
Lookup = Callable[[Patch], tuple[Candidate, tuple[str | None, ...]]]

# The collection's extra evaluations: as many as the first plausible repair took to find
# (a hard-won repair deserves a longer look for a better one), at least `COLLECT_MIN` and at
# most `COLLECT_SHARE` of the budget.
COLLECT_MIN = 100
COLLECT_SHARE = 0.1
# Distinct plausible patches that end the collection at once.
ENOUGH = 4
# While every plausible patch found shows an anti-pattern, the collection stays open for up
# to this share of the budget more: a repair of a two-defect program often first comes as
# the right fix of one defect and a test-gaming edit for the other, and a clean repair, if
# the operators reach one, can only be found by searching on.
SUSPECT_SHARE = 0.25
# Inputs on which the candidates disagree, kept in the evidence.
SHOWN_DISAGREEMENTS = 5
# The most edits of a repair accepted with no holdout to vouch for it. A patch of more edits
# that passes every test is far likelier to game them than to fix the program: most real
# fixes change one to three places, and a search that may stack five edits finds many ways
# to bend a few tests. In bench runs of the hard and two-defect suites with the holdout hidden
# (every choice judged on it afterwards), 10 of the 11 chosen repairs of four edits or more
# were wrong, against 11 of 21 of three edits and 26 of 205 of one or two.
MOST_EDITS = 3


def extra_evaluations(budget: int, found_at: int) -> int:
    return min(max(COLLECT_MIN, found_at), max(COLLECT_MIN, int(budget * COLLECT_SHARE)))


@dataclass(frozen=True)
class Plausible:
    """A minimised plausible repair and what ranking reads of it."""

    candidate: Candidate
    edits_before: int
    edits_after: int
    generation: int
    found_at: int  # search evaluations spent when it was found
    outputs: tuple[str | None, ...]  # on the generated inputs; None where it raised or hung
    anti_patterns: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.candidate.variant.key


def new_failures(seed: Sequence[str | None], outputs: Sequence[str | None]) -> int:
    """On how many generated inputs the seed answers the candidate raises or hangs."""
    return sum(
        1
        for before, after in zip(seed, outputs, strict=False)
        if before is not None and after is None
    )


def behaviour_change(
    seed: Sequence[str | None], outputs: Sequence[str | None], tolerance: float = 0.0
) -> int:
    """On how many generated inputs the seed answers the candidate answers otherwise (or
    not at all)."""
    return sum(
        1
        for before, after in zip(seed, outputs, strict=False)
        if before is not None and not _same(before, after, tolerance)
    )


# Python's operators of two or three characters are one token each: `>=` -> `<` is one
# change, as `x` -> `not x` is.
_TOKEN = re.compile(r"\w+|\*\*=?|//=?|<<=?|>>=?|[=!<>]=|[-+*/%&|^@:]=|->|[^\w\s]")


def change_size(before: str, after: str) -> int:
    """How many tokens of `before` one must replace, delete or insert to get `after`.

    Only the stretch between the texts' common beginning and end is compared (cut at
    whitespace, so no token is split): a program may be a whole package, and the diff
    of megabytes would take minutes."""
    start = _common_prefix(before, after)
    while start > 0 and not before[start - 1].isspace():
        start -= 1
    end = _common_prefix(before[start:][::-1], after[start:][::-1])
    while end > 0 and not before[len(before) - end].isspace():
        end -= 1
    old = _TOKEN.findall(before[start : len(before) - end])
    new = _TOKEN.findall(after[start : len(after) - end])
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in opcodes if tag != "equal")


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common beginning of `a` and `b` (a binary search over
    slice comparisons, which run in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


@dataclass(frozen=True)
class Ranking:
    """Plausible patches best first, and why the first was chosen."""

    ranked: tuple[Plausible, ...]
    changes: tuple[int, ...]  # behaviour change of each, in ranked order
    reason: str
    sizes: tuple[int, ...] = ()  # tokens changed from the seed of each, in ranked order
    failures: tuple[int, ...] = ()  # new failures on the generated inputs, in ranked order
    disagreements: tuple[dict[str, Any], ...] = field(default=())  # the first few shown
    disagreeing: int = 0  # generated inputs on which the candidates answer differently, all
    # Candidates that rank level with the chosen one on every count (only found later) and
    # answer otherwise on some generated input: the tests cannot tell which is right.
    undecided: tuple[Plausible, ...] = ()
    # Each candidate's standing, in ranked order: the counts it ranks by, best lowest, all
    # but when it was found (which says nothing of whether it is right).
    standings: tuple[tuple[int, ...], ...] = ()

    @property
    def chosen(self) -> Plausible:
        return self.ranked[0]

    def evidence(self, describe: Any) -> dict[str, Any]:
        """What the change's evidence records of the choice; `describe` turns a patch into
        one line per edit (`Program.describe`)."""
        return {
            "reason": self.reason,
            "candidates": [
                {
                    "variant": plausible.candidate.variant.digest,
                    "edits": [describe(edit) for edit in plausible.candidate.variant.patch],
                    "anti_patterns": list(plausible.anti_patterns),
                    "behaviour_change": change,
                    "tokens_changed": size,
                    "new_failures": failures,
                    "found_at": plausible.found_at,
                }
                for plausible, change, size, failures in zip(
                    self.ranked,
                    self.changes,
                    self.sizes or (0,) * len(self.ranked),
                    self.failures or (0,) * len(self.ranked),
                    strict=True,
                )
            ],
            "disagreements": list(self.disagreements),
            "disagreeing": self.disagreeing,
        }


def rank(
    pool: Sequence[Plausible],
    seed_outputs: Sequence[str | None],
    inputs: Sequence[tuple[Sequence[Any], dict[str, Any]]] = (),
    tolerance: float = 0.0,
    seed_source: str | None = None,
) -> Ranking:
    """The pool ranked as the module says, with the reason for the first place. Without
    `seed_source` the size of the change is not compared."""
    # A seed that gives one answer to every generated input (`return True` where a search
    # was meant) tells nothing of which answers a repair should keep: no change is less.
    informative = len({output for output in seed_outputs if output is not None}) > 1
    changes = {
        p.key: behaviour_change(seed_outputs, p.outputs, tolerance) if informative else 0
        for p in pool
    }
    sizes = {
        p.key: 0 if seed_source is None else change_size(seed_source, p.candidate.variant.source)
        for p in pool
    }

    failures = {p.key: new_failures(seed_outputs, p.outputs) for p in pool}

    def sort_key(p: Plausible) -> tuple[int, int, int, int, int, int, int]:
        return (
            len(shape_anti_patterns(p)),
            p.edits_after,
            failures[p.key],
            len(p.anti_patterns) - len(shape_anti_patterns(p)),
            sizes[p.key],
            changes[p.key],
            p.found_at,
        )

    ranked = tuple(sorted(pool, key=sort_key))
    answered = sum(1 for output in seed_outputs if output is not None)
    standings = tuple(sort_key(p)[:-1] for p in ranked)
    level = standings[0] if standings else ()
    differing = disagreeing(ranked, len(inputs), tolerance)
    return Ranking(
        ranked=ranked,
        changes=tuple(changes[p.key] for p in ranked),
        reason=_reason(ranked, changes, sizes, failures, answered),
        disagreements=tuple(_disagreements(ranked, inputs, differing[:SHOWN_DISAGREEMENTS])),
        disagreeing=len(differing),
        sizes=tuple(sizes[p.key] for p in ranked),
        failures=tuple(failures[p.key] for p in ranked),
        undecided=tuple(
            p
            for p, standing in zip(ranked[1:], standings[1:], strict=True)
            if standing == level and not _agree(ranked[0], p, tolerance)
        ),
        standings=standings,
    )


def _agree(one: Plausible, other: Plausible, tolerance: float) -> bool:
    """Whether two candidates answer alike on every generated input both answer. Where one
    raises and the other does not, the input is most likely outside what the function
    promises to handle (a ragged matrix for a rectangular one: `zip(..., strict=True)`
    raises at one place or another), which says nothing of which repair is right."""
    return all(
        _same(a, b, tolerance)
        for a, b in zip(one.outputs, other.outputs, strict=False)
        if a is not None and b is not None
    )


def _reason(
    ranked: Sequence[Plausible],
    changes: dict[str, int],
    sizes: dict[str, int],
    failures: dict[str, int],
    answered: int,
) -> str:
    chosen = ranked[0]
    if len(ranked) == 1:
        return "the only plausible patch found"
    prefix = f"chosen among {len(ranked)} plausible patches"

    def why(other: Plausible) -> str | None:
        return _ahead(chosen, other, changes, sizes, failures, answered)

    ahead = why(ranked[1])
    if ahead is not None:
        return f"{prefix}: {ahead}"
    # Level with the next: "found first" decided between them, but not why they beat the
    # rest (two 2-edit patches alike on every count, ahead of four of 4 edits).
    alike = 1 + sum(1 for _ in takewhile(lambda p: why(p) is None, ranked[1:]))
    if alike == len(ranked):
        return f"{prefix}: found first, the others no better"
    return (
        f"{prefix}: found first of {alike} alike on every count, which have the"
        f" {why(ranked[alike])}"
    )


def _ahead(
    chosen: Plausible,
    other: Plausible,
    changes: dict[str, int],
    sizes: dict[str, int],
    failures: dict[str, int],
    answered: int,
) -> str | None:
    """What ranks `chosen` ahead of `other`, in the ranking's order; None when level."""
    if len(shape_anti_patterns(chosen)) < len(shape_anti_patterns(other)):
        shown = ", ".join(shape_anti_patterns(other))
        return f"fewest anti-patterns (the next best shows {shown})"
    if chosen.edits_after < other.edits_after:
        return f"fewest edits ({chosen.edits_after}, the next best {other.edits_after})"
    if failures[chosen.key] < failures[other.key]:
        return (
            f"fewest new failures (raises or hangs on {failures[chosen.key]} of the"
            f" {answered} generated inputs the seed answers, the next best on"
            f" {failures[other.key]})"
        )
    if len(chosen.anti_patterns) < len(other.anti_patterns):
        shown = ", ".join(other.anti_patterns)
        return f"fewest anti-patterns (the next best shows {shown})"
    if sizes[chosen.key] < sizes[other.key]:
        return (
            f"smallest change of the code ({_count(sizes[chosen.key], 'token')},"
            f" the next best {sizes[other.key]})"
        )
    if changes[chosen.key] < changes[other.key]:
        return (
            "least change of behaviour from the seed"
            f" ({changes[chosen.key]} of the {answered} generated inputs the seed answers,"
            f" against {changes[other.key]})"
        )
    return None


def _disagreements(
    ranked: Sequence[Plausible],
    inputs: Sequence[tuple[Sequence[Any], dict[str, Any]]],
    indices: Sequence[int],
) -> list[dict[str, Any]]:
    """The generated inputs at `indices` (where the plausible patches answer differently:
    the tests could not decide between them), each with every candidate's answer."""
    found: list[dict[str, Any]] = []
    for index in indices:
        args, kwargs = inputs[index]
        answers = [p.outputs[index] if index < len(p.outputs) else None for p in ranked]
        found.append(
            {
                "input": {"args": list(args), "kwargs": dict(kwargs)},
                "answers": [None if a is None else json.loads(a) for a in answers],
            }
        )
    return found


def disagreeing(ranked: Sequence[Plausible], inputs: int, tolerance: float) -> list[int]:
    """The indices of every generated input (of `inputs`) on which the plausible patches
    answer differently."""
    if len(ranked) < 2:
        return []
    found = []
    for index in range(inputs):
        answers = [p.outputs[index] if index < len(p.outputs) else None for p in ranked]
        if not all(_same(answers[0], other, tolerance) for other in answers[1:]):
            found.append(index)
    return found


def _same(before: str | None, after: str | None, tolerance: float) -> bool:
    if before is None or after is None:
        return before is after
    return bool(outputs_equal(json.loads(after), json.loads(before), tolerance))


@dataclass
class Collection:
    """The plausible repairs found so far, and when the collection closes."""

    budget: int
    pool: list[Plausible] = field(default_factory=list)
    closes_at: int | None = None  # search evaluations; None while nothing was found
    wanted: int | None = None  # where it would close if the budget did not end first
    # Patches of the first repair's neighbourhood, and the other single edits checked against
    # it, that the budget ended before (`Acceptor._explore_neighbourhood`).
    unexplored: int = 0

    def add(self, plausible: Plausible, evaluations: int) -> None:
        if any(p.key == plausible.key for p in self.pool):
            return
        if not self.pool:
            self.wanted = evaluations + extra_evaluations(self.budget, evaluations)
            self.closes_at = min(self.budget, self.wanted)
        self.pool.append(plausible)

    def cut_short(self, evaluations: int) -> int:
        """How many of the collection's extra evaluations the run ended without (the budget
        spent, or a stop asked for): 0 when it closed on its own."""
        if self.wanted is None or len(self.pool) >= ENOUGH:
            return 0
        return max(0, self.wanted - evaluations)

    def ready(self, evaluations: int) -> bool:
        """Whether to choose now: enough found, or the extra evaluations are spent. While
        every candidate shows an anti-pattern or takes more than `MOST_EDITS` edits, the
        search looks on for a better one for up to `SUSPECT_SHARE` of the budget more."""
        if not self.pool or self.closes_at is None:
            return False
        if all(p.anti_patterns or p.edits_after > MOST_EDITS for p in self.pool):
            closes = min(self.budget, self.closes_at + int(self.budget * SUSPECT_SHARE))
            return evaluations >= closes
        return len(self.pool) >= ENOUGH or evaluations >= self.closes_at

    def clear(self) -> None:
        self.pool.clear()
        self.closes_at = self.wanted = None
        self.unexplored = 0

    def state(self) -> dict[str, Any]:
        """For a checkpoint: each candidate by its patch (the evaluator's cache, restored
        first, holds its evaluations and outputs)."""
        return {
            "closes_at": self.closes_at,
            "wanted": self.wanted,
            "unexplored": self.unexplored,
            "pool": [
                {
                    "patch": patch_to_json(p.candidate.variant.patch),
                    "edits_before": p.edits_before,
                    "edits_after": p.edits_after,
                    "generation": p.generation,
                    "found_at": p.found_at,
                    "anti_patterns": list(p.anti_patterns),
                }
                for p in self.pool
            ],
        }

    def restore(self, saved: dict[str, Any], lookup: Lookup) -> None:
        """Set back to `saved`; `lookup` gives a patch's candidate and generated outputs."""
        self.clear()
        for entry in saved["pool"]:
            candidate, outputs = lookup(patch_from_json(entry["patch"]))
            self.pool.append(
                Plausible(
                    candidate,
                    int(entry["edits_before"]),
                    int(entry["edits_after"]),
                    int(entry["generation"]),
                    int(entry["found_at"]),
                    outputs,
                    tuple(str(name) for name in entry["anti_patterns"]),
                )
            )
        closes_at = saved["closes_at"]
        self.closes_at = None if closes_at is None else int(closes_at)
        # Not in checkpoints of older versions.
        self.unexplored = int(saved.get("unexplored", 0))
        wanted = saved.get("wanted")  # not in checkpoints of older versions
        self.wanted = None if wanted is None else int(wanted)


def shape_anti_patterns(plausible: Plausible) -> tuple[str, ...]:
    """Its anti-patterns of shape: all but those of style."""
    return tuple(name for name in plausible.anti_patterns if name not in STYLE)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
