"""Dropping root: the child runs as an unprivileged uid, without capabilities.

Root with capabilities could raise its rlimits, write cgroup files and signal anyone. Each
lane of each worker slot has its own uid (65534 downwards), so no two children that may be
alive at once, in one worker or two, can touch each other either.

When the interpreter lives where that uid cannot read (pyenv under a 0700 /root, say), the
child keeps CAP_DAC_READ_SEARCH and nothing else, and only when Landlock confines reads to
the interpreter's own directories and seccomp refuses `open_by_handle_at` (the classic way
to turn that capability into an escape); otherwise root is not dropped and the report says so.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, replace

from sandbox.fork import _linux
from sandbox.fork.layers import LayerReport

NAME = "drop-root"
FIRST_UID = 65534
CAP_DAC_READ_SEARCH = 2


@dataclass(frozen=True)
class Identity:
    uid: int
    keep_read_search: bool
    nproc: int = 128
    bounding_set_dropped: bool = False  # by the worker, for all its children: see below


def plan(
    slot: int, read_paths: tuple[str, ...], *, confined: bool, lanes: int = 1
) -> tuple[LayerReport, tuple[Identity, ...] | None]:
    """One identity per lane of worker `slot` (see `worker`): no two share a uid."""
    if os.geteuid() != 0:
        return LayerReport(NAME, False, "not running as root: the variant keeps this uid"), None
    uids = [FIRST_UID - slot * lanes - lane for lane in range(lanes)]
    named = ("uid " if lanes == 1 else "uids ") + ", ".join(str(u) for u in uids)
    _linux.last_capability()  # cached now, in the worker, for every child's `drop`
    hidden = [p for p in read_paths if not _others_can_reach(p)]
    if not hidden:
        identities = tuple(Identity(uid, False) for uid in uids)
        return LayerReport(NAME, True, f"{named}, no capabilities"), identities
    if not confined:
        why = f"{hidden[0]} is not readable by other users and Landlock or seccomp is missing"
        return LayerReport(NAME, False, why), None
    detail = f"{named}, only CAP_DAC_READ_SEARCH (for {hidden[0]}), reads confined by Landlock"
    return LayerReport(NAME, True, detail), tuple(Identity(uid, True) for uid in uids)


def drop_bounding_set(identities: tuple[Identity, ...]) -> tuple[Identity, ...]:
    """Empty the worker's capability bounding set, but for what a child keeps; the children
    inherit it, which spares each one forty calls (half a millisecond). The worker keeps
    its own capabilities: the bounding set limits only what an execve could grant, and the
    worker never executes anything."""
    keep = _kept(identities[0]) if identities else 0
    if any(_kept(identity) != keep for identity in identities):
        return identities
    _drop_bounding(keep)
    return tuple(replace(identity, bounding_set_dropped=True) for identity in identities)


def drop(identity: Identity) -> None:
    """Become `identity.uid` for good; called in the child after every root-only set-up."""
    keep = _kept(identity)
    if not identity.bounding_set_dropped:
        _drop_bounding(keep)
    _linux.prctl(_linux.PR_CAP_AMBIENT, _linux.PR_CAP_AMBIENT_CLEAR_ALL)
    _linux.prctl(_linux.PR_SET_KEEPCAPS, 1 if keep else 0)
    os.setgroups([])
    os.setresgid(identity.uid, identity.uid, identity.uid)
    os.setresuid(identity.uid, identity.uid, identity.uid)
    # Leaving uid 0 cleared the effective set, and the permitted one unless KEEPCAPS was on.
    _linux.capset(keep)


def _kept(identity: Identity) -> int:
    return 1 << CAP_DAC_READ_SEARCH if identity.keep_read_search else 0


def _drop_bounding(keep: int) -> None:
    for cap in range(_linux.last_capability() + 1):
        if not keep >> cap & 1:
            _linux.prctl(_linux.PR_CAPBSET_DROP, cap)


def _others_can_reach(path: str) -> bool:
    current = os.path.realpath(path)
    while True:
        try:
            mode = os.stat(current).st_mode
        except OSError:
            return False
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return False
        parent = os.path.dirname(current)
        if parent == current:
            return True
        current = parent
