"""A task: the seed program, its test suites, limits and search settings, from `task.toml`.

Loading validates everything up front so a bad task fails with one line naming the file and
the key, before any search starts.
"""

from __future__ import annotations

import enum
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evolve.audit.verify_command import DEFAULT_TIMEOUT_S as DEFAULT_VERIFY_TIMEOUT_S
from evolve.audit.verify_command import check_command
from evolve.errors import UsageError
from evolve.pytest_layout import LayoutError, pytest_suite
from sandbox import (
    Case,
    CaseSuite,
    Limits,
    ProgramSource,
    PytestSuite,
    Suite,
    check_arguments,
    check_name,
)

TASK_FILE = "task.toml"

# Every key a task.toml may hold; anything else is a typo the user wants to hear about.
_KNOWN_KEYS: Mapping[str, frozenset[str]] = {
    "task": frozenset({"name", "description", "program", "entry", "goal"}),
    "tests": frozenset(
        {"cases", "holdout", "pytest", "holdout_pytest", "files", "pytest_args", "float_tolerance"}
    ),
    "limits": frozenset({"wall_s", "cpu_s", "memory_mb", "case_s"}),
    "search": frozenset(
        {"budget", "editable", "forbid", "confirm_runs", "only_seed_names", "allow"}
    ),
    "review": frozenset({"mode", "ask", "verify", "verify_timeout_s"}),
}

DEFAULT_BUDGET = 5000
_REQUIRED = object()  # marks a key with no default


class ReviewMode(enum.StrEnum):
    AUTO = "auto"  # accepted changes may be applied unless a reviewer rejected them
    MANUAL = "manual"  # nothing reaches the user's file until a reviewer approved it


class Goal(enum.StrEnum):
    REPAIR = "repair"  # make failing tests pass
    SPEEDUP = "speedup"  # keep every test passing, cut the cost


@dataclass(frozen=True)
class Task:
    name: str
    description: str
    directory: Path
    # The seed file; for a program of several files, the directory their names start from.
    program_path: Path
    entry: str | None  # the function case tests call
    goal: Goal
    suite: Suite  # search-time tests
    holdout: Suite | None  # never seen by the search; validates acceptance
    limits: Limits
    budget: int
    editable: tuple[str, ...] | None
    review: ReviewMode = ReviewMode.AUTO
    forbid: tuple[str, ...] = ()  # names, modules, calls a variant may not introduce
    # A variant may use no module, free name, attribute or dunder the seed does not (nor a
    # short list of safe ones, nor `allow`); default on for pytest suites.
    only_seed_names: bool = False
    allow: tuple[str, ...] = ()
    confirm_runs: int = 20  # timed runs each of parent and child that confirm a speed-up
    # A program of several files: their names relative to `program_path`, main module first.
    program_files: tuple[str, ...] = ()
    entry_module: str | None = None  # from `entry = "module:function"`
    # `[tests] cases`: where answers a person gives (`[review] ask`) are added as cases.
    cases_file: Path | None = None
    # `[review] ask`: when plausible repairs disagree, ask a person at a terminal.
    ask: bool = False
    # `[review] verify`: a command that must pass on a copy of the project holding the
    # result before `evolve apply` or `rollback` writes it; with its timeout.
    verify: str | None = None
    verify_timeout_s: float = DEFAULT_VERIFY_TIMEOUT_S

    @property
    def module_name(self) -> str:
        """The module case tests import to find `entry`: the seed's module (pytest suites
        `import` it by that name), or for several files the package or the first module."""
        if self.entry_module is not None:
            return self.entry_module
        if not self.program_files:
            return self.program_path.stem
        return module_of(self.program_files[0])

    @property
    def several_files(self) -> bool:
        return bool(self.program_files)


def module_of(name: str) -> str:
    """The module a program file defines: "shop/__init__.py" -> "shop", "a/b.py" -> "a.b"."""
    return name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _suite_size(suite: Suite | None) -> str:
    if isinstance(suite, CaseSuite):
        return str(len(suite.cases))
    if isinstance(suite, PytestSuite) and suite.tests:
        return f"{len(suite.tests)} pytest"
    return "pytest"


def find_task_file(path: Path) -> Path:
    """Accept a task directory or its task.toml."""
    candidate = path / TASK_FILE if path.is_dir() else path
    if not candidate.is_file():
        raise UsageError(f"{path}: no {TASK_FILE} found")
    return candidate


def load_task(path: Path) -> Task:
    toml_path = find_task_file(path)
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{toml_path}: malformed TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{toml_path}: cannot read: {exc}") from None
    return _TaskReader(toml_path, data).task()


class _TaskReader:
    """Reads one parsed task.toml; every error names the file and the key."""

    def __init__(self, toml_path: Path, data: dict[str, Any]) -> None:
        self.toml_path = toml_path
        self.directory = toml_path.parent
        self.data = data

    def fail(self, key: str, problem: str) -> UsageError:
        return UsageError(f"{self.toml_path}: {key}: {problem}")

    def task(self) -> Task:
        self._check_keys()
        section = self._section("task")
        goal_text = self._get(section, "task", "goal", str, "repair")
        try:
            goal = Goal(goal_text)
        except ValueError:
            choices = ", ".join(g.value for g in Goal)
            raise self.fail("[task] goal", f"must be one of {choices}, not {goal_text!r}") from None
        program_path, program_files = self._program(section)
        entry = self._get(section, "task", "entry", str, None) or None
        entry_module = None
        if entry is not None and ":" in entry:
            entry_module, _, entry = entry.partition(":")
            if not all(part.isidentifier() for part in [*entry_module.split("."), entry]):
                raise self.fail("[task] entry", 'must read "function" or "module:function"')
            if not program_files:
                raise self.fail("[task] entry", "a module is named only for several files")
        tests = self._section("tests")
        tolerance = float(self._get(tests, "tests", "float_tolerance", (int, float), 0.0))
        if tolerance < 0:
            raise self.fail("[tests] float_tolerance", "must not be negative")
        suite, holdout = self._suites(tests, entry, tolerance, (program_path, program_files))
        task = Task(
            name=self._get(section, "task", "name", str, self.directory.name),
            description=self._get(section, "task", "description", str, ""),
            directory=self.directory,
            program_path=program_path,
            entry=entry,
            goal=goal,
            suite=suite,
            holdout=holdout,
            limits=self._limits(),
            budget=self._budget(),
            editable=self._editable(),
            review=self._review_mode(),
            forbid=self._names("forbid"),
            only_seed_names=self._only_seed_names(suite),
            allow=self._names("allow"),
            confirm_runs=self._confirm_runs(),
            program_files=program_files,
            entry_module=entry_module,
            cases_file=self._cases_file(tests),
            ask=bool(self._get(self._section("review"), "review", "ask", bool, False)),
            verify=self._verify(),
            verify_timeout_s=self._verify_timeout(),
        )
        # A module name that would shadow one the sandbox's harness imports (a seed named
        # `calendar.py`), program files that would, a suite that clashes with the program:
        # refused here, in one line.
        program: ProgramSource = dict.fromkeys(program_files, "") if program_files else ""
        for key, checked in (("[tests] pytest", suite), ("[tests] holdout_pytest", holdout)):
            if checked is None:
                continue
            try:
                check_arguments(checked, task.module_name, program)
            except ValueError as exc:
                about_program = bool(program_files) or isinstance(checked, CaseSuite)
                raise self.fail("[task] program" if about_program else key, str(exc)) from None
        return task

    def _check_keys(self) -> None:
        for section, value in self.data.items():
            if section not in _KNOWN_KEYS:
                raise self.fail(f"[{section}]", "unknown section")
            if not isinstance(value, dict):
                raise self.fail(section, "must be a table")
            for key in value:
                if key not in _KNOWN_KEYS[section]:
                    raise self.fail(f"[{section}] {key}", "unknown key")
        if "task" not in self.data:
            raise self.fail("[task]", "missing section")

    def _section(self, name: str) -> dict[str, Any]:
        section: dict[str, Any] = self.data.get(name, {})
        return section

    def _get(
        self,
        section: dict[str, Any],
        section_name: str,
        key: str,
        kind: type | tuple[type, ...],
        default: Any,
    ) -> Any:
        if key not in section:
            if default is _REQUIRED:
                raise self.fail(f"[{section_name}] {key}", "missing")
            return default
        value = section[key]
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            raise self.fail(
                f"[{section_name}] {key}",
                f"must be {_toml_kinds(kind)}, not {_toml_kind(value)}: {_shown(value)}",
            )
        return value

    def _program(self, section: dict[str, Any]) -> tuple[Path, tuple[str, ...]]:
        """(seed file, ()) for one file; (directory, file names) for several: a list of
        files, a package directory (names start with the package's), or a directory of
        modules."""
        key = "[task] program"
        value = self._get(section, "task", "program", (str, list), _REQUIRED)
        if isinstance(value, list):
            if not value or not all(isinstance(item, str) for item in value):
                raise self.fail(key, "must be a file, a directory or a list of files")
            paths = [self._file(item, key) for item in value]
            root = Path(os.path.commonpath([path.parent for path in paths]))
            names = [path.relative_to(root).as_posix() for path in paths]
            if len(set(names)) != len(names):
                raise self.fail(key, "names a file twice")
            return root, self._checked(names, key)
        path = (self.directory / value).resolve()
        if path.is_file():
            return path, ()
        if not path.is_dir():
            raise self.fail(key, f"file not found: {value}")
        package = (path / "__init__.py").is_file()
        root = path.parent if package else path
        relative = (file.relative_to(root) for file in path.rglob("*.py"))
        found = sorted(
            name.as_posix()
            for name in relative
            if not any(part.startswith((".", "__pycache__")) for part in name.parts)
            and not _is_test_file(name)
        )
        if not found:
            raise self.fail(key, f"no Python files in {value}")
        if package:  # the package's own module first: it is the one imported by default
            init = f"{path.name}/__init__.py"
            found = [init, *(name for name in found if name != init)]
        return root, self._checked(found, key)

    def _checked(self, names: list[str], key: str) -> tuple[str, ...]:
        for name in names:
            try:
                check_name(name)
            except ValueError as exc:
                raise self.fail(key, str(exc)) from None
        return tuple(names)

    def _file(self, relative: str, key: str) -> Path:
        path = (self.directory / relative).resolve()
        if not path.is_file():
            raise self.fail(key, f"file not found: {relative}")
        return path

    def _suites(
        self,
        tests: dict[str, Any],
        entry: str | None,
        tolerance: float,
        program: tuple[Path, tuple[str, ...]],
    ) -> tuple[Suite, Suite | None]:
        cases = self._get(tests, "tests", "cases", str, None)
        pytest_targets = self._targets(tests, "pytest")
        if (cases is None) == (pytest_targets is None):
            raise self.fail("[tests]", "give exactly one of cases or pytest")
        suite: Suite
        if cases is not None:
            if entry is None:
                raise self.fail("[task] entry", "missing (case tests call it)")
            suite = self._case_suite(cases, "[tests] cases", entry, tolerance)
            for key in ("files", "pytest_args"):
                if key in tests:
                    raise self.fail(f"[tests] {key}", "only for pytest suites")
        else:
            assert pytest_targets is not None
            suite = self._pytest_suite(tests, "[tests] pytest", pytest_targets, program)
        holdout_file = self._get(tests, "tests", "holdout", str, None)
        holdout_targets = self._targets(tests, "holdout_pytest")
        if holdout_file is not None and holdout_targets is not None:
            raise self.fail("[tests]", "give at most one of holdout and holdout_pytest")
        holdout: Suite | None = None
        if holdout_file is not None:
            if entry is None:
                raise self.fail("[task] entry", "missing (holdout cases call it)")
            holdout = self._case_suite(holdout_file, "[tests] holdout", entry, tolerance)
        elif holdout_targets is not None:
            holdout = self._pytest_suite(tests, "[tests] holdout_pytest", holdout_targets, program)
        return suite, holdout

    def _cases_file(self, tests: dict[str, Any]) -> Path | None:
        relative = self._get(tests, "tests", "cases", str, None)
        return None if relative is None else self._file(relative, "[tests] cases")

    def _targets(self, tests: dict[str, Any], key: str) -> list[str] | None:
        value = self._get(tests, "tests", key, (str, list), None)
        if value is None:
            return None
        targets = [value] if isinstance(value, str) else value
        if not targets or not all(isinstance(t, str) and t for t in targets):
            raise self.fail(f"[tests] {key}", "must be a file, a directory or a list of them")
        return targets

    def _pytest_suite(
        self,
        tests: dict[str, Any],
        key: str,
        targets: list[str],
        program: tuple[Path, tuple[str, ...]],
    ) -> PytestSuite:
        data = self._get(tests, "tests", "files", list, [])
        args = self._get(tests, "tests", "pytest_args", list, [])
        for name, values in (("files", data), ("pytest_args", args)):
            if not all(isinstance(v, str) and v for v in values):
                raise self.fail(f"[tests] {name}", "must be a list of strings")
        root, names = program
        files = [root / name for name in names] if names else [root]
        try:
            return pytest_suite(self.directory, targets, data=data, args=args, program=files)
        except LayoutError as exc:
            raise self.fail(key, str(exc)) from None

    def _case_suite(self, relative: str, key: str, entry: str, tolerance: float) -> CaseSuite:
        path = self._file(relative, key)
        cases = read_cases(path)
        if not cases:
            raise self.fail(key, f"{relative} holds no cases")
        return CaseSuite(entry=entry, cases=cases, float_tolerance=tolerance)

    def _limits(self) -> Limits:
        section = self._section("limits")
        defaults = Limits()
        values = {}
        for key in ("wall_s", "cpu_s", "memory_mb", "case_s"):
            value = self._get(section, "limits", key, (int, float), getattr(defaults, key))
            if value is not None and value <= 0:
                raise self.fail(f"[limits] {key}", "must be positive")
            values[key] = value
        return Limits(
            wall_s=float(values["wall_s"]),
            cpu_s=float(values["cpu_s"]),
            memory_mb=int(values["memory_mb"]),
            case_s=None if values["case_s"] is None else float(values["case_s"]),
        )

    def _budget(self) -> int:
        budget = self._get(self._section("search"), "search", "budget", int, DEFAULT_BUDGET)
        if budget <= 0:
            raise self.fail("[search] budget", "must be positive")
        return int(budget)

    def _confirm_runs(self) -> int:
        runs = self._get(self._section("search"), "search", "confirm_runs", int, 20)
        if runs < 3:  # fewer cannot reach significance at p < 0.01 however clear the gain
            raise self.fail("[search] confirm_runs", "must be at least 3")
        return int(runs)

    def _review_mode(self) -> ReviewMode:
        text = self._get(self._section("review"), "review", "mode", str, ReviewMode.AUTO.value)
        try:
            return ReviewMode(text)
        except ValueError:
            choices = ", ".join(m.value for m in ReviewMode)
            raise self.fail("[review] mode", f"must be one of {choices}, not {text!r}") from None

    def _verify(self) -> str | None:
        command = self._get(self._section("review"), "review", "verify", str, None)
        if command is None:
            return None
        problem = check_command(command)
        if problem is not None:
            raise self.fail("[review] verify", problem)
        return str(command)

    def _verify_timeout(self) -> float:
        section = self._section("review")
        timeout = self._get(
            section, "review", "verify_timeout_s", (int, float), DEFAULT_VERIFY_TIMEOUT_S
        )
        if timeout <= 0:
            raise self.fail("[review] verify_timeout_s", "must be positive")
        if "verify" not in section and "verify_timeout_s" in section:
            raise self.fail("[review] verify_timeout_s", "only with [review] verify")
        return float(timeout)

    def _only_seed_names(self, suite: Suite) -> bool:
        default = isinstance(suite, PytestSuite)
        return bool(self._get(self._section("search"), "search", "only_seed_names", bool, default))

    def _names(self, key: str) -> tuple[str, ...]:
        names = self._get(self._section("search"), "search", key, list, [])
        # Dotted names (`os.system`) are allowed; anything else could never match code.
        if not all(
            isinstance(n, str) and all(p.isidentifier() for p in n.split(".")) for n in names
        ):
            raise self.fail(f"[search] {key}", 'must be a list of names such as "os" or "eval"')
        return tuple(names)

    def _editable(self) -> tuple[str, ...] | None:
        names = self._get(self._section("search"), "search", "editable", list, None)
        if names is None:
            return None
        if not names or not all(isinstance(n, str) and n for n in names):
            raise self.fail("[search] editable", "must be a non-empty list of function names")
        return tuple(names)


# How TOML names the Python types a task.toml value is read as.
_TOML_KINDS = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
               list: "an array", dict: "a table"}  # fmt: skip


def _toml_kinds(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if set(kinds) == {int, float}:
        return "a number"
    return " or ".join(_TOML_KINDS.get(k, k.__name__) for k in kinds)


def _toml_kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    return _TOML_KINDS.get(type(value), type(value).__name__)


def _shown(value: object) -> str:
    """A value as it would read in TOML, shortened: the user finds it in the file."""
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_TEST_DIRS = frozenset({"tests", "test", "testing"})


def _is_test_file(name: Path) -> bool:
    """A package's own tests are not part of the program: a pytest suite names them."""
    base = name.name
    return (
        any(part in _TEST_DIRS for part in name.parts[:-1])
        or base == "conftest.py"
        or (base.startswith("test_") or base.endswith("_test.py"))
    )


def read_cases(path: Path) -> tuple[Case, ...]:
    """Read a JSONL case file: one {"args": [...], "kwargs": {...}, "expected": ...} a line."""
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{where}: not valid JSON: {exc.msg}") from None
        if not isinstance(record, dict):
            raise UsageError(f"{where}: a case must be a JSON object")
        # "note": free text for people (who added the case, and why); the engine ignores it.
        unknown = set(record) - {"args", "kwargs", "expected", "name", "note"}
        if unknown:
            raise UsageError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        if "expected" not in record:
            raise UsageError(f"{where}: missing key 'expected'")
        args = record.get("args", [])
        kwargs = record.get("kwargs", {})
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise UsageError(f"{where}: args must be a list and kwargs an object")
        name = record.get("name", f"{path.stem}[{number}]")
        cases.append(
            Case(name=str(name), args=tuple(args), kwargs=kwargs, expected=record["expected"])
        )
    return tuple(cases)


def discover_tasks(root: Path) -> list[Path]:
    """Every task directory under root (root itself included), sorted by path. Symbolic
    links to directories are followed, each real directory visited once (a link back up
    the tree is not a loop); hidden directories and `__pycache__` are skipped."""
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for directory, subdirectories, files in os.walk(root, followlinks=True):
        try:
            info = os.stat(directory)
        except OSError:
            subdirectories.clear()
            continue
        if (info.st_dev, info.st_ino) in seen:
            subdirectories.clear()
            continue
        seen.add((info.st_dev, info.st_ino))
        subdirectories[:] = [
            name for name in subdirectories if not name.startswith(".") and name != "__pycache__"
        ]
        if TASK_FILE in files:
            found.append(Path(directory))
    return sorted(found)
