"""The acceptance checks' memory survives a checkpoint: nothing turned down is judged again."""

from __future__ import annotations

import json
from typing import Any

from evolve.acceptance.checks import AcceptanceChecks
from evolve.acceptance.confirm import Confirmation
from evolve.store.checkpoint import Stateful


def _checks() -> AcceptanceChecks:
    # The state covers only the bookkeeping; the collaborators are not consulted.
    none: Any = None
    return AcceptanceChecks(task=none, evaluator=none, generated=none)


def test_state_round_trips_through_json() -> None:
    checks = _checks()
    checks.overfitting.update({"b", "a"})
    checks.unconfirmed.add("c")
    checks._skip.add("d")
    checks._timings[("p", "c")] = Confirmation(
        False, 1.1000000000000001, 0.04321, (0.5, 0.25), (0.125, 0.3), "too slow"
    )
    state = json.loads(json.dumps(checks.state()))

    restored = _checks()
    restored.restore(state)

    assert isinstance(restored, Stateful)
    assert restored.overfitting == {"a", "b"}
    assert restored.unconfirmed == {"c"}
    assert restored._skip == {"d"}
    assert restored._timings == checks._timings
    assert restored.state() == checks.state()
