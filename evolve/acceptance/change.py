"""An accepted change as it is recorded: what the step from one champion to the next added
and dropped, its diff, fitness, evidence, and its seal on the hash chain."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from evolve import __version__
from evolve.acceptance.checks import Candidate
from evolve.acceptance.gate import fitness_text
from evolve.program.patch import Edit, patch_to_json
from evolve.program.program import Program
from evolve.store.chain import GENESIS, edit_actions, edits_json, evidence_json, seal
from evolve.store.database import AcceptedChange
from evolve.task import Goal


def sealed_change(
    program: Program,
    accepted: Sequence[AcceptedChange],
    old: Candidate,
    new: Candidate,
    *,
    generation: int,
    evaluations: int,
    goal: Goal,
    checks: dict[str, Any] | None = None,
) -> AcceptedChange:
    """The change from champion `old` to `new`, numbered after `accepted` and sealed onto its last
    hash. An edit it drops names the change that introduced it, so a change that undoes an
    earlier one says so."""
    added = list((Counter(new.variant.patch) - Counter(old.variant.patch)).elements())
    dropped = list((Counter(old.variant.patch) - Counter(new.variant.patch)).elements())
    removed = [(edit, _introduced_by(accepted, edit)) for edit in dropped]
    change = AcceptedChange(
        number=len(accepted) + 1,
        generation=generation,
        evaluations=evaluations,
        parent=old.variant.digest,
        child=new.variant.digest,
        patch=patch_to_json(new.variant.patch),
        operators=tuple(edit.operator for edit in added),
        diff=program.diff(old.variant.source, new.variant.source),
        fitness_before=fitness_text(goal, old.evaluation),
        fitness_after=fitness_text(goal, new.evaluation),
        tests_gained=tuple(sorted(new.evaluation.passed_names - old.evaluation.passed_names)),
        created_at=time.time(),
        edits=edits_json(program, added, removed),
        evidence=evidence_json(old.evaluation, new.evaluation, old.holdout, new.holdout, checks),
        layers=new.evaluation.layers,
        engine_version=__version__,
    )
    return seal(change, accepted[-1].hash if accepted else GENESIS)


def _introduced_by(accepted: Sequence[AcceptedChange], edit: Edit) -> int:
    """The number of the latest accepted change that added `edit` (0 if none did)."""
    for change in reversed(accepted):
        added, _ = edit_actions(change.edits)
        if edit in added:
            return change.number
    return 0
