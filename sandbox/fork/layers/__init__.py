"""Isolation layers: each is probed once in a fork-server worker, then used in every child.

A layer that this machine cannot give is reported with the reason and left out; the
evaluation still runs under the layers that are left. `sandbox.probe_layers` starts a real
worker and asks it what it managed to set up, so the report is what evaluations really get.
"""

from __future__ import annotations

from dataclasses import dataclass

# Applied by every fork-server child, whatever the machine.
ALWAYS = (
    "rlimits",
    "session",
    "subreaper",
    "fresh-cwd",
    "scrubbed-env",
    "stdin-null",
    "output-cap",
)
# In the order a worker probes them.
OPTIONAL = ("netns", "seccomp", "landlock", "cgroup", "drop-root")


@dataclass(frozen=True)
class LayerReport:
    """Whether one layer is in force here, and why not when it is not."""

    name: str
    available: bool
    detail: str


__all__ = ["ALWAYS", "OPTIONAL", "LayerReport"]
