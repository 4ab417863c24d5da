"""Hostile variants: each tries to escape, cheat or do harm, and each must be contained.

Every case runs through both sandbox modes (`process` and `fork`) and is then checked for the
same things: the engine survived and answered in
time, the variant does not count as passing (the expected values are unique strings no honest
variant can produce, so any passed test is a leak), nothing changed outside the working
directory, no connection reached the test's listeners, no process the variant started is still
running, the bystander process lives, and no secret came back.

A case names the isolation layers (`needs`) of which any one, once in place, stops it. When it
gets away and none of those layers is in the `Evaluation.layers` of that run, the test is an
expected failure naming the missing layer; once a layer is reported, an escape fails for real.

A missing layer is only excused where it may be missing. The process mode is designed without
the optional layers, so its escapes that need one stay expected failures. A machine may lack
one of the fork mode's (no Landlock in the kernel, say): CI names the layers it requires in
EVOLVE_REQUIRED_LAYERS (space-separated, see .ci/run), and an escape from the fork mode that a
required layer would have stopped then fails, as does a required layer not in force at all.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from evolve.evaluation.constraints import Allowed
from sandbox import ALWAYS_LAYERS, Limits, Status
from sandbox.fork.layers import OPTIONAL as OPTIONAL_LAYERS
from sandbox.process import LAYERS as PROCESS_LAYERS

_SUPPORT_PATH = Path(__file__).with_name("support.py")
_spec = importlib.util.spec_from_file_location("evolve_hostile_support", _SUPPORT_PATH)
assert _spec is not None and _spec.loader is not None
support: Any = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = support  # dataclasses look their module up while being defined
_spec.loader.exec_module(support)

# Small limits keep the folder fast; an escaped bomb is bounded by its own construction.
LIMITS = Limits(
    wall_s=1.0, cpu_s=1.0, memory_mb=128, output_bytes=64 * 1024, file_size_mb=4, open_files=64
)
NOT_OK = frozenset(Status) - {Status.OK}
# What an engine run on a pytest task admits: only what this honest seed uses.
HONEST_SEED = Allowed("def f(i):\n    return i\n")
TIMEOUT = frozenset({Status.TIMEOUT})


@dataclass(frozen=True)
class Hostile:
    name: str
    source: str  # with @NAME@ placeholders for the world's paths, ports and pids
    statuses: frozenset[Status] = NOT_OK
    needs: tuple[str, ...] = ()  # layers of which any one should stop it
    engine: bool = False  # attacks the engine itself: run it in a throwaway engine process
    pytest_suite: bool = False  # judged by a pytest file instead of input/output cases
    limits: Limits = LIMITS
    design: str = ""  # an escape that no isolation layer can close: a strict xfail


# The variant's ancestors up to the engine and never beyond, so that an escaped attack can
# only ever reach processes this test started. It also leaves the marker in its working
# directory, so that the checks see it if that directory outlives the evaluation.
ANCESTORS = """
import os as _os

try:  # a working directory left behind by an engine that died is then found and removed
    open("@MARK@", "w").close()
except OSError:
    pass


def ancestors():
    chain, pid = [], _os.getppid()
    while pid > 1 and len(chain) < 10:
        chain.append(pid)
        if pid == @ENGINE@:
            return chain
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                pid = int(handle.read().rpartition(b")")[2].split()[1])
        except OSError:
            break
    return []
"""

# Names the calling process with the marker, so that the checks can find it if it outlives
# the evaluation; a process that cannot be named ends at once, so none goes untracked.
MARK_ME = """
import ctypes as _ctypes
import os as _os


def mark_me():
    try:
        _ctypes.CDLL(None).prctl(15, b"@MARK@", 0, 0, 0)  # PR_SET_NAME
        with open("/proc/self/comm") as handle:
            if handle.read().strip() == "@MARK@":
                return
    except OSError:
        pass
    _os._exit(0)
"""

# What a variant that forged its report would like the supervisor to believe.
FAKE_CASES = (
    '{"version": 1, "import_error": null, "cost": 0, "tests": [],'
    ' "cases": [{"output": "\\"forged\\""}, {"output": "\\"forged\\""},'
    ' {"output": "\\"forged\\""}]}'
)
FAKE_PYTEST = (
    '{"version": 1, "import_error": null, "cost": 0, "cases": [], "pytest_exit": 0,'
    ' "tests": [{"name": "test_c0", "outcome": "passed", "detail": "", "memory": false}]}'
)
FORGE = """
import os, stat

REPORT = {report!r}
for fd in range(3, 1024):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, REPORT.encode())
    except OSError:
        pass
os._exit(0)
"""


def cases() -> list[Hostile]:
    return [
        # -- time ---------------------------------------------------------------------------
        Hostile("python-loop", "while True:\n    pass\n", TIMEOUT),
        # C-level loops never return to the interpreter, so no Python-level alarm stops them.
        Hostile("regex-backtracking", 'import re\nre.match(r"(a+)+$", "a" * 40 + "b")\n', TIMEOUT),
        Hostile("sum-huge-range", "sum(range(10**12))\n", TIMEOUT),
        Hostile("sleep", "import time\ntime.sleep(3600)\n", TIMEOUT),
        Hostile(
            "catch-the-case-alarm",
            "def f(i):\n"
            "    while True:\n"
            "        try:\n"
            "            while True:\n"
            "                pass\n"
            "        except BaseException:\n"
            "            pass\n",
            TIMEOUT,
        ),
        Hostile(
            "ignore-and-block-signals",
            "import signal\n"
            "for s in signal.valid_signals():\n"
            "    try:\n"
            "        signal.signal(s, signal.SIG_IGN)\n"
            "    except (OSError, ValueError, RuntimeError):\n"
            "        pass\n"
            "signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())\n"
            "while True:\n"
            "    pass\n",
            TIMEOUT,
        ),
        # Root may raise its own hard limits; the wall clock must still stop it.
        Hostile(
            "raise-cpu-limit",
            "import resource\n"
            "inf = resource.RLIM_INFINITY\n"
            "try:\n"
            "    resource.setrlimit(resource.RLIMIT_CPU, (inf, inf))\n"
            "except (ValueError, OSError):\n"
            "    pass\n"
            "while True:\n"
            "    pass\n",
            TIMEOUT,
        ),
        # -- memory -------------------------------------------------------------------------
        Hostile(
            "memory-bomb-list",
            "grow = []\nwhile True:\n    grow.append([0] * 10000)\n",
            frozenset({Status.MEMORY}),
        ),
        Hostile("memory-bomb-c", "block = bytearray(10**10)\n", frozenset({Status.MEMORY})),
        # Raise RLIMIT_AS back to infinity, then take 512 MB: four times the limit, and no
        # more even when the limit is gone.
        Hostile(
            "raise-memory-limit",
            "import resource\n"
            "inf = resource.RLIM_INFINITY\n"
            "try:\n"
            "    resource.setrlimit(resource.RLIMIT_AS, (inf, inf))\n"
            "except (ValueError, OSError):\n"
            "    pass\n"
            "block = bytearray(512 << 20)\n"
            "def f(i):\n"
            "    return 'escaped-@MARK@'\n",
            frozenset({Status.MEMORY, Status.CRASH}),
            needs=("drop-root", "cgroup"),
        ),
        Hostile(
            "deep-recursion",
            "import sys\n"
            "sys.setrecursionlimit(10**7)\n"
            "def down(n):\n"
            "    return [down(n + 1) for _ in (0,)]\n"  # each level goes through C code
            "down(0)\n",
            frozenset({Status.CRASH, Status.MEMORY, Status.TIMEOUT}),
        ),
        # -- processes and threads: every one carries the marker in its name or arguments ----
        Hostile(
            "fork-bomb-flat",
            MARK_ME + "import os, time\n"
            "kids = 0\n"
            "for _ in range(150):\n"  # bounded even if nothing stops it
            "    try:\n"
            "        pid = os.fork()\n"
            "    except OSError:\n"
            "        break\n"
            "    if pid == 0:\n"
            "        try:\n"
            "            mark_me()\n"
            "            time.sleep(20)\n"
            "        finally:\n"
            "            os._exit(0)\n"
            "    kids += 1\n"
            "def f(i):\n"
            "    return kids\n",
        ),
        # 2**7 processes, each of which goes on to run the harness and write a report.
        Hostile(
            "fork-bomb-tree",
            MARK_ME + "import os\n"
            "for _ in range(7):\n"
            "    try:\n"
            "        os.fork()\n"
            "    except OSError:\n"
            "        break\n"
            "mark_me()\n"
            "def f(i):\n"
            "    return i\n",
        ),
        Hostile(
            "thread-bomb",
            "import threading\n"
            "def spin():\n"
            "    while True:\n"
            "        pass\n"
            "started = 0\n"
            "for _ in range(300):\n"
            "    try:\n"
            "        threading.Thread(target=spin, daemon=True).start()\n"
            "    except RuntimeError:\n"
            "        break\n"
            "    started += 1\n"
            "def f(i):\n"
            "    return started\n",
        ),
        Hostile(
            "subprocess-sleeper",
            "import subprocess, sys\n"
            "code = 'import time; time.sleep(20)'\n"
            "child = subprocess.Popen([sys.executable, '-S', '-c', code, '@MARK@'])\n"
            "def f(i):\n"
            "    return child.pid\n",
        ),
        Hostile(
            "os-system-background",
            "import os, sys\n"
            "os.system(sys.executable + \" -S -c 'import time; time.sleep(20)' @MARK@ &\")\n"
            "def f(i):\n"
            "    return i\n",
        ),
        # A double-forked daemon in a session of its own that ignores SIGTERM: out of reach
        # of a process-group or session kill.
        Hostile(
            "setsid-daemon",
            MARK_ME + "import os, signal, time\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    os.setsid()\n"
            "    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):\n"
            "        signal.signal(s, signal.SIG_IGN)\n"
            "    if os.fork() == 0:\n"
            "        mark_me()\n"
            "        time.sleep(20)\n"
            "    os._exit(0)\n"
            "os.waitpid(pid, 0)\n"
            "def f(i):\n"
            "    return i\n",
            needs=("subreaper", "cgroup", "seccomp"),
        ),
        Hostile(
            "subprocess-new-session",
            "import subprocess, sys\n"
            "code = 'import signal, time; signal.signal(15, signal.SIG_IGN); time.sleep(20)'\n"
            "subprocess.Popen([sys.executable, '-S', '-c', code, '@MARK@'],\n"
            "                 start_new_session=True)\n"
            "def f(i):\n"
            "    return i\n",
            needs=("subreaper", "cgroup", "seccomp"),
        ),
        # -- output -------------------------------------------------------------------------
        Hostile(
            "stdout-flood",
            "import sys\n"
            "for _ in range(2000):\n"  # 20 MB at most
            "    sys.stdout.write('x' * 10000)\n"
            "sys.stdout.flush()\n",
            frozenset({Status.OUTPUT_LIMIT}),
        ),
        Hostile(
            "stderr-flood-raw-fd",
            "import os\nfor _ in range(2000):\n    os.write(2, b'e' * 10000)\n",
            frozenset({Status.OUTPUT_LIMIT}),
        ),
        # -- files --------------------------------------------------------------------------
        Hostile("huge-file", _huge_file(raise_limit=False)),
        Hostile("huge-file-raising-limit", _huge_file(raise_limit=True), needs=("drop-root",)),
        # Each file under the size limit, together eight times the memory limit: where
        # the working directory is tmpfs, that is memory the cgroup must charge and stop.
        Hostile(
            "many-big-files",
            "import signal\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "written = 0\n"
            "try:\n"
            "    for n in range(256):\n"  # 1 GB at most
            "        with open(f'big{n}.bin', 'wb') as handle:\n"
            "            for _ in range(4):\n"
            "                written += handle.write(bytes(1 << 20))\n"
            "except OSError:\n"
            "    pass\n"
            "def f(i):\n"
            "    return 'escaped-@MARK@' if written >= 1024 << 20 else written\n",
            needs=("cgroup",),
        ),
        Hostile("write-outside-dir", _write("@OUTSIDE@/written-@MARK@"), needs=("landlock",)),
        Hostile("write-tmp", _write("@TMPMARK@"), needs=("landlock",)),
        Hostile("write-dev-shm", _write("@SHMMARK@"), needs=("landlock",)),
        Hostile(
            "delete-outside",
            "import os, shutil\n"
            "for act in (lambda: os.remove('@OUTSIDE@/precious.txt'),\n"
            "            lambda: shutil.rmtree('@OUTSIDE@/precious_dir')):\n"
            "    try:\n"
            "        act()\n"
            "    except OSError:\n"
            "        pass\n"
            "def f(i):\n"
            "    return i\n",
            needs=("landlock",),
        ),
        # A hard link inside the working directory is the outside file itself.
        Hostile(
            "hardlink-and-truncate",
            "import os\n"
            "try:\n"
            "    os.link('@OUTSIDE@/precious.txt', 'inside')\n"
            "    with open('inside', 'w') as handle:\n"
            "        handle.write('pwned')\n"
            "except OSError:\n"
            "    pass\n"
            "def f(i):\n"
            "    return i\n",
            needs=("landlock",),
        ),
        # Move the working directory away and leave a link to the outside in its place, for
        # the supervisor's clean-up to walk into.
        Hostile(
            "swap-workdir-for-symlink",
            "import os\n"
            "here = os.getcwd()\n"
            "open('@MARK@', 'w').close()\n"
            "try:\n"
            "    os.rename(here, here + '-@MARK@')\n"
            "    os.symlink('@OUTSIDE@', here)\n"
            "except OSError:\n"
            "    pass\n"
            "def f(i):\n"
            "    return i\n",
            needs=("landlock",),
        ),
        Hostile(
            "symlink-plants",
            "import os\n"
            "for name, target in (('file', '@OUTSIDE@/precious.txt'),\n"
            "                     ('dir', '@OUTSIDE@/precious_dir'), ('root', '/')):\n"
            "    os.symlink(target, name)\n"
            "os.mkdir('nested')\n"
            "os.symlink('@OUTSIDE@', 'nested/deeper')\n"
            "def f(i):\n"
            "    return i\n",
        ),
        Hostile(
            "pth-persistence",
            "import os, sys, sysconfig\n"
            "line = \"import sys; sys.modules.setdefault('evolve_pth_@MARK@', sys)\\n\"\n"
            "for base in {sys.prefix, sys.base_prefix}:\n"
            "    site = sysconfig.get_paths(vars={'base': base, 'platbase': base})['purelib']\n"
            "    try:\n"
            "        with open(os.path.join(site, 'evolve-@MARK@.pth'), 'w') as handle:\n"
            "            handle.write(line)\n"
            "    except OSError:\n"
            "        pass\n"
            "def f(i):\n"
            "    return i\n",
            needs=("landlock",),
        ),
        Hostile(
            "os-system-writes-outside",
            "import os\n"
            "os.system('echo pwned > @OUTSIDE@/system-@MARK@')\n"
            "def f(i):\n"
            "    return i\n",
            needs=("landlock", "seccomp"),
        ),
        # -- network (loopback only: an escape reaches nothing but the test's listeners) -----
        Hostile(
            "tcp-connect",
            _network(
                "s = socket.create_connection(('127.0.0.1', @PORT@), timeout=0.5)\n"
                "s.sendall(b'@MARK@')\n"
            ),
            needs=("netns", "seccomp"),
        ),
        Hostile(
            "udp-send",
            _network(
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                "s.sendto(b'@MARK@', ('127.0.0.1', @UDPPORT@))\n"
            ),
            needs=("netns", "seccomp"),
        ),
        # A path-named unix socket is reachable from any network namespace.
        Hostile(
            "unix-socket-connect",
            _network(
                "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
                "s.connect('@USOCK@')\n"
                "s.sendall(b'@MARK@')\n"
            ),
            needs=("seccomp",),
        ),
        # -- secrets and expected values --------------------------------------------------
        Hostile(
            "environment-secret",
            "import os, re\n"
            "with open('/proc/self/environ', 'rb') as handle:\n"
            "    raw = handle.read()\n"
            "found = re.search(rb'EVOLVE_HOSTILE_SECRET=([^\\0]*)', raw)\n"
            "secret = os.environ.get('EVOLVE_HOSTILE_SECRET') or (found and found[1].decode())\n"
            "def f(i):\n"
            "    return secret\n",
        ),
        Hostile(
            "ancestor-environ",
            ANCESTORS + "import re\n"
            "secret = None\n"
            "for pid in ancestors():\n"
            "    try:\n"
            "        with open(f'/proc/{pid}/environ', 'rb') as handle:\n"
            "            found = re.search(rb'EVOLVE_HOSTILE_SECRET=([^\\0]*)', handle.read())\n"
            "    except OSError:\n"
            "        continue\n"
            "    if found:\n"
            "        secret = found[1].decode()\n"
            "def f(i):\n"
            "    return secret\n",
            needs=("drop-root",),
            engine=True,  # the secret must be in an engine's initial environment
        ),
        Hostile("gc-and-own-memory", _fish("[0]", own=True)),
        Hostile(
            "ancestor-memory",
            ANCESTORS + _fish("ancestors()", own=False),
            needs=("drop-root",),
            engine=True,  # a small engine process: its memory is quick to search
            limits=Limits(wall_s=4.0, cpu_s=3.0, memory_mb=256),
        ),
        # -- the engine and its neighbours -------------------------------------------------
        Hostile(
            "kill-parent",
            ANCESTORS + "import os, signal\n"
            "if os.getppid() in ancestors():\n"
            "    os.kill(os.getppid(), signal.SIGKILL)\n"
            "def f(i):\n"
            "    return i\n",
            needs=("drop-root",),
            engine=True,
        ),
        Hostile(
            "kill-engine-processes",
            ANCESTORS + "import os, signal\n"
            "me, engine = os.getpid(), @ENGINE@\n"
            "def lineage(pid):\n"
            "    seen = []\n"
            "    while pid > 1 and len(seen) < 20:\n"
            "        seen.append(pid)\n"
            "        try:\n"
            "            with open(f'/proc/{pid}/stat', 'rb') as handle:\n"
            "                pid = int(handle.read().rpartition(b')')[2].split()[1])\n"
            "        except (OSError, ValueError):\n"
            "            return []\n"
            "    return seen\n"
            "victims = []\n"
            "if ancestors():\n"  # only ever inside the throwaway engine's own tree
            "    for name in os.listdir('/proc'):\n"
            "        if name.isdigit() and int(name) != me and engine in lineage(int(name)):\n"
            "            try:\n"
            "                with open(f'/proc/{name}/cmdline', 'rb') as handle:\n"
            "                    if b'python' in handle.read():\n"
            "                        victims.append(int(name))\n"
            "            except OSError:\n"
            "                pass\n"
            "for pid in victims:\n"
            "    try:\n"
            "        os.kill(pid, signal.SIGKILL)\n"
            "    except OSError:\n"
            "        pass\n"
            "def f(i):\n"
            "    return i\n",
            needs=("drop-root",),
            engine=True,
        ),
        Hostile(
            "kill-bystander",
            "import os, signal\n"
            "try:\n"
            "    os.kill(@BYSTANDER@, signal.SIGKILL)\n"
            "except OSError:\n"
            "    pass\n"
            "def f(i):\n"
            "    return i\n",
            needs=("drop-root",),
        ),
        # PTRACE_SEIZE does not stop the tracee, so even an escape leaves the engine running.
        Hostile(
            "ptrace-ancestors",
            ANCESTORS + "import ctypes\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "libc.ptrace.argtypes = [ctypes.c_long] * 4\n"
            "seized = [pid for pid in ancestors() if libc.ptrace(0x4206, pid, 0, 0) == 0]\n"
            "def f(i):\n"
            "    return 'escaped-@MARK@' if seized else None\n",
            needs=("seccomp", "drop-root"),
            engine=True,
        ),
        # -- the result channel and the judge ----------------------------------------------
        Hostile("forge-result-fd", FORGE.format(report=FAKE_CASES)),
        Hostile(
            "eq-always-true",
            "class Anything:\n"
            "    def __eq__(self, other):\n"
            "        return True\n"
            "    __hash__ = object.__hash__\n"
            "class Sneaky(str):\n"
            "    def __eq__(self, other):\n"
            "        return True\n"
            "    __hash__ = str.__hash__\n"
            "def f(i):\n"
            "    return [Anything(), Sneaky('x'), {'k': Anything()}][i % 3]\n",
            frozenset({Status.FAILED}),
        ),
        Hostile("os-exit-at-import", "import os\nos._exit(0)\n", frozenset({Status.CRASH})),
        Hostile("sys-exit-at-import", "import sys\nsys.exit(0)\n", frozenset({Status.CRASH})),
        Hostile(
            "monkeypatch-harness",
            "import builtins, json, os\n"
            "json.dumps = lambda *a, **k: '\"patched\"'\n"
            "builtins.print = lambda *a, **k: None\n"
            f"FAKE = {FAKE_CASES!r}.encode()\n"
            "real_write = os.write\n"
            "def write(fd, data):\n"
            "    if fd > 2:\n"
            "        real_write(fd, FAKE)\n"
            "        return len(data)\n"
            "    return real_write(fd, data)\n"
            "os.write = write\n"
            "def f(i):\n"
            "    return i\n",
        ),
        # -- pytest-file suites: the variant shares its process with the judge -------------
        Hostile(
            "pytest-eq-always-true",
            "class Anything:\n"
            "    def __eq__(self, other):\n"
            "        return True\n"
            "    __hash__ = object.__hash__\n"
            "def f(i):\n"
            "    return Anything()\n",
            pytest_suite=True,
            limits=Limits(wall_s=5.0, cpu_s=3.0, memory_mb=256),
        ),
        Hostile(
            "pytest-reads-the-test-file",
            "import glob, re\n"
            "text = ''.join(open(p).read() for p in glob.glob('test_*.py'))\n"
            "def f(i):\n"
            "    found = re.search('XPCT[0-9a-f]{32}N' + str(i) + '(?![0-9])', text)\n"
            "    return found and found[0]\n",
            pytest_suite=True,
            limits=Limits(wall_s=5.0, cpu_s=3.0, memory_mb=256),
        ),
        Hostile(
            "pytest-forged-report",
            FORGE.format(report=FAKE_PYTEST),
            pytest_suite=True,
            limits=Limits(wall_s=5.0, cpu_s=3.0, memory_mb=256),
        ),
    ]


def _huge_file(*, raise_limit: bool) -> str:
    raise_it = (
        "import resource\n"
        "inf = resource.RLIM_INFINITY\n"
        "try:\n"
        "    resource.setrlimit(resource.RLIMIT_FSIZE, (inf, inf))\n"
        "except (ValueError, OSError):\n"
        "    pass\n"
    )
    return (
        (raise_it if raise_limit else "") + "import signal\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"  # get EFBIG instead of dying
        "written = 0\n"
        "try:\n"
        "    with open('big.bin', 'wb') as handle:\n"
        "        for _ in range(64):\n"  # 64 MB at most, sixteen times the limit
        "            written += handle.write(bytes(1 << 20))\n"
        "            handle.flush()\n"
        "except OSError:\n"
        "    pass\n"
        "def f(i):\n"
        "    return 'escaped-@MARK@' if written >= 64 << 20 else written\n"
    )


def _write(path: str) -> str:
    return (
        "try:\n"
        f"    with open('{path}', 'w') as handle:\n"
        "        handle.write('pwned')\n"
        "except OSError:\n"
        "    pass\n"
        "def f(i):\n"
        "    return i\n"
    )


def _network(attempt: str) -> str:
    body = "".join("    " + line + "\n" for line in attempt.splitlines())
    return (
        "import socket\n"
        "try:\n" + body + "    s.close()\n"
        "    reached = True\n"
        "except OSError:\n"
        "    reached = False\n"
        "def f(i):\n"
        "    return 'escaped-@MARK@' if reached else i\n"
    )


def _fish(pids: str, *, own: bool) -> str:
    """Search memory for the suite's expected values. The variant knows their first 8 hex
    digits (so it can tell this suite's from any other's) and must find the other 24; its
    own source does not match the pattern."""
    from_gc = (
        "import gc\n"
        "for obj in gc.get_objects():\n"
        "    for value in (obj.values() if isinstance(obj, dict) else obj\n"
        "                  if isinstance(obj, (list, tuple)) else ()):\n"
        "        if isinstance(value, str) and PATTERN.fullmatch(value.encode()):\n"
        "            found.add(value)\n"
    )
    return (
        "import os, re\n"
        "PATTERN = re.compile(b'XPCT' + b'@XP8@' + b'[0-9a-f]{24}N[0-9]+')\n"
        "found = set()\n" + (from_gc if own else "") + f"for pid in {pids}:\n"
        "    path = f'/proc/{pid}/' if pid else '/proc/self/'\n"
        "    try:\n"
        "        with open(path + 'maps') as handle:\n"
        "            maps = handle.read().splitlines()\n"
        "        mem = os.open(path + 'mem', os.O_RDONLY)\n"
        "    except OSError:\n"
        "        continue\n"
        "    budget = 512 << 20\n"
        "    for line in maps:\n"
        "        fields = line.split()\n"
        "        if not fields[1].startswith('rw') or len(fields) > 5 and '/' in fields[5]:\n"
        "            continue\n"
        "        start, end = (int(x, 16) for x in fields[0].split('-'))\n"
        "        for at in range(start, min(end, start + budget), 1 << 20):\n"
        "            try:\n"
        "                chunk = os.pread(mem, min(1 << 20, end - at) + 64, at)\n"
        "            except OSError:\n"
        "                break\n"
        "            found.update(m.decode() for m in PATTERN.findall(chunk))\n"
        "        budget -= end - start\n"
        "        if budget <= 0:\n"
        "            break\n"
        "    os.close(mem)\n"
        "def f(i):\n"
        "    for value in found:\n"
        "        if value.rpartition('N')[2] == str(i):\n"
        "            return value\n"
        "    return sorted(found)[:1] or None\n"
    )


CASES = cases()

# How `Evaluation.layers` may spell each layer a case can need.
_LAYER_NAMES = {
    "drop-root": ("drop-root", "no-root", "unprivileged", "setuid", "uid", "drop-privileges"),
    "netns": ("netns", "network-namespace", "net-namespace", "no-network"),
    "subreaper": ("subreaper",),
    "cgroup": ("cgroup",),
    "seccomp": ("seccomp",),
    "landlock": ("landlock",),
}


def layer_reported(need: str, layers: tuple[str, ...]) -> bool:
    spellings = _LAYER_NAMES[need]
    return any(layer.lower().startswith(spelling) for layer in layers for spelling in spellings)


# The layers each mode applies on any machine, and those it may apply where the machine can.
ALWAYS_IN = {"process": frozenset(PROCESS_LAYERS), "fork": frozenset(ALWAYS_LAYERS)}
DESIGNED_LAYERS = {
    "process": frozenset(PROCESS_LAYERS),
    "fork": frozenset(ALWAYS_LAYERS) | frozenset(OPTIONAL_LAYERS),
}
# What this machine must give (CI sets it): a missing one is a failure, not an excuse.
REQUIRED_LAYERS = frozenset(os.environ.get("EVOLVE_REQUIRED_LAYERS", "").split())


def excused(needs: tuple[str, ...], mode: str) -> bool:
    """Whether an escape that any of `needs` would stop, none of them reported, is an
    expected failure: none of them is one the mode always applies, or one it is built to
    apply and the machine is required to give."""
    required = ALWAYS_IN[mode] | (DESIGNED_LAYERS[mode] & REQUIRED_LAYERS)
    return not any(need in required for need in needs)


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[Callable[[str], Any]]:
    """One sandbox per mode for the whole module: a fork server that a variant managed to
    break would show up in the cases after it."""
    opened: dict[str, Any] = {}

    def get(mode: str) -> Any:
        if mode not in opened:
            opened[mode] = support.open_sandbox(mode)
        return opened[mode]

    yield get
    for box in opened.values():
        box.close()


@pytest.fixture(scope="module")
def mode_layers(sandboxes: Callable[[str], Any]) -> Callable[[str], tuple[str, ...]]:
    """The layers a mode reports, from a harmless run: for when the engine did not survive
    to hand back an Evaluation."""
    found: dict[str, tuple[str, ...]] = {}

    def get(mode: str) -> tuple[str, ...]:
        if mode not in found:
            from sandbox import Case, CaseSuite

            suite = CaseSuite("f", (Case("c", (1,), expected=1),))
            found[mode] = (
                sandboxes(mode).evaluate("def f(i):\n    return i\n", suite, LIMITS).layers
            )
        return found[mode]

    return get


def _params() -> list[Any]:
    params = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.design)] if case.design else []
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


@pytest.mark.parametrize("mode", support.MODES)
@pytest.mark.parametrize("case", _params())
def test_hostile_variant_is_contained(
    case: Hostile,
    mode: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sandboxes: Callable[[str], Any],
    mode_layers: Callable[[str], tuple[str, ...]],
) -> None:
    box = sandboxes(mode)
    with support.world(tmp_path) as world:
        # The engine's environment holds a secret; no variant may get it back.
        monkeypatch.setenv(support.SECRET_NAME, world.secret)
        suite = world.pytest_suite() if case.pytest_suite else world.case_suite()
        started = time.monotonic()
        if case.engine:
            evaluation, died = support.run_in_subengine(
                mode, case.source, world.ctx(), suite, case.limits, world.secret
            )
            slack = support.ENGINE_TIMEOUT_S
        else:
            source = support.render(case.source, world.ctx())
            # A pytest suite's variant shares its process with the tests: the engine admits
            # only what the seed uses (`only_seed_names`) before the sandbox runs anything.
            refused = HONEST_SEED.check(source) if case.pytest_suite else None
            evaluation = refused or box.evaluate(source, suite, case.limits)
            died, slack = "", 3.0
        elapsed = time.monotonic() - started
        problems = [died] if died else []
        if elapsed > case.limits.wall_s + slack:
            problems.append(f"the evaluation took {elapsed:.1f} s")
        if evaluation is not None:
            if evaluation.status not in case.statuses:
                wanted = sorted(s.value for s in case.statuses)
                problems.append(f"status {evaluation.status.value}, wanted one of {wanted}")
            if evaluation.status is Status.OK or evaluation.passed:
                problems.append(f"counts as passing: {evaluation.passed} test(s) passed")
        problems += world.harm(evaluation)
        if case.name == "pth-persistence":
            problems += _later_interpreter_is_clean(world.mark)
    if not problems:
        return
    layers = evaluation.layers if evaluation is not None else mode_layers(mode)
    summary = "; ".join(problems)
    if case.needs and not any(layer_reported(need, layers) for need in case.needs):
        if excused(case.needs, mode):
            pytest.xfail(f"needs {' or '.join(case.needs)} (not in {layers}): {summary}")
        pytest.fail(
            f"{case.name} escaped: it needs {' or '.join(case.needs)}, required"
            f" (EVOLVE_REQUIRED_LAYERS) but not in force ({layers}): {summary}"
        )
    pytest.fail(f"{case.name} escaped under layers {layers}: {summary}")


def test_the_required_layers_are_in_force(mode_layers: Callable[[str], tuple[str, ...]]) -> None:
    """Every layer CI requires is one the fork mode has and is reported in force."""
    if not REQUIRED_LAYERS:
        pytest.skip("EVOLVE_REQUIRED_LAYERS is not set (.ci/run sets it)")
    unknown = sorted(REQUIRED_LAYERS - DESIGNED_LAYERS["fork"])
    assert not unknown, f"EVOLVE_REQUIRED_LAYERS names layers no mode has: {unknown}"
    layers = mode_layers("fork")
    missing = sorted(REQUIRED_LAYERS - set(layers))
    assert not missing, f"required layers not in force in the fork mode: {missing} ({layers})"


def _later_interpreter_is_clean(mark: str) -> list[str]:
    """A `.pth` file would run in every later interpreter of this installation."""
    probe = f"import sys; print('evolve_pth_{mark}' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout
    return [] if out.strip() == "False" else ["a .pth file ran in a later interpreter"]


def test_there_are_enough_hostile_cases() -> None:
    assert len(CASES) >= 30
    assert len({case.name for case in CASES}) == len(CASES)


# Honest work, then (in the forging version) the line counter, found through the trace
# function it installed, set back to zero: a speed-up task would accept the variant as
# cheaper than it is.
COSTLY = """
import sys


def f(i):
    total = 0
    for _ in range(300):
        total += 1
    counter = getattr(sys.gettrace(), "__self__", None)
    if FORGE and counter is not None:
        counter.count = 0
    return i * 2 + total - total
"""


@pytest.mark.parametrize("mode", support.MODES)
@pytest.mark.xfail(strict=True, reason="design: the line counter runs in the variant's process")
def test_the_cost_cannot_be_forged(mode: str, sandboxes: Callable[[str], Any]) -> None:
    from sandbox import Case, CaseSuite

    box = sandboxes(mode)
    suite = CaseSuite("f", tuple(Case(f"c{i}", (i,), expected=i * 2) for i in range(3)))
    honest = box.evaluate("FORGE = False\n" + COSTLY, suite, LIMITS, measure_cost=True)
    forged = box.evaluate("FORGE = True\n" + COSTLY, suite, LIMITS, measure_cost=True)
    assert honest.status is Status.OK and honest.cost is not None
    # The forger does all the honest work and more: it must not come out cheaper.
    assert forged.status is not Status.OK or (forged.cost or 0) >= honest.cost
