"""`evolve init FILE[:FUNCTION]`: scaffold a task folder, then say what to check and run next.

The work is `evolve.scaffold`'s; this module decides where cases come from, merges them and
reports what was written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

from evolve.commands.render import print_json
from evolve.errors import UsageError
from evolve.program.program import Program
from evolve.scaffold import (
    MAX_CASES,
    TEST_DIRS,
    Call,
    Scaffold,
    asserted_calls,
    parse_call,
    parse_target,
    read_module,
    record_outputs,
    refuse_to_overwrite,
    test_files,
    trace_tests,
    write_task,
)

EXIT_OK = 0


def cmd_init(args: argparse.Namespace) -> int:
    from evolve.evaluation.jobs import LazySandbox

    module, function = parse_target(args.target)
    if args.pytest is not None and (args.call or args.cases_from_tests is not None):
        raise UsageError("--pytest runs a test file instead of cases: give it alone")
    if function is None and args.pytest is None:
        raise UsageError(f"{args.target}: name the function the cases call, as FILE:FUNCTION")
    program = read_module(module, function)
    if args.pytest is not None:
        return _with_pytest(args, module, program, function)
    out: Path = args.out if args.out is not None else Path("tasks") / (function or module.stem)
    assert function is not None
    # Refused before the tests are run and the calls recorded, not after (write_task checks
    # again, as the folder may change meanwhile).
    refuse_to_overwrite(out, args.force)
    calls = [parse_call(expression, function) for expression in args.call]
    tests = _tests_dir(args.cases_from_tests, given_calls=bool(calls))
    if not calls and tests is None:
        raise UsageError(
            "no cases to record: give --call 'f(...)' (repeatable), --cases-from-tests DIR"
            " or --pytest FILE (no tests/ or test/ folder here)"
        )
    notes: list[str] = []
    with closing(LazySandbox("fork", workers=1)) as sandbox:
        if tests is not None:
            asserted = asserted_calls(test_files(tests), function)
            _say(f"running the tests in {tests} to collect the calls of {function}")
            traced, note = trace_tests(module, program.source, function, tests, sandbox)
            if note:
                notes.append(note)
            calls += asserted + traced
        calls = _distinct(calls)[:MAX_CASES]
        if not calls:
            raise UsageError(
                f"{tests}: found no call of {function} with JSON arguments"
                + (f" ({notes[0]})" if notes else "")
                + "; give --call 'f(...)' instead"
            )
        # Every call runs, even one whose answer a test states: the run shows which cases
        # fail today. Said so, or "0 with what it returns today" below reads as a contradiction.
        _say(f"running {function} on {len(calls)} calls in the sandbox, to see which pass today")
        returned, failed, _ = record_outputs(module, program.source, function, calls, sandbox)
    outputs = {call.key: output for call, output in returned}
    cases: list[dict[str, Any]] = []
    scaffold = Scaffold(out, [], args.goal, function)
    for call in calls:
        # A stated truth holds for a function that answers with a bool today (a predicate),
        # or raises; of one that answers `[3]`, a test's `assert f(x)` says less than True.
        if call.truth and call.key in outputs and not isinstance(outputs[call.key], bool):
            call = replace(call, asserted=False)
        if call.asserted:
            expected = call.expected
            scaffold.asserted += 1
            if call.key not in outputs or not _same(outputs[call.key], expected):
                scaffold.failing += 1
        elif call.key in outputs:
            expected = outputs[call.key]
            scaffold.recorded += 1
        else:
            continue
        case: dict[str, Any] = {"args": list(call.args), "expected": expected}
        if call.kwargs:
            case["kwargs"] = call.kwargs
        cases.append(case)
    for call, why in failed:
        if not call.asserted:
            scaffold.skipped.append({"call": call.text(function), "reason": why})
    if not cases:
        first = scaffold.skipped[0] if scaffold.skipped else {"call": "?", "reason": "?"}
        raise UsageError(
            f"no case recorded: every call raised or hung ({first['call']}: {first['reason']})"
        )
    scaffold.cases = len(cases)
    scaffold.files = write_task(
        out,
        module=module,
        program=program,
        function=function,
        goal=args.goal,
        cases=cases,
        pytest_file=None,
        force=args.force,
    )
    scaffold.next_steps = _next_steps(scaffold, notes)
    _report(scaffold, args.json)
    return EXIT_OK


def _say(message: str) -> None:
    """Progress on stderr: tracing the tests and recording outputs run the program, which
    takes a while when it hangs (each call and test is stopped at its own limit)."""
    print(f"evolve: {message}", file=sys.stderr, flush=True)


def _with_pytest(
    args: argparse.Namespace, module: Path, program: Program, function: str | None
) -> int:
    """A task that runs the project's pytest tests as they are. Its folder is the project's
    root (pytest's rootdir and the sandbox's working directory), holding the program and the
    tests: by default the deepest folder that holds both."""
    tests: Path = args.pytest
    if not tests.exists():
        raise UsageError(f"--pytest {tests}: no such file or directory")
    if tests.is_file() and tests.suffix != ".py":
        raise UsageError(f"--pytest {tests}: not a Python test file")
    if tests.is_dir() and not any(
        f.name not in ("conftest.py", "__init__.py") for f in test_files(tests)
    ):
        raise UsageError(f"--pytest {tests}: holds no test module (test_*.py, *_test.py)")
    root = Path(os.path.commonpath([module.resolve().parent, tests.resolve()]))
    if tests.resolve() == root:  # the tests folder is the module's: its parent is no root
        root = module.resolve().parent
    out: Path = args.out if args.out is not None else Path(os.path.relpath(root))
    for path, what in ((module, "the program"), (tests, "the tests")):
        if not path.resolve().is_relative_to(out.resolve()):
            raise UsageError(
                f"--out {out}: a pytest task's folder is the project's root and must hold"
                f" {what} ({path})"
            )
    files = write_task(
        out,
        module=module,
        program=program,
        function=function,
        goal=args.goal,
        cases=None,
        pytest_file=tests,
        force=args.force,
    )
    scaffold = Scaffold(out, files, args.goal, function)
    scaffold.next_steps = [
        f"the tests must `import {module.stem}` (the sandbox gives the program that name)",
        f"evolve eval {out}                 # the program against the tests, in the sandbox",
        f"evolve run {out} --seed 1         # evolve it",
    ]
    _report(scaffold, args.json)
    return EXIT_OK


def _tests_dir(given: Path | None, *, given_calls: bool) -> Path | None:
    """--cases-from-tests, or with neither it nor --call a tests/ or test/ folder here."""
    if given is not None:
        if not given.exists():
            raise UsageError(f"--cases-from-tests {given}: no such file or directory")
        return given
    if given_calls:
        return None
    return next((Path(name) for name in TEST_DIRS if Path(name).is_dir()), None)


def _distinct(calls: list[Call]) -> list[Call]:
    """One call per distinct arguments, in order of first appearance; a call whose answer a
    test states wins over the same call traced."""
    chosen: dict[str, Call] = {}
    for call in calls:
        if call.key not in chosen or (call.asserted and not chosen[call.key].asserted):
            chosen[call.key] = call
    order = list(dict.fromkeys(call.key for call in calls))
    return [chosen[key] for key in order]


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _next_steps(scaffold: Scaffold, notes: list[str]) -> list[str]:
    out, function = scaffold.task_dir, scaffold.function
    cases_file = out / "cases.jsonl"
    steps = list(notes)
    if scaffold.goal == "repair":
        if scaffold.recorded:
            steps.append(
                f"check the expected values in {cases_file}: {scaffold.recorded} of them are"
                f" what {function} returns today; correct the wrong ones (a repair needs"
                " failing cases)"
            )
        if scaffold.failing == 0:
            steps.append(
                "every case passes today: the search has nothing to repair until a case"
                " expects what the function should return"
            )
    else:
        steps.append(
            f"the cases pin what {function} returns today: a speed-up must keep every answer"
        )
        if scaffold.failing:
            steps.append(
                f"{scaffold.failing} case(s) fail today: a speed-up starts from a program"
                " that passes every case"
            )
    steps += [
        f"evolve eval {out}                 # the program against the cases, in the sandbox",
        f"evolve run {out} --seed 1         # evolve it",
    ]
    return steps


def _report(scaffold: Scaffold, as_json: bool) -> None:
    if as_json:
        print_json(scaffold.to_dict())
        return
    written = " and ".join(str(path) for path in scaffold.files)
    if scaffold.function is not None and scaffold.cases:
        detail = (
            f" ({scaffold.cases} cases: {scaffold.asserted} with the answer a test states,"
            f" {scaffold.recorded} with what {scaffold.function} returns today;"
            f" {scaffold.failing} fail today)"
        )
    else:
        detail = ""
    print(f"wrote {written}{detail}")
    for skipped in scaffold.skipped:
        print(f"  not recorded: {skipped['call']}: {skipped['reason']}")
    print("next:")
    for number, step in enumerate(scaffold.next_steps, start=1):
        print(f"  {number}. {step}")
