"""`evolve run` end to end, evaluations per second: the fork server against `--sandbox process`.

    python benchmarks/perf/run_throughput.py [--budget N] [--seed N] [--task DIR]

Copies a bundled repair task (caesar by default) to a temporary directory with ten cases,
one of which no variant can pass and no holdout, so the run never stops early as solved and
spends its whole budget (or stops when the search runs dry). Runs `evolve.run.start_run`
in-process, the same budget and seed with each sandbox mode, and prints evaluations per
second, where the wall time went (waiting on the sandbox vs. the engine's own work between
batches) and how many evaluations ended in a timeout (those legitimately cost time).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from evolve.evaluation.executor import LocalExecutor  # noqa: E402
from evolve.run import RunRequest, RunSummary, start_run  # noqa: E402

T = TypeVar("T")
R = TypeVar("R")
CASES = 10
# An expected value that no edit of a Caesar cipher (or anything else) returns: the run
# cannot be solved and so spends its budget.
UNSATISFIABLE = {"args": ["abc", 1], "expected": ["no variant returns this"]}


class TimedExecutor(LocalExecutor):
    """The default executor, timing how long the engine waits on each batch."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting_s = 0.0
        self.batches = 0

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        started = time.perf_counter()
        try:
            return super().map(fn, items)
        finally:
            self.waiting_s += time.perf_counter() - started
            self.batches += 1


class QuietReporter:
    def generation(self, stats: object) -> None:
        pass

    def accepted(self, change: object) -> None:
        pass

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None  # reporter hooks added later: ignore them too


def make_task(source: Path, directory: Path) -> Path:
    task = directory / source.name
    task.mkdir()
    toml = (source / "task.toml").read_text(encoding="utf-8")
    program_line = next(line for line in toml.splitlines() if line.startswith("program"))
    program = (source / program_line.split("=", 1)[1].strip().strip('"')).resolve()
    lines = [line for line in toml.splitlines() if not line.startswith("holdout")]
    lines = [f'program = "{program}"' if line.startswith("program") else line for line in lines]
    (task / "task.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cases = (source / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    kept = [line for line in cases if line.strip()][: CASES - 1]
    kept.append(json.dumps(UNSATISFIABLE))
    (task / "cases.jsonl").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return task


def one_run(task: Path, mode: str, args: argparse.Namespace, runs: Path) -> dict[str, Any]:
    executor = TimedExecutor()
    request = RunRequest(
        task_dir=task, seed=args.seed, budget=args.budget, runs_dir=runs, sandbox=mode
    )  # type: ignore[arg-type]
    started = time.perf_counter()
    try:
        summary: RunSummary = start_run(request, QuietReporter(), executor)  # type: ignore[arg-type]
    finally:
        executor.close()
    wall = time.perf_counter() - started
    statuses = dict(getattr(summary, "statuses", {}) or {})
    return {
        "mode": mode,
        "evaluations": summary.evaluations,
        "wall_s": wall,
        "rate": summary.evaluations / wall,
        "sandbox_s": executor.waiting_s,
        "engine_s": wall - executor.waiting_s,
        "generations": summary.generations,
        "cache_hits": summary.cache_hits,
        "stop": summary.stop_reason,
        "timeouts": statuses.get("timeout", 0),
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--task", type=Path, default=ROOT / "benchmarks" / "repair" / "caesar")
    parser.add_argument("--modes", default="fork,process", help="comma-separated, in order")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="evolve-throughput-") as scratch:
        task = make_task(args.task, Path(scratch))
        for mode in args.modes.split(","):
            rows.append(one_run(task, mode, args, Path(scratch) / "runs"))
            shutil.rmtree(Path(scratch) / "runs", ignore_errors=True)
    print(
        f"task: {args.task.name} ({CASES} cases, one unsatisfiable, no holdout),"
        f" budget {args.budget}, seed {args.seed}"
    )
    header = f"{'sandbox':<9}{'evals':>7}{'wall s':>8}{'evals/s':>9}{'in sandbox s':>14}"
    print(header + f"{'engine s':>10}{'gens':>6}{'hits':>6}{'timeouts':>10}  stop")
    for r in rows:
        print(
            f"{r['mode']:<9}{r['evaluations']:>7}{r['wall_s']:>8.2f}{r['rate']:>9.1f}"
            f"{r['sandbox_s']:>14.2f}{r['engine_s']:>10.2f}{r['generations']:>6}"
            f"{r['cache_hits']:>6}{r['timeouts']:>10}  {r['stop']}"
        )
    if len(rows) == 2:
        print(f"{rows[0]['mode']}/{rows[1]['mode']}: {rows[0]['rate'] / rows[1]['rate']:.1f}x")


if __name__ == "__main__":
    main()
