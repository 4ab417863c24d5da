"""`evolve bench SUITE`: every task of a suite, K seeds, each algorithm; one table each
(`evolve.bench` does the work)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from evolve.commands.render import print_json
from evolve.errors import UsageError
from evolve.store.runs import check_runs_dir


def cmd_bench(args: argparse.Namespace) -> int:
    from evolve.bench import run_bench, summarise, table  # the engine: libcst, DEAP, numpy
    from evolve.search import Algorithm
    from evolve.tune.profile import profile_settings

    if not args.suite.is_dir():
        raise UsageError(f"{args.suite}: not a directory")
    if args.runs < 1 or args.budget < 1 or (args.population is not None and args.population < 2):
        raise UsageError("--runs and --budget must be positive, --population at least 2")
    settings = profile_settings(
        args.profile, population=args.population, partial_repairs=args.partial_repairs
    )
    default = (settings.algorithm.value,) if args.profile else ("lexicase", "random")
    algorithms = [Algorithm(name) for name in args.algorithm or default]
    if args.runs_dir is not None:
        check_runs_dir(args.runs_dir)
    temporary = args.runs_dir is None
    runs_dir = Path(tempfile.mkdtemp(prefix="evolve-bench-")) if temporary else args.runs_dir
    try:
        outcomes = run_bench(
            args.suite,
            algorithms,
            runs=args.runs,
            budget=args.budget,
            runs_dir=runs_dir,
            log=sys.stderr,
            hide_holdout=args.hide_holdout,
            settings=settings,
        )
    finally:
        if temporary:
            shutil.rmtree(runs_dir, ignore_errors=True)
    rows = summarise(outcomes)
    if not args.json:
        print(table(rows))
        return 0
    document = {
        "suite": str(args.suite),
        "runs": args.runs,
        "budget": args.budget,
        "hide_holdout": args.hide_holdout,
        "settings": settings.to_json(),
        "algorithms": [asdict(row) for row in rows],
        "outcomes": [asdict(outcome) for outcome in outcomes],
    }
    print_json(document)
    return 0
