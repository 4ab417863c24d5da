"""A network namespace of its own: only a loopback device that is down, so no network at all.

The worker enters it once at start; every child it forks inherits it. A child has no
capability left to bring the loopback up, and seccomp refuses `setns` and `unshare`.
"""

from __future__ import annotations

from sandbox.fork import _linux
from sandbox.fork.layers import LayerReport

NAME = "netns"


def enter() -> LayerReport:
    try:
        _linux.unshare(_linux.CLONE_NEWNET)
    except OSError as exc:
        return LayerReport(NAME, False, f"unshare(CLONE_NEWNET) failed: {exc.strerror}")
    return LayerReport(NAME, True, "own network namespace: no interfaces up")
