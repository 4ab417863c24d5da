"""The command line: `evolve run`, `eval`, `tasks`, `log`, `diff`, `doctor`, plus the verbs
registered by their own modules (stop, report, verify, review, apply, rollback, ...).

User errors (`UsageError`) and run directories whose state is corrupt (`RunStateError`)
become one line on stderr and exit status 2; nothing here prints a traceback for either.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import asdict
from pathlib import Path

from evolve import bench, control, resume
from evolve.audit import commands as audit_commands
from evolve.errors import RunAborted, RunStateError, UsageError
from evolve.evaluation.evaluator import HOLDOUT
from evolve.evaluation.executor import LOCAL, check_executor, connect_executor
from evolve.evaluation.jobs import EvaluationJob, LazySandbox, SandboxMode, portable_files
from evolve.evaluation.suite_check import refuse_unusable
from evolve.program.program import program_diff
from evolve.progress import ProgressReporter
from evolve.run import RunRequest, read_program, resolve_run, start_run
from evolve.search import Algorithm, SearchSettings
from evolve.store.chain import CHECKS, reverts_text
from evolve.store.database import RunStore
from evolve.task import Goal, Task, discover_tasks, load_task
from evolve.tune import command as tune_command
from evolve.tune.profile import add_profile_argument, profile_settings
from sandbox import ALWAYS_LAYERS, ProgramSource, Suite, probe_layers

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# The bundled benchmarks live beside the packages in a checkout or editable install.
BUNDLED_TASKS = Path(__file__).resolve().parent.parent / "benchmarks"
# What `evolve run` evolves when no task is named: a bug that takes two accepted changes.
DEFAULT_TASK = BUNDLED_TASKS / "repair" / "caesar"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except (UsageError, RunStateError) as exc:
        print(f"evolve: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RunAborted as exc:
        print(f"evolve: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("evolve: interrupted", file=sys.stderr)
        return EXIT_FAILED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evolve", description="Evolve Python programs against their tests, safely."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="evolve a task's program")
    run.add_argument(
        "task",
        type=Path,
        nargs="?",
        default=DEFAULT_TASK,
        help="task directory holding task.toml (default: the bundled caesar repair)",
    )
    run.add_argument("--budget", type=int, help="evaluations (default: the task's)")
    run.add_argument("--seed", type=int, default=0, help="random seed (same seed, same run)")
    run.add_argument("--program", type=Path, help="start from this program instead of the seed")
    _runs_dir(run)
    run.add_argument(
        "--algorithm",
        choices=[a.value for a in Algorithm],
        help="search algorithm (default: lexicase, or the profile's); `random` is the baseline",
    )
    run.add_argument(
        "--population", type=int, help=f"default: {SearchSettings.population}, or the profile's"
    )
    run.add_argument(
        "--partial-repairs",
        action="store_true",
        help="let a repair advance by partial steps (more tests, not all), each a change",
    )
    add_profile_argument(run)
    _sandbox_mode(run)
    _executor(run)
    run.add_argument("--json", action="store_true", help="end with one JSON summary line")
    run.add_argument("--quiet", action="store_true", help="no live progress")
    run.set_defaults(command=cmd_run)

    evaluate = commands.add_parser("eval", help="evaluate one program in the sandbox")
    evaluate.add_argument("task", type=Path)
    evaluate.add_argument("--program", type=Path, help="evaluate this program instead")
    evaluate.add_argument("--json", action="store_true")
    _sandbox_mode(evaluate)
    _executor(evaluate)
    evaluate.set_defaults(command=cmd_eval)

    doctor = commands.add_parser("doctor", help="which isolation layers this machine gives")
    doctor.add_argument("--json", action="store_true")
    doctor.set_defaults(command=cmd_doctor)

    tasks = commands.add_parser("tasks", help="list tasks")
    tasks.add_argument("directory", type=Path, nargs="?", default=BUNDLED_TASKS)
    tasks.set_defaults(command=cmd_tasks)

    log = commands.add_parser("log", help="list a run's accepted changes")
    log.add_argument("run", help="run id or run directory")
    _runs_dir(log)
    log.set_defaults(command=cmd_log)

    diff = commands.add_parser("diff", help="show an accepted change's diff")
    diff.add_argument("run", help="run id or run directory")
    diff.add_argument("number", type=int, nargs="?", help="change number (default: all)")
    _runs_dir(diff)
    diff.set_defaults(command=cmd_diff)
    control.register(commands)  # stop, report
    bench.register(commands)  # bench
    audit_commands.register(commands)  # verify, review, apply, rollback
    resume.register(commands)  # resume
    tune_command.register(commands)  # tune
    return parser


def _sandbox_mode(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sandbox",
        choices=["fork", "process"],
        default="fork",
        help="fork: warm workers fork a child per evaluation, every isolation layer available"
        " (default); process: a fresh interpreter per evaluation, rlimits only",
    )


def _executor(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--executor",
        default=LOCAL,
        metavar="local|dask://HOST:PORT",
        help="where evaluations run: local (default: a sandbox on this machine) or a Dask"
        " distributed scheduler, whose workers each run a sandbox of their own",
    )


def _runs_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs-dir", type=Path, default=Path("runs"), help="default: ./runs")


# commands ------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    settings = profile_settings(
        args.profile,
        algorithm=args.algorithm,
        population=args.population,
        partial_repairs=args.partial_repairs,
    )
    request = RunRequest(
        task_dir=args.task,
        seed=args.seed,
        budget=args.budget,
        program=args.program,
        runs_dir=args.runs_dir,
        sandbox=args.sandbox,
        executor=check_executor(args.executor),
        settings=settings,
    )
    with ProgressReporter(quiet=args.quiet) as reporter:
        summary = start_run(request, reporter)
    if args.json:
        print(json.dumps(summary.to_dict(), sort_keys=True))
        return EXIT_OK
    store = RunStore.open(Path(summary.run_dir))
    try:
        for change in store.accepted():
            print(
                f"--- change #{change.number}: {', '.join(change.operators)}"
                f" ({change.fitness_before} -> {change.fitness_after})"
            )
            print(change.diff, end="")
    finally:
        store.close()
    verdict = "solved" if summary.solved else f"not solved ({summary.stop_reason})"
    print(
        f"{summary.task}: {verdict}; best {summary.best}; {summary.accepted} accepted;"
        f" {summary.evaluations} evaluations in {summary.wall_s:.1f} s"
        f" ({summary.cache_hits} cache hits)"
    )
    if summary.quarantined:
        shown = ", ".join(summary.quarantined[:5])
        more = f" and {len(summary.quarantined) - 5} more" if len(summary.quarantined) > 5 else ""
        print(f"quarantined as flaky (never used to judge): {shown}{more}")
    print(f"run {summary.run_id}: champion written to {summary.champion_path}")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
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
    for name, suite in suites.items():
        refuse_unusable(task, suite, results[name])
    if args.json:
        data = results["search"].to_dict()
        if HOLDOUT in results:
            data[HOLDOUT] = results[HOLDOUT].to_dict()
        print(json.dumps(data, sort_keys=True))
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
    reports = probe_layers()
    if args.json:
        print(json.dumps([asdict(r) for r in reports], sort_keys=True))
        return EXIT_OK
    print(f"always: {', '.join(ALWAYS_LAYERS)}")
    for report in reports:
        mark = "yes" if report.available else "no "
        print(f"{mark}  {report.name:<10} {report.detail}")
    missing = [r.name for r in reports if not r.available]
    if missing:
        print(f"missing layers: {', '.join(missing)}; evaluations still run with the rest")
    return EXIT_OK


def cmd_tasks(args: argparse.Namespace) -> int:
    if not args.directory.is_dir():
        raise UsageError(f"{args.directory}: not a directory")
    for directory in discover_tasks(args.directory):
        task = load_task(directory)
        print(f"{task.name:<24} {task.goal.value:<8} {directory}")
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    store = RunStore.open(resolve_run(args.run, args.runs_dir))
    try:
        changes = store.accepted()
    finally:
        store.close()
    if not changes:
        print("no accepted changes")
    for change in changes:
        print(
            f"#{change.number:<3} gen {change.generation:<4} evals {change.evaluations:<6}"
            f" {', '.join(change.operators):<36} +{len(change.tests_gained)} tests"
            f"  {change.fitness_before} -> {change.fitness_after}"
        )
        reverts = reverts_text(change.edits)
        if reverts:
            print(f"     {reverts}")
        choice = json.loads(change.evidence).get(CHECKS, {}).get("plausible")
        if choice:
            print(f"     {choice['reason']}")
            undecided = len(choice.get("disagreements", []))
            if undecided and not choice.get("asked"):
                print(
                    f"     tests could not decide: the candidates answer differently on"
                    f" {undecided} input(s) (evolve review RUN --ask)"
                )
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    store = RunStore.open(resolve_run(args.run, args.runs_dir))
    try:
        if args.number is None:
            config = store.config()
            seed = store.variant_source(config["seed_hash"])
            champion = store.variant_source(config.get("champion_hash", config["seed_hash"]))
            several = bool(config.get("program_files"))
            path = str(config["program"])
            print(program_diff(seed, champion, path=path, several=several), end="")
            return EXIT_OK
        changes = {change.number: change for change in store.accepted()}
    finally:
        store.close()
    if args.number not in changes:
        raise UsageError(f"run has no change #{args.number} (it has {len(changes)})")
    print(changes[args.number].diff, end="")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
