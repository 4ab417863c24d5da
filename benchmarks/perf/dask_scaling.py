"""Evaluations per second on a Dask cluster of 1, 2 and 4 worker processes, and how it scales.

    python benchmarks/perf/dask_scaling.py [--evaluations 1000] [--workers 1,2,4] [--task DIR]

For each size it starts a local Dask cluster of that many worker processes (one thread each,
`distributed.LocalCluster(processes=True)`), connects the engine's `DaskExecutor` to it as
`--executor dask://...` does, and sends fresh variants of one task's program (caesar by
default; every variant is the seed plus a unique constant, so each is a cache miss and costs
what the seed costs) through the engine's `Evaluator` in batches of 100, the size of a
generation. Each worker's sandbox is warmed up first. It prints evaluations per second, the
scaling efficiency, rate(n) / (n * rate(1)), and each size's rate over the local executor's,
measured in the same run: on a shared machine the absolute rates drift from run to run, the
ratio much less.
On a machine with fewer cores than workers the efficiency says more about the cores than
about Dask: the output names the core count.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from distributed import LocalCluster  # noqa: E402

from evolve.evaluation.dask_executor import DaskExecutor  # noqa: E402
from evolve.evaluation.evaluator import Evaluator, Variant, source_hash  # noqa: E402
from evolve.evaluation.executor import Executor, LocalExecutor  # noqa: E402
from evolve.evaluation.jobs import LazySandbox  # noqa: E402
from evolve.program.program import Program  # noqa: E402
from evolve.run import read_program  # noqa: E402
from evolve.store.database import RunStore  # noqa: E402
from evolve.task import Task, load_task  # noqa: E402

BATCH = 100


def throughput(
    task: Task, program: Program, executor: Executor, evaluations: int, warm_up: int, runs: Path
) -> float:
    """Evaluations per second after `warm_up` evaluations have started every sandbox."""
    sandbox = LazySandbox("fork")  # used by the local executor only
    store = RunStore.create(runs / f"run-{len(list(runs.iterdir()))}")
    evaluator = Evaluator(task, program, store, executor, sandbox, sandbox_mode="fork")
    counter = 0

    def batch(count: int) -> None:
        nonlocal counter
        sources = [f"{program.source}\nSCALING_VARIANT = {counter + k}\n" for k in range(count)]
        counter += count
        variants = [Variant(patch=(), source=s, digest=source_hash(s)) for s in sources]
        evaluator.evaluate(variants, 0, count)

    try:
        batch(warm_up)
        started = time.perf_counter()
        for offset in range(0, evaluations, BATCH):
            batch(min(BATCH, evaluations - offset))
        return evaluations / (time.perf_counter() - started)
    finally:
        store.close()
        sandbox.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=1000)
    parser.add_argument("--workers", default="1,2,4", help="cluster sizes, comma-separated")
    parser.add_argument("--task", type=Path, default=ROOT / "benchmarks" / "repair" / "caesar")
    args = parser.parse_args()
    task = load_task(args.task)
    program = read_program(task)
    sizes = [int(n) for n in args.workers.split(",")]
    runs = Path(tempfile.mkdtemp(prefix="evolve-scaling-"))
    rates: dict[int, float] = {}
    try:
        for size in sizes:
            with LocalCluster(
                n_workers=size,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: the default one may be taken
                silence_logs=logging.ERROR,
            ) as cluster:
                address = str(cluster.scheduler_address).removeprefix("tcp://")
                executor = DaskExecutor.connect(address)
                try:
                    rates[size] = throughput(
                        task, program, executor, args.evaluations, 4 * size, runs
                    )
                finally:
                    executor.close()
            print(f"{size} worker(s): {rates[size]:.1f} evaluations/s", flush=True)
        local = LocalExecutor()
        try:
            local_rate = throughput(task, program, local, args.evaluations, 4, runs)
        finally:
            local.close()
    finally:
        shutil.rmtree(runs, ignore_errors=True)
    print(
        f"\ntask {task.name}, {args.evaluations} evaluations per size, batches of {BATCH};"
        f" this machine has {os.cpu_count()} cores"
    )
    base = rates.get(1)
    print(f"{'workers':>8}{'evals/s':>10}{'speed-up':>10}{'efficiency':>12}{'vs local':>10}")
    for size in sizes:
        speedup = rates[size] / base if base else float("nan")
        print(
            f"{size:>8}{rates[size]:>10.1f}{speedup:>10.2f}{speedup / size:>12.0%}"
            f"{rates[size] / local_rate:>10.2f}"
        )
    print(f"{'local':>8}{local_rate:>10.1f}   (--executor local: {os.cpu_count()} threads)")
    if any(size > (os.cpu_count() or 1) for size in sizes):
        print(
            f"note: more workers than the {os.cpu_count()} cores here cannot run at once;"
            " beyond that count the efficiency measures the cores, not the cluster"
        )


if __name__ == "__main__":
    main()
