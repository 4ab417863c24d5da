"""The few Linux calls the standard library lacks before Python 3.12, through ctypes.

Every function raises OSError with the kernel's errno when the call fails, like `os` does.
"""

from __future__ import annotations

import ctypes
import os

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.prctl.restype = ctypes.c_int
_libc.unshare.restype = ctypes.c_int

CLONE_NEWNET = 0x40000000

PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
PR_SET_KEEPCAPS = 8
PR_CAPBSET_DROP = 24
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
PR_SET_SECCOMP = 22
PR_SET_DUMPABLE = 4
SECCOMP_MODE_FILTER = 2

# The Landlock and capset syscalls have one number on every architecture Linux added them
# after the syscall tables were unified (x86_64 and aarch64 alike); capset differs.
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446

_ULONG = ctypes.c_ulong


def _check(result: int) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    return _check(_libc.prctl(option, _ULONG(arg2), _ULONG(arg3), _ULONG(arg4), _ULONG(arg5)))


def prctl_pointer(option: int, arg2: int, pointer: ctypes._Pointer[ctypes.Structure]) -> int:
    return _check(_libc.prctl(option, _ULONG(arg2), pointer, _ULONG(0), _ULONG(0)))


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags))


def syscall(number: int, *args: int | ctypes._Pointer[ctypes.Structure] | None) -> int:
    converted = [_ULONG(a) if isinstance(a, int) else a for a in args]
    return _check(_libc.syscall(_ULONG(number), *converted))


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    )


_CAPABILITY_VERSION_3 = 0x20080522
_libc.capset.restype = ctypes.c_int


# Made once here: building a ctypes array type in each forked child costs a fraction of a ms.
_CapDataPair = _CapData * 2


def capset(effective_and_permitted: int) -> None:
    """Set this thread's effective and permitted capabilities to exactly the given bits."""
    header = _CapHeader(_CAPABILITY_VERSION_3, 0)
    data = _CapDataPair()
    for index in range(2):
        bits = (effective_and_permitted >> (32 * index)) & 0xFFFFFFFF
        data[index] = _CapData(bits, bits, 0)
    _check(_libc.capset(ctypes.byref(header), data))


_last_capability: int | None = None


def last_capability() -> int:
    """The highest capability number this kernel knows. Read once per process (a worker
    reads it at set-up, so its children do not open a /proc file each: ~0.3 ms there)."""
    global _last_capability
    if _last_capability is None:
        try:
            with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as handle:
                _last_capability = int(handle.read())
        except (OSError, ValueError):
            _last_capability = 40
    return _last_capability
