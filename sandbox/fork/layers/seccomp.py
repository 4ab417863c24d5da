"""A seccomp filter: the system calls a variant has no business making fail with an error.

The worker builds the filter once with libseccomp (through `pyseccomp`) and keeps the BPF
program; a child only hands those bytes to the kernel, which costs microseconds where
building and loading with libseccomp would cost a millisecond per evaluation.
"""

from __future__ import annotations

import ctypes
import errno
import tempfile
from typing import Any

from sandbox.fork import _linux
from sandbox.fork.layers import LayerReport

NAME = "seccomp"

CLONE_THREAD = 0x00010000
# clone flags that make namespaces: a thread may not make them either.
_NAMESPACE_FLAGS = (
    0x00020000,
    0x02000000,
    0x04000000,
    0x08000000,
    0x10000000,
    0x20000000,
    0x40000000,
)

DENIED = (
    # new programs and processes (threads are allowed: see clone below)
    "execve", "execveat", "fork", "vfork",
    # the network, other processes, the kernel
    "socket", "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    "mount", "umount2", "unshare", "setns", "pivot_root", "chroot", "move_mount",
    "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "fanotify_init",
    "open_by_handle_at", "name_to_handle_at", "mknod", "mknodat",
    # limits and identity: set by the sandbox, never changed by the variant (the rlimits:
    # see LOCK below)
    "personality", "setuid", "setgid", "setreuid", "setregid", "setresuid",
    "setresgid", "setgroups", "setfsuid", "setfsgid", "capset",
    # the machine
    "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "swapon", "swapoff", "syslog", "acct", "settimeofday", "clock_settime",
    "adjtimex", "clock_adjtime", "sethostname", "setdomainname", "iopl", "ioperm",
    "quotactl", "vhangup", "uselib", "lookup_dcookie",
)  # fmt: skip


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_char_p))


def prepare() -> tuple[LayerReport, tuple[bytes, bytes] | None]:
    """Build the filters; their BPF programs (the main one, the rlimit lock), or None with
    the reason."""
    try:
        import pyseccomp  # type: ignore[import-untyped]
    except ImportError:
        return LayerReport(NAME, False, "the pyseccomp package is not installed"), None
    except OSError as exc:  # pyseccomp loads libseccomp.so.2 when it is imported
        return LayerReport(NAME, False, f"libseccomp is missing: {exc}"), None
    try:
        programs = (_build(pyseccomp), _build_lock(pyseccomp))
    except OSError as exc:
        return LayerReport(NAME, False, f"libseccomp could not build the filter: {exc}"), None
    detail = (
        f"{len(DENIED)} calls denied, rlimits locked, processes and namespaces refused, "
        "clone3 ENOSYS"
    )
    return LayerReport(NAME, True, detail), programs


def _build(pyseccomp: Any) -> bytes:
    """The main filter, loaded as the last step of a child's set-up."""
    eperm = pyseccomp.ERRNO(errno.EPERM)
    flt = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    for name in DENIED:
        try:
            number = pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name)
        except (OSError, ValueError):
            continue  # not a system call on this architecture
        if number >= 0:
            flt.add_rule(eperm, number)
    # glibc tries clone3 first and falls back to clone on ENOSYS, where flags are visible.
    flt.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    flt.add_rule(eperm, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, CLONE_THREAD, 0))
    for flag in _NAMESPACE_FLAGS:
        flt.add_rule(eperm, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, flag, flag))
    return _export(flt)


def _build_lock(pyseccomp: Any) -> bytes:
    """The rlimit calls. A fork-server child is isolated before its request says which
    limits it gets; it sets them when the request comes, then loads this small filter,
    which costs a tenth of the main one to load."""
    eperm = pyseccomp.ERRNO(errno.EPERM)
    flt = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    flt.add_rule(eperm, "setrlimit")
    # Reading a limit passes a null new-limit pointer; setting one is refused.
    flt.add_rule(eperm, "prlimit64", pyseccomp.Arg(2, pyseccomp.NE, 0))
    return _export(flt)


def _export(flt: Any) -> bytes:
    with tempfile.TemporaryFile() as handle:
        flt.export_bpf(handle)
        handle.seek(0)
        return handle.read()


def load(program: bytes) -> None:
    """Install the filter on this process. Needs no_new_privs (or CAP_SYS_ADMIN) first."""
    fprog = _SockFprog(len(program) // 8, program)
    _linux.prctl_pointer(_linux.PR_SET_SECCOMP, _linux.SECCOMP_MODE_FILTER, ctypes.pointer(fprog))


__all__ = ["DENIED", "NAME", "load", "prepare"]
