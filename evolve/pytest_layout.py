"""A project's tests as it keeps them: the pytest suite a task's `[tests] pytest` names.

`pytest` names a test file, a directory of tests or a list of both, relative to the task's
directory (the project root). The suite takes along what pytest would read there: every
Python file under a named directory, the `conftest.py` and `__init__.py` files beside and
above each target up to the project root, the first pytest configuration found on the way
up (`pytest.ini`, `pyproject.toml` with `[tool.pytest.ini_options]`, `tox.ini` with
`[pytest]`, `setup.cfg` with `[tool:pytest]`), and the data files `[tests] files` globs name.
The program's own files are never part of the suite: the sandbox writes the variant's.
"""

from __future__ import annotations

import configparser
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

from sandbox import PytestSuite

# The first of these found in a directory is its configuration, in pytest's own order.
CONFIG_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
# Options a suite may pass to pytest: selection and warnings. Everything that decides where
# pytest looks, what it loads or where it writes is the harness's.
ALLOWED_ARGS = {
    "-k": True,  # True: takes a value
    "-m": True,
    "--deselect": True,
    "-W": True,
    "--pythonwarnings": True,
    "-o": True,
    "--override-ini": True,
    "-p": True,
    "--strict-markers": False,
    "-x": False,
}
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "venv", "build", "dist", "runs"})


class LayoutError(ValueError):
    """The tests, as named, cannot make a suite; the message says why in one line."""


def pytest_suite(
    project: Path,
    targets: Sequence[str],
    *,
    data: Sequence[str] = (),
    args: Sequence[str] = (),
    program: Iterable[Path] = (),
) -> PytestSuite:
    """The suite for `targets` (paths relative to `project`), with `data` globs and pytest
    `args`; `program` are the program's files, left out of the suite."""
    project = project.resolve()
    excluded = {path.resolve() for path in program}
    names: dict[str, None] = {}
    relative_targets = []
    for target in targets:
        path = _inside(project, target)
        if not path.exists():
            raise LayoutError(f"not found: {target}")
        if path == project:
            raise LayoutError("name the tests' directory or files, not the project root")
        relative_targets.append(_relative(project, path))
        if path.is_dir():
            for found in sorted(path.rglob("*.py")):
                if _kept(project, found) and found.resolve() not in excluded:
                    names[_relative(project, found)] = None
            start = path
        else:
            if path.resolve() in excluded:
                raise LayoutError(f"{target} is a file of the program, not a test")
            names[_relative(project, path)] = None
            start = path.parent
        for directory in _upwards(project, start):
            for helper in ("conftest.py", "__init__.py"):
                candidate = directory / helper
                if candidate.is_file() and candidate.resolve() not in excluded:
                    names[_relative(project, candidate)] = None
    config = find_config(project, [_inside(project, t) for t in targets])
    if config is not None:
        names[config] = None
    for pattern in data:
        matched = sorted(p for p in project.glob(pattern) if p.is_file())
        if not matched:
            raise LayoutError(f"files: {pattern!r} matches no file")
        for found in matched:
            if found.resolve() in excluded:
                raise LayoutError(f"files: {pattern!r} names a file of the program")
            names[_relative(project, _inside(project, _relative(project, found)))] = None
    check_args(args)
    return PytestSuite(
        root=project,
        files=tuple(names),
        targets=tuple(dict.fromkeys(relative_targets)),
        args=tuple(args),
        config=config,
    )


def find_config(project: Path, targets: Sequence[Path]) -> str | None:
    """The relative name of the first pytest configuration on the way up from the targets'
    common directory to the project root, or None (the harness then writes an empty one)."""
    starts = [t if t.is_dir() else t.parent for t in targets]
    common = Path(*_common_parts([s.parts for s in starts])) if starts else project
    for directory in _upwards(project, common):
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file() and _configures_pytest(candidate):
                return _relative(project, candidate)
    return None


def _configures_pytest(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LayoutError(f"{path.name}: cannot read: {exc}") from None
    if path.name in ("pytest.ini", ".pytest.ini"):
        return True
    if path.name == "pyproject.toml":
        try:
            tool = tomllib.loads(text).get("tool", {})
        except tomllib.TOMLDecodeError as exc:
            raise LayoutError(f"{path.name}: malformed TOML: {exc}") from None
        return isinstance(tool, dict) and "pytest" in tool
    section = "tool:pytest" if path.name == "setup.cfg" else "pytest"
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise LayoutError(f"{path.name}: malformed: {exc}") from None
    return parser.has_section(section)


def check_args(args: Sequence[str]) -> None:
    """LayoutError unless every argument is an allowed option (with its value)."""
    index = 0
    while index < len(args):
        arg = args[index]
        option, has_value, _ = arg.partition("=")
        if option not in ALLOWED_ARGS:
            allowed = ", ".join(sorted(ALLOWED_ARGS))
            raise LayoutError(f"pytest_args: {arg!r} is not allowed (only {allowed})")
        if ALLOWED_ARGS[option] and not has_value:
            index += 1
            if index >= len(args):
                raise LayoutError(f"pytest_args: {arg!r} needs a value")
        if option == "-p" and args[index].startswith("no:"):
            raise LayoutError("pytest_args: -p no:... would change what the harness relies on")
        index += 1


def _inside(project: Path, relative: str) -> Path:
    path = (project / relative).resolve()
    if path != project and project not in path.parents:
        raise LayoutError(f"{relative} is outside the project directory {project}")
    return path


def _relative(project: Path, path: Path) -> str:
    return path.resolve().relative_to(project).as_posix() or "."


def _kept(project: Path, path: Path) -> bool:
    parts = path.resolve().relative_to(project).parts
    return not any(part.startswith(".") or part in _SKIPPED_DIRS for part in parts[:-1])


def _upwards(project: Path, start: Path) -> list[Path]:
    """`start` and its parents up to and including `project`."""
    start = start.resolve()
    chain = [start]
    while chain[-1] != project and project in chain[-1].parents:
        chain.append(chain[-1].parent)
    return chain


def _common_parts(parts: list[tuple[str, ...]]) -> tuple[str, ...]:
    common = parts[0]
    for other in parts[1:]:
        length = 0
        while length < min(len(common), len(other)) and common[length] == other[length]:
            length += 1
        common = common[:length]
    return common
