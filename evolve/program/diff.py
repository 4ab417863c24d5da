"""Unified diffs between two versions of a program, and the bundle text of a program of
several files. Plain text and JSON only (no libcst): the verbs that read a run use these."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from pathlib import Path


def unified_diff(before: str, after: str, path: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    # A last line without a newline would glue onto the next header: mark it as diff does.
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def pack_files(files: Mapping[str, str]) -> str:
    """The bundle text of a program of several files: canonical, so equal programs hash equal."""
    return json.dumps(dict(files), ensure_ascii=False, indent=1)


def unpack_files(text: str) -> dict[str, str]:
    """The files of a bundle; ValueError if `text` is not one."""
    files = json.loads(text)
    if not isinstance(files, dict) or not all(
        isinstance(name, str) and isinstance(source, str) for name, source in files.items()
    ):
        raise ValueError("not a bundle of program files")
    return files


def program_diff(before: str, after: str, *, path: str, several: bool) -> str:
    """The unified diff between two texts of a program: one file's diff, or for several
    files one diff per changed file, each named by its path relative to `path`."""
    if not several:
        return unified_diff(before, after, Path(path).name)
    old, new = unpack_files(before), unpack_files(after)
    names = dict.fromkeys([*old, *new])
    return "".join(unified_diff(old.get(name, ""), new.get(name, ""), name) for name in names)
