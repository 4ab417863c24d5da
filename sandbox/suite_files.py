"""The files of a pytest suite: named relative to the project root, checked, read, written.

A suite's files travel as bytes (data files need not be text) with a job or a request, and
are written into the working directory under the same relative names, so that test ids and
the paths tests open read as they do in the project.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable

from sandbox.evaluation import PytestSuite

SuiteFiles = tuple[tuple[str, bytes], ...]

_MAX_FILES = 10_000


def check_suite_name(name: str) -> None:
    """ValueError unless `name` is a relative POSIX path below the working directory."""
    parts = name.split("/")
    if (
        not name
        or "\\" in name
        or "\0" in name
        or name.startswith("/")
        or posixpath.normpath(name) != name
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise ValueError(f"suite file name {name!r} is not a relative path below the project")


def read_suite_files(suite: PytestSuite) -> SuiteFiles:
    """Every file of the suite, by relative name, as bytes; OSError if one cannot be read."""
    if len(suite.files) > _MAX_FILES:
        raise ValueError(f"a suite may have at most {_MAX_FILES} files, not {len(suite.files)}")
    found = []
    for name in suite.files:
        check_suite_name(name)
        found.append((name, (suite.directory / name).read_bytes()))
    return tuple(found)


def write_suite_files(directory: str, files: Iterable[tuple[str, bytes]]) -> None:
    """Write checked files below `directory` ("x": a name given twice, or a link planted
    under it, is an error, not an overwrite)."""
    for name, data in files:
        check_suite_name(name)
        path = os.path.join(directory, *name.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "xb") as handle:
            handle.write(data)


def python_sources(files: Iterable[str]) -> list[str]:
    """The suite's Python files: the harness compiles them and hides their text."""
    return [name for name in files if name.endswith(".py")]
