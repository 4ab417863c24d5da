"""Programs of several files: a package, or modules that import each other.

A variant is either one source (a module) or a mapping of relative POSIX paths to sources,
written into the working directory before the variant is imported. Names are checked before
anything is written, so a name cannot place a file outside the working directory.

Lines are numbered across the files as if they were joined in the mapping's order, so a line
count or a coverage map stays one flat table of integers whatever the number of files.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping

ProgramSource = str | Mapping[str, str]

_MAX_FILES = 1000


def check_files(files: Mapping[str, str], module_name: str) -> None:
    """ValueError unless every name is a safe relative `.py` path and `module_name` is one of
    the files (a module, or a package's `__init__.py`)."""
    if not files:
        raise ValueError("a program needs at least one file")
    if len(files) > _MAX_FILES:
        raise ValueError(f"a program may have at most {_MAX_FILES} files, not {len(files)}")
    for name in files:
        check_name(name)
    module_path = module_name.replace(".", "/")
    if f"{module_path}.py" not in files and f"{module_path}/__init__.py" not in files:
        raise ValueError(f"module_name {module_name!r} is not one of the program's files")


def check_name(name: str) -> None:
    """ValueError unless `name` is a relative path of a `.py` file below the working directory."""
    parts = name.split("/")
    if (
        not name.endswith(".py")
        or "\\" in name
        or "\0" in name
        or name.startswith("/")
        or posixpath.normpath(name) != name
        or any(part in ("", ".", "..") or part.startswith(".") for part in parts)
        or not all(part.isidentifier() for part in [*parts[:-1], parts[-1][:-3]])
    ):
        raise ValueError(f"program file name {name!r} is not a relative path to a module")


def line_offsets(files: Mapping[str, str]) -> list[tuple[str, int]]:
    """(name, number of lines in the files before it), in the mapping's order."""
    offsets, total = [], 0
    for name, text in files.items():
        offsets.append((name, total))
        total += len(text.splitlines())
    return offsets


def compile_files(files: Mapping[str, str]) -> None:
    """Raise SyntaxError (or ValueError for a NUL byte) for the first file that does not
    compile, so a broken variant is judged without starting a process."""
    for name, text in files.items():
        compile(text, name, "exec", dont_inherit=True)


def write_files(directory: str, files: Mapping[str, str]) -> None:
    """Write checked `files` below `directory`; every name must have passed `check_name`."""
    for name, text in files.items():
        check_name(name)
        path = os.path.join(directory, *name.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # "x": a name given twice, or a link planted under it, is an error, not an overwrite.
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
