"""Engine tests evaluate in this process (`tests/doubles.py`): they check the engine's logic,
not isolation, and a sandbox process per run costs more than most of them. A test that
checks what only a real sandbox gives (layers, memory figures) is marked `real_sandbox`;
the sandbox's own tests (tests/sandbox/) and the end-to-end tests (tests/e2e/) always use
real ones."""

from __future__ import annotations

import pytest

from tests.doubles import InProcessSandbox, use_in_process_sandbox


@pytest.fixture(autouse=True)
def in_process_sandbox(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> InProcessSandbox | None:
    if request.node.get_closest_marker("real_sandbox") is not None:
        return None
    box = InProcessSandbox()
    use_in_process_sandbox(monkeypatch, box)
    return box
