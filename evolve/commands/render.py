"""How the verbs show records and outcomes: as JSON values and as lines for people.

One place for both, so that `run --json`, `log --json`, `diff --json` and `review --json`
describe a change with the same keys, and `run`, `resume` and `runs` word an outcome alike.
Reads only recorded data: no libcst, no sandbox.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Collection, Mapping
from typing import Any

from evolve.acceptance.ask import undecided_count
from evolve.store.chain import CHECKS, edit_actions
from evolve.store.database import AcceptedChange


def print_json(value: Any) -> None:
    """One JSON document on one line of stdout, keys sorted: the same input, the same text."""
    sys.stdout.write(json.dumps(value, sort_keys=True) + "\n")


def change_dict(
    change: AcceptedChange, *, with_diff: bool = True, settled: Collection[int] = ()
) -> dict[str, Any]:
    """An accepted change as JSON: what it did, why it was accepted, and its place in the
    hash chain. `reverts` lists the earlier changes whose edits it drops; `settled` holds the
    changes whose undecided inputs a person has answered (`evolve review --ask`)."""
    _, removed = edit_actions(change.edits)
    data: dict[str, Any] = {
        "number": change.number,
        "generation": change.generation,
        "evaluations": change.evaluations,
        "operators": list(change.operators),
        "fitness_before": change.fitness_before,
        "fitness_after": change.fitness_after,
        "tests_gained": list(change.tests_gained),
        "edits": json.loads(change.edits),
        "reverts": [{"number": number, "operator": edit.operator} for edit, number in removed],
        "reason": plausible_reason(change),
        "undecided_inputs": 0 if change.number in settled else undecided_inputs(change),
        "evidence": json.loads(change.evidence),
        "parent": change.parent,
        "child": change.child,
        "hash": change.hash,
        "created_at": change.created_at,
        "engine_version": change.engine_version,
    }
    if with_diff:
        data["diff"] = change.diff
    return data


def plausible_reason(change: AcceptedChange) -> str | None:
    """Why this repair was chosen among the plausible ones, when it was chosen so."""
    choice = _plausible(change)
    return str(choice["reason"]) if choice is not None and "reason" in choice else None


def undecided_inputs(change: AcceptedChange) -> int:
    """On how many generated inputs the plausible repairs answered differently with nobody
    asked which answer is right; 0 when none (`undecided_count`)."""
    return undecided_count(json.loads(change.evidence))


def chosen_new_failures(change: AcceptedChange) -> int:
    """On how many generated inputs the seed answers the chosen repair raises or hangs."""
    choice = _plausible(change)
    candidates = choice.get("candidates") if choice is not None else None
    if not isinstance(candidates, list) or not candidates:
        return 0
    return int(candidates[0].get("new_failures") or 0)


def _plausible(change: AcceptedChange) -> dict[str, Any] | None:
    evidence = json.loads(change.evidence)
    choice = evidence.get(CHECKS, {}).get("plausible") if isinstance(evidence, dict) else None
    return choice if isinstance(choice, dict) else None


def verdict(summary: Mapping[str, Any], goal: str | None = None) -> str:
    """What a finished run achieved, in words: solved or not for a repair, improved by how
    much or not for a speed-up, and why it stopped. `goal` is the run's, for a summary
    recorded before summaries named it."""
    reason = str(summary.get("stop_reason", "?"))
    best = summary.get("best", "?")
    if summary.get("goal", goal) == "speedup":
        seed_cost, cost = summary.get("seed_cost"), summary.get("champion_cost")
        if summary.get("improved") and summary.get("cost_ratio"):
            return (
                f"improved {summary['cost_ratio']:g}x: cost {seed_cost} -> {cost} executed lines"
                f" ({reason})"
            )
        shown = f"; cost {seed_cost}" if seed_cost is not None else ""
        return f"not improved ({reason}){shown}"
    holdout = summary.get("best_holdout")
    if summary.get("solved"):
        if summary.get("accepted") == 0 and reason == "solved":
            return f"nothing to repair: the seed passes every test ({best})"
        start = summary.get("seed_fitness")
        held = f"; holdout {holdout}" if holdout else ""
        return f"solved: passes every test ({start} -> {best}{held})" if start else "solved"
    start = summary.get("seed_fitness")
    from_seed = f" from {start}" if start else ""
    # Every search test passing but the holdout's not: say which, or "best 8/8" reads solved.
    held = f", holdout {holdout}" if holdout else ""
    # A partial fix passes more than the champion but was not accepted: say so, or "best
    # 2/8" reads as if the search never got past the seed.
    partial = summary.get("best_partial")
    kept = f"; partial fixes kept up to {partial}" if partial else ""
    return f"not solved ({reason}): best {best}{from_seed}{held}{kept}"
