"""The verbs for stopping and looking at a run: `evolve stop RUN`, `evolve report RUN`.

Registered on the main parser by `evolve/cli.py`; errors are `UsageError`s like every verb's.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from evolve.errors import UsageError
from evolve.report import REPORT_FILE, write_report
from evolve.run import STOP_FILE, resolve_run
from evolve.store.database import RunStore


def register(commands: Any) -> None:
    """Add the verbs to the subparsers action of the main parser."""
    stop = commands.add_parser(
        "stop", help="stop a running run at its next generation boundary (writes a STOP file)"
    )
    stop.add_argument("run", help="run id or run directory")
    _runs_dir(stop)
    stop.set_defaults(command=cmd_stop)

    report = commands.add_parser("report", help="write a self-contained HTML report of a run")
    report.add_argument("run", help="run id or run directory")
    report.add_argument("--out", type=Path, help=f"output file (default: RUN/{REPORT_FILE})")
    _runs_dir(report)
    report.set_defaults(command=cmd_report)


def _runs_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs-dir", type=Path, default=Path("runs"), help="default: ./runs")


def cmd_stop(args: argparse.Namespace) -> int:
    run_dir = resolve_run(args.run, args.runs_dir)
    store = RunStore.open(run_dir)
    try:
        finished = "finished_at" in store.config()
    finally:
        store.close()
    if finished:
        raise UsageError(f"{args.run}: the run has already finished")
    # The file's content is for the record only: its presence is the request.
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    (run_dir / STOP_FILE).write_text(
        f"stop requested by evolve stop, pid {os.getpid()}, at {stamp}\n", encoding="utf-8"
    )
    print(f"stop requested: {run_dir} ends at the end of its current generation")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    run_dir = resolve_run(args.run, args.runs_dir)
    out = args.out
    if out is not None and not out.parent.is_dir():
        raise UsageError(f"--out {out}: no such directory {out.parent}")
    print(f"report written to {write_report(run_dir, out)}")
    return 0
