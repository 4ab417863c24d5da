"""The hash chain over accepted changes: canonical encoding, sealing, and the evidence text.

Each record carries the sha256 of the previous record and of its own canonical content (every
chained field except its own hash), so changing one byte of any record, or dropping or
reordering records, breaks the chain at the first record touched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from evolve.program.patch import Edit
from evolve.store.database import AcceptedChange

if TYPE_CHECKING:  # the verbs that read records (`evolve log`) need neither libcst nor sandbox
    from evolve.program.program import Program
    from sandbox import Evaluation

# The first record's "previous hash": there is no record before it. The seed is anchored
# separately, by the first record's parent hash.
GENESIS = "0" * 64

# The evidence key for the acceptance checks; every other key names a suite to re-run.
CHECKS = "checks"

# The fields the content hash covers, named explicitly so that a field added to
# AcceptedChange later cannot silently change the hash of records already written.
CHAINED_FIELDS = (
    "number",
    "generation",
    "evaluations",
    "parent",
    "child",
    "patch",
    "edits",
    "operators",
    "diff",
    "fitness_before",
    "fitness_after",
    "tests_gained",
    "evidence",
    "layers",
    "engine_version",
    "created_at",
    "prev_hash",
)


def canonical_json(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def record_content(change: AcceptedChange) -> dict[str, Any]:
    return {name: getattr(change, name) for name in CHAINED_FIELDS}


def record_hash(change: AcceptedChange) -> str:
    return hashlib.sha256(canonical_json(record_content(change))).hexdigest()


def seal(change: AcceptedChange, previous_hash: str) -> AcceptedChange:
    """The change linked to the record before it and carrying its own content hash."""
    linked = dataclasses.replace(change, prev_hash=previous_hash, hash="")
    return dataclasses.replace(linked, hash=record_hash(linked))


def edits_json(
    program: Program, added: Iterable[Edit], removed: Iterable[tuple[Edit, int]] = ()
) -> str:
    """Every edit a change made, as data (operator, site, payload) and as a line for people:
    those it added, then those of its parent it dropped (`"action": "remove"`), each with the
    number of the earlier change it reverts. The whole difference between parent and child:
    nothing changes the program that the record does not name."""
    entries: list[dict[str, Any]] = [
        {**edit.to_json(), "description": program.describe(edit), "action": "add"} for edit in added
    ]
    entries += [
        {
            **edit.to_json(),
            "description": program.describe(edit),
            "action": "remove",
            "reverts": number,
        }
        for edit, number in removed
    ]
    return json.dumps(entries, sort_keys=True)


def edit_actions(edits_text: str) -> tuple[list[Edit], list[tuple[Edit, int]]]:
    """The (added, removed with the change each reverts) edits of a record's `edits`; an
    entry written before removals were recorded is an addition."""
    added: list[Edit] = []
    removed: list[tuple[Edit, int]] = []
    for entry in json.loads(edits_text):
        edit = Edit.from_json({key: entry[key] for key in ("operator", "site", "payload")})
        if entry.get("action", "add") == "remove":
            removed.append((edit, int(entry.get("reverts", 0))))
        else:
            added.append(edit)
    return added, removed


def reverts_text(edits_text: str) -> str:
    """ "reverts #1: sum-loop, #3: insert-jump" for a record that drops earlier edits, else ""."""
    _, removed = edit_actions(edits_text)
    if not removed:
        return ""
    return "reverts " + ", ".join(f"#{number}: {edit.operator}" for edit, number in removed)


def suite_evidence(before: Evaluation | None, after: Evaluation) -> dict[str, Any]:
    """Which tests flipped on one suite, and every test the child passes there."""
    was = before.passed_names if before is not None else frozenset()
    now = after.passed_names
    return {
        "fixed": sorted(now - was),
        "broken": sorted(was - now),
        "passing": sorted(now),
        "total": after.total,
        "status": after.status.value,
    }


def evidence_json(
    before: Evaluation,
    after: Evaluation,
    holdout_before: Evaluation | None,
    holdout_after: Evaluation | None,
    checks: dict[str, Any] | None = None,
) -> str:
    evidence = {"search": suite_evidence(before, after)}
    if holdout_after is not None:
        evidence["holdout"] = suite_evidence(holdout_before, holdout_after)
    if checks:  # what acceptance checked beyond the suites: generated inputs, minimising, timing
        evidence[CHECKS] = checks
    return json.dumps(evidence, sort_keys=True)
