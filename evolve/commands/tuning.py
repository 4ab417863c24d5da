"""`evolve tune SUITE`: tune the search settings on a suite's training tasks, report the
held-out split, write a profile (`evolve.tune.command` does the work)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from evolve.errors import UsageError
from evolve.evaluation.executor import LOCAL, check_executor
from evolve.run import resolve_run
from evolve.tune.command import TuneRequest, make_config, resume_tune, start_tune
from evolve.tune.show import show_text
from evolve.tune.store import is_tuning_run


def cmd_tune(args: argparse.Namespace) -> int:
    given = [name for name in ("suite", "resume", "show") if getattr(args, name)]
    if len(given) != 1:
        raise UsageError("evolve tune takes one of SUITE, --resume RUN or --show RUN")
    log = None if args.quiet else sys.stderr
    executor = None if args.executor is None else check_executor(args.executor)
    if args.show:
        print(show_text(_tuning_run(args.show, args.runs_dir)), end="")
        return 0
    if args.resume:
        run_dir = _tuning_run(args.resume, args.runs_dir)
        summary = resume_tune(run_dir, executor, log)
        if summary is None:
            print(f"evolve: {run_dir} finished; nothing to resume")
            return 0
    else:
        if args.out is not None and not args.out.parent.is_dir():
            raise UsageError(f"--out {args.out}: no such directory {args.out.parent}")
        config = make_config(
            args.suite,
            seed=args.seed,
            budget=args.budget,
            population=args.population,
            generations=args.generations,
            runs=args.runs,
            held_out_runs=args.held_out_runs,
            run_budget=args.run_budget,
            held_out=args.held_out,
            hide_holdout=args.hide_holdout,
        )
        request = TuneRequest(config, args.runs_dir, executor or LOCAL, args.out)
        summary = start_tune(request, log)
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        print(show_text(Path(summary["run_dir"])), end="")
    return 0


def _tuning_run(reference: str, runs_dir: Path) -> Path:
    run_dir = resolve_run(reference, runs_dir)
    if not is_tuning_run(run_dir):
        raise UsageError(f"{run_dir}: not a tuning run (evolve tune makes those)")
    return run_dir
