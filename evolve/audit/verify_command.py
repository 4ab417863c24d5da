"""`[review] verify`: a command that must pass on the written result before `evolve apply`
or `evolve rollback` writes the user's file.

The version about to be written goes into a temporary copy of the project (the nearest
directory above the target that holds `pyproject.toml`, `setup.cfg`, `setup.py` or `.git`;
the target's own directory if none does); the command runs there, with that copy as its
working directory, under a timeout, its output captured. Only if it exits 0 is the real file
written. The outcome goes to the run's event log either way (`verify_command`), so a refusal
can be read afterwards with the command's output.

The command is split like a shell command line and run without a shell: nothing in it is
expanded by one (write `sh -c '...'` to have a shell).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evolve.errors import UsageError
from evolve.store.database import DATABASE
from evolve.store.events import EVENTS_FILE, EventLog

DEFAULT_TIMEOUT_S = 600.0
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
# Not copied: version control, caches, earlier backups, run directories. Virtual environments
# are linked, not copied (large, and a command may name their interpreter by a path inside
# the project).
_SKIPPED = (
    ".git",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "*.evolve-backup-*",
)
_LINKED = frozenset({".venv", "venv", ".tox", ".nox"})
_OUTPUT_KEPT = 4000  # characters of the command's output kept in the event log (its end)


@dataclass(frozen=True)
class VerifyCommand:
    command: str
    timeout_s: float = DEFAULT_TIMEOUT_S

    @property
    def argv(self) -> list[str]:
        return shlex.split(self.command)


def run_verify_command(config: Mapping[str, Any]) -> VerifyCommand | None:
    """The command a run's configuration fixed when it started (None: there is none)."""
    command = config.get("review_verify")
    if not command:
        return None
    timeout = config.get("review_verify_timeout_s") or DEFAULT_TIMEOUT_S
    return VerifyCommand(str(command), float(timeout))


def check_command(command: str) -> str | None:
    """Why `command` cannot be a verify command (None: it can): read at task load."""
    if not command.strip():
        return "must not be empty"
    try:
        argv = shlex.split(command)
    except ValueError as exc:  # an unclosed quote
        return f"cannot be split into words: {exc}"
    return None if argv else "must name a program"


@dataclass(frozen=True)
class Outcome:
    command: str
    project: Path  # the project copied (the real one, not the copy)
    passed: bool
    exit_status: int | None  # None: it timed out or could not start
    timed_out: bool
    duration_s: float
    output: str  # the end of stdout and stderr, interleaved as written

    def describe(self) -> str:
        if self.timed_out:
            return f"timed out after {self.duration_s:.0f} s"
        if self.exit_status is None:
            return f"could not start ({self.output.strip()})"
        return f"exit status {self.exit_status}"

    def to_event(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "project": str(self.project),
            "passed": self.passed,
            "exit_status": self.exit_status,
            "timed_out": self.timed_out,
            "duration_s": round(self.duration_s, 3),
            "output": self.output,
        }


def project_root(directory: Path) -> Path:
    """The project a directory (the target's, or a program directory) belongs to."""
    start = directory.resolve()
    for directory in (start, *start.parents):
        if any((directory / marker).exists() for marker in PROJECT_MARKERS):
            return directory
    while not start.is_dir():  # a target in a directory apply would create
        start = start.parent
    return start


def verified(
    verify: VerifyCommand,
    start: Path,
    files: Mapping[Path, str],
    *,
    run_dir: Path,
    verb: str,
    number: int,
) -> Outcome:
    """Run `verify` on a copy of the project of directory `start` holding `files` (paths
    below that project, each with its new text); record the outcome in the run's events.
    Raises UsageError (one line, nothing written) when it does not pass."""
    project = project_root(start)
    outcome = run_in_copy(verify, project, files)
    events = EventLog(run_dir / EVENTS_FILE)
    try:
        events.emit(
            "verify_command",
            verb=verb,
            number=number,
            files=sorted(map(str, files)),
            **outcome.to_event(),
        )
    finally:
        events.close()
    if not outcome.passed:
        raise UsageError(
            f"verify command `{verify.command}` {outcome.describe()} on a copy of {project}"
            f" with the result written; nothing written (output in {run_dir / EVENTS_FILE})"
        )
    return outcome


def run_in_copy(verify: VerifyCommand, project: Path, files: Mapping[Path, str]) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="evolve-verify-") as scratch:
        copy = Path(scratch) / (project.name or "project")
        _copy_project(project, copy)
        for path, text in files.items():
            relative = path.resolve().relative_to(project)
            destination = copy / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            if destination.is_symlink():  # never write through a link into the real project
                destination.unlink()
            destination.write_text(text, encoding="utf-8")
        return _run(verify, project, copy)


def _copy_project(project: Path, copy: Path) -> None:
    patterns = shutil.ignore_patterns(*_SKIPPED, *_LINKED)

    def ignore(directory: str, names: list[str]) -> set[str]:
        # Run directories (`./runs/*` by default) are records, not the project.
        runs = {n for n in names if (Path(directory, n) / DATABASE).is_file()}
        return set(patterns(directory, names)) | runs

    shutil.copytree(project, copy, symlinks=True, ignore=ignore)
    for name in _LINKED:
        if (project / name).is_dir():
            (copy / name).symlink_to(project / name, target_is_directory=True)


def _run(verify: VerifyCommand, project: Path, copy: Path) -> Outcome:
    started = time.monotonic()

    def outcome(exit_status: int | None, timed_out: bool, output: str) -> Outcome:
        passed = exit_status == 0 and not timed_out
        elapsed = time.monotonic() - started
        tail = output[-_OUTPUT_KEPT:]
        return Outcome(verify.command, project, passed, exit_status, timed_out, elapsed, tail)

    try:
        process = subprocess.Popen(
            verify.argv,
            cwd=copy,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Its own process group, so a timeout ends whatever it started too.
            start_new_session=True,
        )
    except OSError as exc:  # no such program, not executable
        return outcome(None, False, str(exc))
    try:
        output, _ = process.communicate(timeout=verify.timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        output, _ = process.communicate()
        return outcome(None, True, output.decode("utf-8", "replace"))
    except BaseException:
        _kill_group(process.pid)
        process.wait()
        raise
    _kill_group(process.pid)  # anything it left running in the background
    return outcome(process.returncode, False, output.decode("utf-8", "replace"))


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
