"""The verbs about tasks and this machine: `evolve tasks`, `evolve eval`, `evolve doctor`.

`evolve tasks DIR` lists every task folder under DIR (symbolic links followed), a broken one
with its one-line error, and exits 1 when any is broken: the listing is still complete, and
a script can tell. `evolve eval` runs one program in the sandbox.
"""

from __future__ import annotations

import argparse
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

from evolve.commands.render import print_json
from evolve.errors import UsageError
from evolve.evaluation.executor import check_executor, connect_executor
from evolve.evaluation.jobs import EvaluationJob, LazySandbox, SandboxMode, portable_files
from evolve.task import Goal, Task, discover_tasks, load_task
from sandbox import ProgramSource, Suite

HOLDOUT = "holdout"  # as `evolve.evaluation.evaluator` names the suite

EXIT_OK, EXIT_SOME_BROKEN = 0, 1


@dataclass(frozen=True)
class TaskEntry:
    name: str
    goal: str | None
    path: str
    description: str
    error: str | None  # why the folder is not a task that loads; None when it is


def cmd_tasks(args: argparse.Namespace) -> int:
    root: Path = args.directory
    if not root.is_dir():
        raise UsageError(f"{root}: not a directory")
    entries = [_entry(directory) for directory in discover_tasks(root)]
    if not entries:
        raise UsageError(f"{root}: no task folder (a folder with a task.toml) under it")
    broken = sum(1 for entry in entries if entry.error)
    if args.json:
        print_json([asdict(entry) for entry in entries])
    else:
        for entry in entries:
            if entry.error:
                print(f"{entry.name:<24} {'BROKEN':<8} {entry.path}: {entry.error}")
            else:
                print(f"{entry.name:<24} {entry.goal:<8} {entry.path}")
    return EXIT_SOME_BROKEN if broken else EXIT_OK


def _entry(directory: Path) -> TaskEntry:
    try:
        task = load_task(directory)
    except UsageError as exc:
        return TaskEntry(directory.name, None, str(directory), "", str(exc))
    return TaskEntry(task.name, task.goal.value, str(directory), task.description, None)


def cmd_eval(args: argparse.Namespace) -> int:
    from evolve.run import read_program  # parses the program: libcst

    spec = check_executor(args.executor)
    task = load_task(args.task)
    program = read_program(task, args.program)
    suites = {"search": task.suite}
    if task.holdout is not None:
        suites[HOLDOUT] = task.holdout
    source = program.runnable(program.source)
    jobs = [_job(source, suite, task, args.sandbox) for suite in suites.values()]
    # After the task loaded: bad input is reported without waiting for a cluster. The local
    # sandbox starts only if the executor runs jobs here.
    with (
        closing(connect_executor(spec)) as executor,
        closing(LazySandbox(args.sandbox, workers=1)) as box,
    ):
        results = dict(zip(suites, executor.evaluate(jobs, box), strict=True))
    from evolve.evaluation.suite_check import refuse_unusable

    for name, suite in suites.items():
        refuse_unusable(task, suite, results[name])
    if args.json:
        # One `layers` for the whole: every suite ran in the same sandbox.
        data = results["search"].to_dict()
        if HOLDOUT in results:
            data[HOLDOUT] = {k: v for k, v in results[HOLDOUT].to_dict().items() if k != "layers"}
        print_json(data)
        return EXIT_OK
    for name, evaluation in results.items():
        print(
            f"{name}: {evaluation.status.value} ({evaluation.status.describe()})"
            f" {evaluation.passed}/{evaluation.total} passed,"
            f" cpu {evaluation.cpu_s:.3f} s, max rss {evaluation.max_rss_mb:.1f} MB"
        )
        if evaluation.message:
            print(f"  {evaluation.message}")
        for test in evaluation.tests:
            detail = f"  {test.detail}" if test.detail and not test.passed else ""
            print(f"  {test.outcome:>7}  {test.name}{detail}")
    print(f"layers: {', '.join(results['search'].layers)}")
    return EXIT_OK


def _job(source: ProgramSource, suite: Suite, task: Task, sandbox: SandboxMode) -> EvaluationJob:
    return EvaluationJob(
        source,
        suite,
        task.limits,
        task.module_name,
        measure_cost=task.goal is Goal.SPEEDUP,
        sandbox=sandbox,
        test_files=portable_files(suite),  # a pytest file's text, for a remote worker
    )


def cmd_doctor(args: argparse.Namespace) -> int:
    from sandbox import ALWAYS_LAYERS, probe_layers

    reports = probe_layers()
    if args.json:
        print_json([asdict(r) for r in reports])
        return EXIT_OK
    print(f"always: {', '.join(ALWAYS_LAYERS)}")
    for report in reports:
        mark = "yes" if report.available else "no "
        print(f"{mark}  {report.name:<10} {report.detail}")
    missing = [r.name for r in reports if not r.available]
    if missing:
        print(f"missing layers: {', '.join(missing)}; evaluations still run with the rest")
    return EXIT_OK
