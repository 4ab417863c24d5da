"""`evolve init`: a task folder from a module, a function and what is known of its behaviour.

Cases come from three places, and every output is recorded by running the function in the
sandbox, never in this process:
- calls the user writes (`--call 'f(1, [2, 3])'`), each run and its output recorded;
- the calls the project's tests make (`--cases-from-tests tests/`): the tests run under
  pytest in the sandbox with the function wrapped, and every top-level call whose arguments
  and result are JSON is kept; each is then run again alone, as a case runs, to record its
  output. Where a test states the answer literally (`assert f(2) == 4`,
  `self.assertEqual(f(2), 4)`), that answer is the case's expected value instead: for a
  repair the tests, not today's code, say what is right;
- or no cases at all: the task runs a pytest file (`--pytest test_f.py`).

With none of these given, `tests/` or `test/` is looked for in the current directory, as
mutmut looks for its tests. The folder is written only once everything checked out: the
task loads (`evolve.task.load_task`) from a temporary folder renamed into place.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evolve.errors import UsageError
from evolve.evaluation.jobs import LazySandbox
from evolve.program.program import Program
from evolve.task import TASK_FILE, load_task
from sandbox import Case, CaseSuite, Evaluation, Limits, ProgramSource, check_name

CASES_FILE = "cases.jsonl"
TRACE_MODULE = "evolve_trace"  # the module that runs the tests in the sandbox
MAX_CASES = 200  # a task with more cases is slower to evolve, not better specified
MAX_CALL_JSON = 10_000  # characters of one traced call's arguments and result
# Recording outputs or tracing tests is one evaluation, with room for a slow test suite. The
# program may be the one to repair, and it may hang: each call stops at CALL_S and each test
# at TEST_S, far inside the evaluation's own limits, so the calls and tests that do finish
# are still recorded.
CALL_S = 2.0
TEST_S = 5.0
RECORD_LIMITS = Limits(wall_s=60.0, cpu_s=30.0, memory_mb=512, case_s=CALL_S)
TRACE_LIMITS = Limits(wall_s=120.0, cpu_s=60.0, memory_mb=1024, case_s=60.0)
TEST_DIRS = ("tests", "test")


@dataclass(frozen=True)
class Call:
    """A call of the function: JSON arguments, and the expected value when a test states it."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    origin: str  # where it came from: "--call", or a test file
    expected: Any = None
    asserted: bool = False  # `expected` is what a test asserts
    # The test asserts only truth (`assert f(x)`, `assert not f(x)`): `expected` is True or
    # False, to hold when the function answers with a bool.
    truth: bool = False

    @property
    def key(self) -> str:
        return json.dumps([list(self.args), self.kwargs], sort_keys=True)

    def text(self, function: str) -> str:
        parts = [json.dumps(a) for a in self.args]
        parts += [f"{k}={json.dumps(v)}" for k, v in self.kwargs.items()]
        shown = f"{function}({', '.join(parts)})"
        return shown if len(shown) <= 60 else shown[:57] + "..."


@dataclass
class Scaffold:
    """What `evolve init` wrote, and what it left out with the reason."""

    task_dir: Path
    files: list[Path]
    goal: str
    function: str | None
    cases: int = 0
    asserted: int = 0  # cases whose expected value a test states
    recorded: int = 0  # cases whose expected value is today's output
    skipped: list[dict[str, str]] = field(default_factory=list)
    failing: int = 0  # cases the seed fails today (asserted values it does not give)
    next_steps: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "task_dir": str(self.task_dir),
            "files": [str(f) for f in self.files],
            "goal": self.goal,
            "function": self.function,
            "cases": self.cases,
            "asserted": self.asserted,
            "recorded": self.recorded,
            "failing": self.failing,
            "skipped": self.skipped,
            "next": self.next_steps,
        }


# the target ----------------------------------------------------------------------------------


def parse_target(target: str) -> tuple[Path, str | None]:
    """FILE or FILE:FUNCTION."""
    file, sep, function = target.rpartition(":")
    if not sep or "/" in function or function.endswith(".py"):
        file, function = target, ""
    path = Path(file)
    if path.suffix != ".py":
        raise UsageError(f"{target}: name a Python file, as path/to/module.py:function")
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    if function and not function.isidentifier():
        raise UsageError(f"{target}: {function!r} is not a function name")
    if not path.stem.isidentifier():
        raise UsageError(f"{path}: {path.stem!r} cannot be imported as a module name")
    return path, function or None


def read_module(path: Path, function: str | None) -> Program:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    program = Program.parse(text, path=str(path))  # ProgramError: Python's own message
    if function is not None and function not in program.functions:
        defined = ", ".join(name for name in program.functions if "." not in name) or "none"
        raise UsageError(f"{path}: no function {function!r} (top-level functions: {defined})")
    if function is not None and "." in function:
        raise UsageError(f"{path}: {function!r} is a method; cases call a top-level function")
    return program


# calls ---------------------------------------------------------------------------------------


def parse_call(expression: str, function: str) -> Call:
    """`f(1, [2, 3], key="x")`: a call of `function` with literal JSON arguments."""
    where = f"--call {expression!r}"
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as exc:
        raise UsageError(f"{where}: not a Python expression ({exc.msg})") from None
    if not isinstance(node, ast.Call):
        raise UsageError(f"{where}: write a call, as {function}(1, 2)")
    name = _callee(node)
    if name != function:
        raise UsageError(f"{where}: calls {name or 'something'}, not {function}")
    call = _literal_call(node, "--call")
    if call is None:
        raise UsageError(
            f"{where}: arguments must be literals JSON can hold (numbers, strings, lists,"
            " dicts with string keys, True, False, None)"
        )
    return call


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _literal_call(node: ast.Call, origin: str) -> Call | None:
    """The call's arguments as JSON values, or None if one is not a JSON literal."""
    try:
        args = tuple(_json_literal(arg) for arg in node.args)
        kwargs = {}
        for keyword in node.keywords:
            if keyword.arg is None:  # **mapping
                return None
            kwargs[keyword.arg] = _json_literal(keyword.value)
    except ValueError:
        return None
    return Call(args, kwargs, origin)


def _json_literal(node: ast.expr) -> Any:
    """A literal's value if JSON holds it as it is (tuples become lists, as cases read them);
    ValueError otherwise."""
    if isinstance(node, ast.Starred):
        raise ValueError("*args")
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ValueError("not a literal") from None
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        raise ValueError("not JSON") from None


# calls the tests make ------------------------------------------------------------------------


def test_files(directory: Path) -> list[Path]:
    """The test modules under `directory` (or the file itself), as pytest finds them, with
    the conftest.py files they need; in path order."""
    if directory.is_file():
        return [directory]
    found = [
        path
        for path in directory.rglob("*.py")
        if not any(part.startswith(".") or part == "__pycache__" for part in path.parts)
        and (
            path.name.startswith("test_")
            or path.name.endswith("_test.py")
            or path.name in ("conftest.py", "__init__.py")
        )
    ]
    return sorted(found)


def asserted_calls(files: Sequence[Path], function: str) -> list[Call]:
    """Calls of `function` with literal arguments whose answer a test states literally:
    `assert f(2) == 4` (either side), `assert f(2) is None`, `self.assertEqual(f(2), 4)`; or
    its truth: `assert f(2)`, `assert not f(2)`, `self.assertTrue(f(2))` (`Call.truth`)."""
    calls = []
    for path in files:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            stated = [(call, answer, False) for call, answer in _stated_answers(node, function)]
            stated += [(call, truth, True) for call, truth in _stated_truths(node, function)]
            for call, answer, truth in stated:
                literal = _literal_call(call, str(path))
                if literal is None:
                    continue
                try:
                    expected = _json_literal(answer)
                except ValueError:
                    continue
                calls.append(Call(literal.args, literal.kwargs, str(path), expected, True, truth))
    return calls


def _stated_truths(node: ast.AST, function: str) -> Iterator[tuple[ast.Call, ast.expr]]:
    """`assert f(x)` and `self.assertTrue(f(x))`: True; `assert not f(x)` and
    `self.assertFalse(f(x))`: False."""
    tested: ast.expr | None = None
    truth = True
    if isinstance(node, ast.Assert):
        tested = node.test
        if isinstance(tested, ast.UnaryOp) and isinstance(tested.op, ast.Not):
            tested, truth = tested.operand, False
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("assertTrue", "assertFalse")
        and node.args
    ):
        tested, truth = node.args[0], node.func.attr == "assertTrue"
    if isinstance(tested, ast.Call) and _callee(tested) == function:
        yield tested, ast.Constant(truth)


def _stated_answers(node: ast.AST, function: str) -> Iterator[tuple[ast.Call, ast.expr]]:
    pairs: list[tuple[ast.expr, ast.expr]] = []
    if (
        isinstance(node, ast.Assert)
        and isinstance(node.test, ast.Compare)
        and len(node.test.ops) == 1
        and isinstance(node.test.ops[0], ast.Eq | ast.Is)
    ):
        pairs.append((node.test.left, node.test.comparators[0]))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("assertEqual", "assertEquals", "assertIs")
        and len(node.args) >= 2
    ):
        pairs.append((node.args[0], node.args[1]))
    for left, right in pairs:
        for call, answer in ((left, right), (right, left)):
            if isinstance(call, ast.Call) and _callee(call) == function:
                yield call, answer


def trace_tests(
    module: Path, source: str, function: str, tests: Path, sandbox: LazySandbox
) -> tuple[list[Call], str]:
    """Run the tests under pytest in the sandbox with `function` wrapped; the distinct
    top-level calls it saw (JSON arguments only), and a note when the trace failed."""
    files = {module.name: source}
    root = tests.parent
    for path in test_files(tests):
        name = path.relative_to(root).as_posix()
        try:
            check_name(name)
        except ValueError:
            continue  # a file the sandbox cannot hold under that name (not an identifier)
        if name in files:
            continue
        try:
            files[name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    target = tests.relative_to(root).as_posix() if tests.is_file() else tests.name
    files[f"{TRACE_MODULE}.py"] = _TRACER.format(
        module=module.stem, function=function, target=target, limit=MAX_CASES,
        size=MAX_CALL_JSON, test_s=TEST_S,
    )  # fmt: skip
    suite = CaseSuite(entry="trace", cases=(Case(name="trace"),), keep_outputs=True)
    evaluation = _evaluate(sandbox, module, files, suite, TRACE_LIMITS, TRACE_MODULE)
    output = evaluation.outputs[0] if evaluation.outputs else None
    if output is None:
        return [], f"the tests could not be traced: {_why(evaluation)}"
    data = json.loads(output)
    calls = [Call(tuple(args), dict(kwargs), str(tests)) for args, kwargs in data["calls"]]
    note = "" if calls else f"the tests made no call of {function} with JSON arguments"
    return calls, note


# Runs in the sandbox, as the module the case suite calls. pytest collects the tests after
# `function` is replaced in its module, so `from module import function` in a test finds
# the wrapper; calls the function makes of itself go through it too and are not kept. A
# test that runs past {test_s} s is stopped and fails, so one hanging test costs that, not
# the whole trace.
_TRACER = """\
import functools
import json
import os
import signal
import sys


class TestTimeLimit(Exception):
    pass


class TimeLimit:
    def pytest_runtest_call(self, item):
        def stop(signum, frame):
            raise TestTimeLimit("stopped after {test_s} s")

        signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, {test_s})

    def pytest_runtest_teardown(self, item):
        signal.setitimer(signal.ITIMER_REAL, 0)


def trace():
    sys.path.insert(0, os.getcwd())
    import pytest
    import {module} as target

    original = target.{function}
    calls, seen, depth = [], set(), [0]

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        depth[0] += 1
        try:
            result = original(*args, **kwargs)
        finally:
            depth[0] -= 1
        if depth[0] == 0 and len(calls) < {limit}:
            try:
                text = json.dumps([list(args), kwargs], sort_keys=True, allow_nan=False)
                json.dumps(result, allow_nan=False)
            except (TypeError, ValueError):
                text = None
            if text is not None and len(text) <= {size} and text not in seen:
                seen.add(text)
                calls.append(json.loads(text))
        return result

    target.{function} = wrapper
    with open("pytest.ini", "w", encoding="utf-8") as handle:
        handle.write("[pytest]\\n")
    code = pytest.main(
        [{target!r}, "-q", "-p", "no:cacheprovider", "--rootdir", os.getcwd(), "-c", "pytest.ini"],
        plugins=[TimeLimit()],
    )
    return {{"exit": int(code), "calls": calls}}
"""


def _evaluate(
    sandbox: LazySandbox,
    module: Path,
    source: ProgramSource,
    suite: CaseSuite,
    limits: Limits,
    module_name: str,
) -> Evaluation:
    try:
        return sandbox.evaluate(source, suite, limits, module_name=module_name)
    except ValueError as exc:  # a module name the sandbox refuses (one of the stdlib's)
        raise UsageError(f"{module}: {exc}") from None


def _why(evaluation: Evaluation) -> str:
    details = [t.detail for t in evaluation.tests if t.detail]
    text = evaluation.message or (details[0] if details else evaluation.status.value)
    return text.removeprefix("not run: ")


# recording outputs ---------------------------------------------------------------------------


def record_outputs(
    module: Path, source: str, function: str, calls: Sequence[Call], sandbox: LazySandbox
) -> tuple[list[tuple[Call, Any]], list[tuple[Call, str]], Evaluation]:
    """Run every call in the sandbox as a case runs; (call, output) for those that returned,
    (call, why not) for those that raised or hung, and the evaluation itself.

    A call that hangs stops at `CALL_S` and the others still run. Should the evaluation as a
    whole be stopped (calls that hang on CPU add up past its limit), its results are lost,
    and the calls it did not report are recorded again one at a time."""
    evaluation = _record(module, source, function, calls, sandbox)
    if evaluation.total and all(t.detail.startswith("not run:") for t in evaluation.tests):
        raise UsageError(
            f"{module}: cannot be loaded in the sandbox: {_why(evaluation)} (evolve runs the"
            " module alone, or a package: see `Programs of several files` in the README)"
        )
    returned, failed = [], []
    for index, call in enumerate(calls):
        output, why = _outcome(evaluation, index)
        if output is None and why.startswith("not reported") and len(calls) > 1:
            output, why = _outcome(_record(module, source, function, [call], sandbox), 0)
        if output is not None:
            returned.append((call, json.loads(output)))
        else:
            failed.append((call, why))
    return returned, failed, evaluation


def _record(
    module: Path, source: str, function: str, calls: Sequence[Call], sandbox: LazySandbox
) -> Evaluation:
    cases = tuple(
        Case(name=f"call[{i}]", args=call.args, kwargs=call.kwargs) for i, call in enumerate(calls)
    )
    suite = CaseSuite(entry=function, cases=cases, keep_outputs=True)
    return _evaluate(sandbox, module, source, suite, RECORD_LIMITS, module.stem)


def _outcome(evaluation: Evaluation, index: int) -> tuple[str | None, str]:
    """The `index`-th call's output (JSON text), or None and why there is none."""
    if index < len(evaluation.outputs) and evaluation.outputs[index] is not None:
        return evaluation.outputs[index], ""
    test = evaluation.tests[index] if index < len(evaluation.tests) else None
    return None, (test.detail if test is not None else "") or "no output"


# writing the folder --------------------------------------------------------------------------


def refuse_to_overwrite(out: Path, force: bool) -> None:
    """UsageError if `out` is a folder with something in it and `force` is not given."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(f"{out}: exists and is not empty; --force replaces its task files")


def write_task(
    out: Path,
    *,
    module: Path,
    program: Program,
    function: str | None,
    goal: str,
    cases: Sequence[dict[str, Any]] | None,
    pytest_file: Path | None,
    force: bool,
) -> list[Path]:
    """Write task.toml (and cases.jsonl) into `out`, checked by loading the task from a
    temporary folder beside it that is then renamed into place: a folder that would not
    load is never left behind, and an existing task folder is replaced only with --force.
    A pytest task's folder is its project's root, already full: only its task.toml is
    written, checked in place and taken back if the task does not load."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a directory")
    if pytest_file is not None:
        return [_write_in_place(out, _toml(out.resolve(), module, program, function, goal,
                                           pytest_file), force)]  # fmt: skip
    refuse_to_overwrite(out, force)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=parent))
    try:
        names = [TASK_FILE]
        (staging / TASK_FILE).write_text(
            _toml(out.resolve(), module, program, function, goal, pytest_file), encoding="utf-8"
        )
        if cases is not None:
            names.append(CASES_FILE)
            (staging / CASES_FILE).write_text(
                "".join(json.dumps(case, sort_keys=True) + "\n" for case in cases),
                encoding="utf-8",
            )
        load_task(staging)  # the folder must load as it is: UsageError names the problem
        out.mkdir(exist_ok=True)
        for name in names:
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in names]


def _write_in_place(out: Path, text: str, force: bool) -> Path:
    target = out / TASK_FILE
    if target.exists() and not force:
        raise UsageError(f"{target}: exists; --force replaces it")
    previous = target.read_bytes() if target.exists() else None
    target.write_text(text, encoding="utf-8")
    try:
        load_task(out)  # UsageError names the problem
    except BaseException:
        if previous is None:
            target.unlink()
        else:
            target.write_bytes(previous)
        raise
    return target


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start)).as_posix()


def _toml(
    out: Path,
    module: Path,
    program: Program,
    function: str | None,
    goal: str,
    pytest_file: Path | None,
) -> str:
    doc = _docstring(program.source, function)
    name = function or module.stem
    lines = [
        f"# Written by `evolve init` on {time.strftime('%Y-%m-%d')}; see the README's"
        ' "Bring your own task".',
        "[task]",
        f"name = {json.dumps(name)}",
        f"description = {json.dumps(doc)}",
        f"program = {json.dumps(_relative(module, out))}",
    ]
    if function is not None:
        lines.append(f"entry = {json.dumps(function)}")
    lines += [f'goal = "{goal}"', "", "[tests]"]
    if pytest_file is not None:
        lines.append(f"pytest = {json.dumps(_relative(pytest_file, out))}")
    else:
        lines += [
            f'cases = "{CASES_FILE}"',
            '# holdout = "holdout.jsonl"   # cases the search never sees; checked before accepting',
        ]
    lines += [
        "",
        "[limits]                         # per evaluation of one variant",
        "wall_s = 2.0",
        "cpu_s = 1.0",
        "memory_mb = 256",
        "",
        "[search]",
        "budget = 5000",
        f"# editable = [{json.dumps(function or 'function')}]   # default: every function",
        "",
    ]
    return "\n".join(lines)


def _docstring(source: str, function: str | None) -> str:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    node: ast.AST = tree
    if function is not None:
        found = [
            n
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == function
        ]
        if not found:
            return ""
        node = found[0]
    assert isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef)
    # The first paragraph, on one line: its first line alone often stops mid-sentence.
    paragraph = (ast.get_docstring(node) or "").strip().split("\n\n")[0]
    return " ".join(paragraph.split())
