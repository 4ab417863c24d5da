"""The verbs that run the engine: `evolve run`, `evolve resume`, `evolve stop`.

`run` and `resume` print the accepted diffs and what the run achieved in words (solved or
not for a repair, improved by how much for a speed-up); with `--json` the last line of
stdout is the summary with every accepted change, its diff included.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from evolve.commands.parser import BUNDLED_TASKS, DEFAULT_TASK
from evolve.commands.render import (
    change_dict,
    chosen_new_failures,
    print_json,
    undecided_inputs,
    verdict,
)
from evolve.errors import UsageError
from evolve.evaluation.executor import check_executor
from evolve.progress import ProgressReporter
from evolve.store.database import AcceptedChange
from evolve.store.runs import (
    STOP_FILE,
    check_runs_dir,
    is_running,
    read_run,
    resolve_run,
)

EXIT_OK = 0


def cmd_run(args: argparse.Namespace) -> int:
    from evolve.run import RunRequest, start_run  # the engine: libcst, DEAP, numpy
    from evolve.tune.profile import profile_settings

    settings = profile_settings(
        args.profile,
        algorithm=args.algorithm,
        population=args.population,
        partial_repairs=args.partial_repairs,
    )
    check_runs_dir(args.runs_dir)
    task_dir: Path | None = args.task
    if task_dir is None:
        task_dir = DEFAULT_TASK
        if not args.quiet:
            print(
                f"evolve: no task given: evolving the bundled demo"
                f" {DEFAULT_TASK.relative_to(BUNDLED_TASKS)} (`evolve tasks` lists the others;"
                " `evolve run DIR` evolves the task in DIR, `evolve init` makes one)",
                file=sys.stderr,
            )
    request = RunRequest(
        task_dir=task_dir,
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
    _finish(summary.to_dict(), args.json, resumed=None)
    return EXIT_OK


def cmd_resume(args: argparse.Namespace) -> int:
    from evolve.resume import AlreadyFinished, resume_run
    from evolve.tune.store import is_tuning_run

    executor = None if args.executor is None else check_executor(args.executor)
    run_dir = resolve_run(args.run, args.runs_dir)
    if is_tuning_run(run_dir):
        return _resume_tuning(run_dir, executor, args)
    try:
        with ProgressReporter(quiet=args.quiet) as reporter:
            summary = resume_run(run_dir, reporter, executor)
    except AlreadyFinished as done:
        if args.json:
            print_json({**done.summary, "resumed": False})
        else:
            print(f"evolve: {done}")
        return EXIT_OK
    _finish(summary.to_dict(), args.json, resumed=True)
    return EXIT_OK


def _resume_tuning(run_dir: Path, executor: str | None, args: argparse.Namespace) -> int:
    """`evolve resume` of a tuning run: what `evolve tune --resume` does."""
    from evolve.tune.command import resume_tune
    from evolve.tune.show import show_text

    summary = resume_tune(run_dir, executor, None if args.quiet else sys.stderr)
    if summary is None:
        print(f"evolve: {run_dir} finished; nothing to resume")
        return EXIT_OK
    if args.json:
        print_json({**summary, "resumed": True})
    else:
        print(show_text(run_dir), end="")
    return EXIT_OK


def _finish(summary: dict[str, Any], as_json: bool, *, resumed: bool | None) -> None:
    """Print a finished run: its accepted changes and what it achieved."""
    with read_run(Path(summary["run_dir"])) as store:
        changes = store.accepted()
    if as_json:
        extra: dict[str, Any] = {"changes": [change_dict(change) for change in changes]}
        if resumed is not None:
            extra["resumed"] = resumed
        print_json({**summary, **extra})
        return
    for change in changes:
        print(_heading(change))
        print(change.diff, end="")
    print(
        f"{summary['task']}: {verdict(summary)}; {summary['accepted']} accepted;"
        f" {summary['evaluations']} evaluations in {summary['wall_s']:.1f} s"
        f" (and {summary['cache_hits']} repeats answered from the cache)"
    )
    quarantined = list(summary.get("quarantined") or [])
    if quarantined:
        shown = ", ".join(quarantined[:5])
        more = f" and {len(quarantined) - 5} more" if len(quarantined) > 5 else ""
        print(f"quarantined as flaky (never used to judge): {shown}{more}")
    refused = int(summary.get("refused") or 0)
    if refused and not summary.get("solved"):
        print(
            f"refused {refused} plausible repair{'s' if refused != 1 else ''}: each passes every"
            " test but shows an anti-pattern of a wrong repair, takes more than three edits,"
            " or ranks level with another"
            " that answers otherwise (`plausible_refused` in events.jsonl names them and says"
            " which; with `[review] ask = true` a person settles such ties)"
        )
    print(f"run {summary['run_id']}: champion written to {summary['champion_path']}")
    best_partial = str(summary.get("best_partial") or "")
    if best_partial and not summary.get("solved"):
        passed, _, total = best_partial.partition("/")
        if passed == total:
            # The best "partial" fix passes every test: it is one of the refused repairs.
            print(
                f"repairs passing every test ({best_partial}) were found and refused (above);"
                " more tests pin the behaviour down, and a larger --budget may find one with"
                " fewer edits"
            )
        else:
            print(
                f"partial fixes pass up to {best_partial} and keep every test the seed"
                " passes; none was accepted, as a repair must pass every test. A larger"
                " --budget gives the search more time to combine them; --partial-repairs"
                " accepts each as a step (and may climb through wrong ones); more tests pin"
                " the behaviour down"
            )
    if summary.get("solved") and summary.get("accepted") and not summary.get("holdout_evaluations"):
        # With no holdout, "solved" is as good as the tests: a patch can fit them and still
        # be wrong on what they do not try.
        undecided = sum(undecided_inputs(change) for change in changes)
        settle = (
            f"; its candidates answer differently on {undecided} generated input(s):"
            f" `evolve review {summary['run_dir']} --ask` shows the first of them and asks"
            " which answer is right"
            if undecided
            else f"; `evolve log --json {summary['run_dir']}` lists the candidates it was"
            " chosen among"
        )
        print(
            "no holdout checked it: a repair that passes every given test may still be wrong"
            f" on inputs they do not try{settle}"
        )
        crashes = max((chosen_new_failures(change) for change in changes), default=0)
        if crashes:
            # Raising where the seed answered is the plainest sign of a repair that only
            # fits its tests; the ranking prefers fewer, but may have had nothing better.
            print(
                f"warning: the repair raises or hangs on {crashes} generated input(s) the"
                " seed answers (`new_failures` in `evolve log --json`): add a test of such"
                " an input, or check that it lies outside what the function must handle"
            )


def _heading(change: AcceptedChange) -> str:
    operators = ", ".join(change.operators) or "edits dropped"
    return (
        f"--- change #{change.number}: {operators}"
        f" ({change.fitness_before} -> {change.fitness_after})"
    )


def cmd_stop(args: argparse.Namespace) -> int:
    run_dir = resolve_run(args.run, args.runs_dir)
    with read_run(run_dir) as store:
        finished = "finished_at" in store.config()
    if finished:
        raise UsageError(f"{args.run}: the run has already finished")
    if not is_running(run_dir):
        # `evolve resume` removes a STOP file (it ended the last session): one written now
        # would stop nothing.
        raise UsageError(f"{args.run}: no process is running this run; nothing to stop")
    # The file's content is for the record only: its presence is the request.
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    (run_dir / STOP_FILE).write_text(
        f"stop requested by evolve stop, pid {os.getpid()}, at {stamp}\n", encoding="utf-8"
    )
    print(f"stop requested: {run_dir} ends at the end of its current generation")
    return EXIT_OK
