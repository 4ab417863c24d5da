"""Landlock: the variant writes only beneath its worker's scratch directory and reads only
where the interpreter and its libraries live; no TCP at all (ABI 4), and no signals or
abstract unix sockets reaching outside its own domain (ABI 6).

The worker builds the ruleset once (opening every allowed path costs far more than
enforcing it); each child only calls `landlock_restrict_self` with the ruleset's fd.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys

from sandbox.fork import _linux
from sandbox.fork.layers import LayerReport

NAME = "landlock"

_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_ALL_V1 = (1 << 13) - 1  # execute ... make_sym
_FILE_ONLY = _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1

# Outside the interpreter's own prefixes: shared libraries that extension modules load, time
# zones, and the device files and /proc entries the standard library reads.
_SYSTEM_READ = (
    "/usr/lib",
    "/usr/lib64",
    "/lib",
    "/lib64",
    "/usr/local/lib",
    "/usr/share/zoneinfo",
    "/etc/localtime",
    "/etc/ld.so.cache",
    "/proc",
    "/sys/devices/system/cpu",
    "/dev/urandom",
    "/dev/random",
    "/dev/zero",
)
_READ_WRITE_DEVICES = ("/dev/null",)


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


def abi_version() -> int:
    """The Landlock ABI this kernel gives, or 0 when it gives none."""
    try:
        return _linux.syscall(_linux.SYS_LANDLOCK_CREATE_RULESET, None, 0, _CREATE_RULESET_VERSION)
    except OSError:
        return 0


def prepare(scratch: str, read_paths: tuple[str, ...]) -> tuple[LayerReport, int | None]:
    """The ruleset fd (inherited by every child), or None with the reason."""
    abi = abi_version()
    if abi < 1:
        return LayerReport(NAME, False, "the kernel gives no Landlock ABI"), None
    handled_fs = _ALL_V1
    if abi >= 2:
        handled_fs |= _REFER
    if abi >= 3:
        handled_fs |= _TRUNCATE
    if abi >= 5:
        handled_fs |= _IOCTL_DEV
    # The struct grew with the ABI: pass only as many fields as this kernel knows.
    attr = _RulesetAttr(handled_fs, 0, 0)
    size = 8
    extras = []
    if abi >= 4:
        attr.handled_access_net = _NET_BIND_TCP | _NET_CONNECT_TCP  # no rule: none allowed
        size = 16
        extras.append("no TCP")
    if abi >= 6:
        attr.scoped = _SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL
        size = 24
        extras.append("signals and abstract sockets scoped")
    try:
        fd = _linux.syscall(_linux.SYS_LANDLOCK_CREATE_RULESET, ctypes.pointer(attr), size, 0)
    except OSError as exc:
        return LayerReport(NAME, False, f"landlock_create_ruleset failed: {exc.strerror}"), None
    try:
        _add(fd, scratch, handled_fs)
        read = _EXECUTE | _READ_FILE | _READ_DIR
        for path in (*read_paths, *_SYSTEM_READ):
            _add(fd, path, read, missing_ok=True)
        for path in _READ_WRITE_DEVICES:
            _add(fd, path, _READ_FILE | _WRITE_FILE, missing_ok=True)
    except OSError as exc:
        os.close(fd)
        return LayerReport(NAME, False, f"landlock_add_rule failed: {exc.strerror}"), None
    detail = ", ".join([f"ABI {abi}", "writes only in the scratch directory", *extras])
    return LayerReport(NAME, True, detail), fd


def _add(ruleset: int, path: str, access: int, *, missing_ok: bool = False) -> None:
    try:
        target = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        if missing_ok:
            return
        raise
    try:
        if not os.path.isdir(path):
            access &= _FILE_ONLY
        rule = _PathBeneath(access, target)
        _linux.syscall(
            _linux.SYS_LANDLOCK_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.pointer(rule), 0
        )
    finally:
        os.close(target)


def restrict(ruleset: int) -> None:
    """Enforce the ruleset on this process for good. Needs no_new_privs set first."""
    _linux.syscall(_linux.SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0)


def interpreter_paths() -> tuple[str, ...]:
    """Where this interpreter reads modules from: its prefixes and the pytest install.

    Not `sys.path` as a whole: an editable install puts the project there, and with it the
    task files that hold expected outputs.
    """
    from sandbox.protocol import pytest_sys_path

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.update(pytest_sys_path())
    with contextlib.suppress(OSError):
        paths.add(os.path.dirname(os.path.realpath(sys.executable)))
    return tuple(sorted(p for p in paths if p))
