"""Finding and opening runs from the command line: a run id or directory to a checked store.

Every verb that reads a run goes through here, so that a directory that only looks like a run
(an empty `run.sqlite`, a database of something else, a record whose configuration was
damaged) is refused in one line, exit status 2, before anything reads further, and so that
reading never writes: `read_run` opens the database read-only (see `RunStore.read`).
Verbs that write (review, resume) check the run read-only first and only then open it for
writing (`open_run`).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from evolve.errors import RunStateError, UsageError
from evolve.store.database import DATABASE, RunStore

# The files of a run directory besides the database (see `evolve.run`).
SEED_FILE = "seed.py"
CHAMPION_FILE = "champion.py"
STOP_FILE = "STOP"
LOCK_FILE = "run.lock"

# The configuration keys a run records, with the JSON types they must have. Every run this
# engine starts records the required ones in its first write; a run without them is not a
# run (an empty database, or one whose record was damaged).
REQUIRED_KEYS: Mapping[str, type | tuple[type, ...]] = {
    "seed_hash": str,
    "program": str,
    "task_dir": str,
    "goal": str,
}
OPTIONAL_KEYS: Mapping[str, type | tuple[type, ...]] = {
    "engine_version": str,
    "task_name": str,
    "program_files": list,
    "editable": (list, type(None)),
    "review_mode": str,
    "seed": int,
    "budget": int,
    "sandbox": str,
    "executor": str,
    "settings": dict,
    "hide_holdout": bool,
    "started_at": (int, float),
    "finished_at": (int, float),
    "summary": dict,
    "champion_hash": str,
}
GOALS = ("repair", "speedup")
REVIEW_MODES = ("auto", "manual")


def check_runs_dir(runs_dir: Path) -> Path:
    """`--runs-dir` names a directory, or nothing yet (a run creates it)."""
    if runs_dir.exists() and not runs_dir.is_dir():
        raise UsageError(f"--runs-dir {runs_dir}: not a directory")
    return runs_dir


def resolve_run(reference: str, runs_dir: Path) -> Path:
    """A run is named by its directory or by its id under the runs directory."""
    check_runs_dir(runs_dir)
    for candidate in (Path(reference), runs_dir / reference):
        try:
            if (candidate / DATABASE).is_file():
                return candidate
        except (OSError, ValueError):  # a name too long, or holding a NUL byte
            continue
    raise UsageError(f"{reference}: no such run (looked for {DATABASE} there and in {runs_dir})")


def check_config(config: Mapping[str, Any], path: Path) -> None:
    """RunStateError unless the recorded configuration is a run's, with every known key of
    the type this engine reads it as."""
    missing = [key for key in REQUIRED_KEYS if key not in config]
    if missing:
        raise RunStateError(f"{path}: not a run: its configuration has no {missing[0]}")
    for key, kind in {**REQUIRED_KEYS, **OPTIONAL_KEYS}.items():
        if key not in config:
            continue
        value = config[key]
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            raise RunStateError(
                f"{path}: configuration {key} is {type(value).__name__}, not {_names(kind)}"
            )
    if config["goal"] not in GOALS:
        raise RunStateError(f"{path}: configuration goal {config['goal']!r} is unknown")
    if config.get("review_mode", "auto") not in REVIEW_MODES:
        raise RunStateError(f"{path}: review mode {config['review_mode']!r} is unknown")
    names = config.get("program_files", [])
    if not all(isinstance(name, str) for name in names):
        raise RunStateError(f"{path}: configuration program_files is not a list of names")


def _names(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join("null" if k is type(None) else k.__name__ for k in kinds)


@contextmanager
def read_run(run_dir: Path) -> Iterator[RunStore]:
    """The run's store opened read-only and checked to be a run's. A record that cannot be
    decoded while it is read (a damaged page, a value that is not the JSON it should be)
    ends in RunStateError naming the database, not in a traceback."""
    store = RunStore.read(run_dir)
    try:
        with _decoding(store.path):
            check_config(store.config(), store.path)
            yield store
    finally:
        store.close()


@contextmanager
def open_run(run_dir: Path) -> Iterator[RunStore]:
    """The run's store for writing, after `read_run` found it a run: a directory that is not
    one is refused before anything in it is created or changed."""
    with read_run(run_dir):
        pass
    try:
        store = RunStore.open(run_dir)
    except sqlite3.OperationalError as exc:
        raise RunStateError(f"{run_dir / DATABASE}: cannot be opened for writing ({exc})") from None
    try:
        with _decoding(store.path):
            yield store
    finally:
        store.close()


@contextmanager
def _decoding(path: Path) -> Iterator[None]:
    """Turn what a damaged record raises while it is read into one RunStateError: a page
    SQLite cannot read, a value that is not the JSON it should be, a field of the wrong
    shape (a list where a number was written). The verbs' own refusals pass through."""
    try:
        yield
    except (UsageError, RunStateError):
        raise
    except sqlite3.DatabaseError as exc:
        raise RunStateError(f"{path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise RunStateError(f"{path}: holds a value that is not valid JSON ({exc})") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise RunStateError(
            f"{path}: holds a record this engine cannot read ({type(exc).__name__}: {exc})"
        ) from None


def is_running(run_dir: Path) -> bool:
    """Whether a process holds the run's lock (`evolve.run.lock_run`), found without
    creating or changing anything: the lock file is opened read-only and the lock, if it
    can be had, released at once."""
    try:
        fd = os.open(run_dir / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return False  # no lock file: no process ever worked on it, or it was removed
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock taken here
    return False
