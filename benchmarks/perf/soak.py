"""Soak: many evaluations through the engine's evaluation path, watching for leaks.

    python benchmarks/perf/soak.py [--evaluations 100000] [--sample-every 2000] [--round 5000]

Drives `Evaluator` + `LocalExecutor` + the fork-server sandbox, exactly as a run does, with
fresh variants of a small program (every one a cache miss): mostly passing or failing, some
raising, some that do not compile, and one in a thousand that loops until the per-case
timeout kills it. Every `--round` evaluations a new Evaluator and run store take over, as in
a new run, while the executor and the sandbox stay for the whole soak: what they hold must
not grow. Every `--sample-every` evaluations it samples the engine process's open file
descriptors (/proc/self/fd), its child processes (from /proc, so psutil is not needed) and
its resident memory (VmRSS), and prints first, last and largest values with the growth from
the first sample (taken after warm-up) to the last. Exit status 1 when any of them grew.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from evolve.evaluation.evaluator import Evaluator, Variant, source_hash  # noqa: E402
from evolve.evaluation.executor import LocalExecutor  # noqa: E402
from evolve.evaluation.jobs import LazySandbox  # noqa: E402
from evolve.run import read_program  # noqa: E402
from evolve.store.database import RunStore  # noqa: E402
from evolve.task import load_task  # noqa: E402

BATCH = 100  # variants per generation, as a population of 100 would send

SEED = "def add(a, b):\n    return a + b\n"
BODIES = (
    "    return a + b\n",  # ok
    "    return a - b\n",  # failed
    "    return a * b + {i}\n",  # failed
    "    raise ValueError({i})\n",  # every case raises
    "    return a +\n",  # does not compile: never reaches the sandbox
)
LOOP = "    while True:\n        pass\n"  # killed at the per-case timeout


@dataclass(frozen=True)
class Sample:
    evaluations: int
    fds: int
    children: int
    rss_mb: float


def sample(evaluations: int) -> Sample:
    me = os.getpid()
    children = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue  # it ended while we looked
            if int(stat.rpartition(")")[2].split()[1]) == me:
                children += 1
    rss_kb = next(
        int(line.split()[1])
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmRSS:")
    )
    return Sample(evaluations, len(os.listdir("/proc/self/fd")), children, rss_kb / 1024)


def make_task(directory: Path) -> Path:
    (directory / "seed.py").write_text(SEED)
    cases = "".join(f'{{"args": [{a}, {b}], "expected": {a + b}}}\n' for a, b in [(1, 2), (5, 0)])
    (directory / "cases.jsonl").write_text(cases + '{"args": [-3, 3], "expected": 0}\n')
    (directory / "task.toml").write_text(
        '[task]\nprogram = "seed.py"\nentry = "add"\ngoal = "repair"\n'
        '[tests]\ncases = "cases.jsonl"\n'
        "[limits]\nwall_s = 2.0\ncpu_s = 1.0\nmemory_mb = 256\n"
    )
    return directory


def variant_source(i: int) -> str:
    body = LOOP if i % 1000 == 999 else BODIES[i % len(BODIES)].format(i=i)
    # The constant makes every source (and its syntax tree) new: no cache hit, ever.
    return f"VARIANT = {i}\n\n\ndef add(a, b):\n{body}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=100_000)
    parser.add_argument("--sample-every", type=int, default=2000)
    parser.add_argument("--round", type=int, default=5000, help="evaluations per Evaluator")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="evolve-soak-"))
    task = load_task(make_task(scratch))
    program = read_program(task)
    executor = LocalExecutor()
    sandbox = LazySandbox("fork")
    samples: list[Sample] = []
    statuses: dict[str, int] = {}
    done = 0
    started = time.monotonic()
    try:
        while done < args.evaluations:
            run_dir = scratch / f"run-{done}"
            store = RunStore.create(run_dir)
            evaluator = Evaluator(task, program, store, executor, sandbox, sandbox_mode="fork")
            try:
                end = min(done + args.round, args.evaluations)
                while done < end:
                    count = min(BATCH, end - done)
                    batch = [variant_source(done + k) for k in range(count)]
                    variants = [Variant(patch=(), source=s, digest=source_hash(s)) for s in batch]
                    for evaluation in evaluator.evaluate(variants, done // BATCH, count):
                        assert evaluation is not None
                        statuses[evaluation.status.value] = (
                            statuses.get(evaluation.status.value, 0) + 1
                        )
                    done += count
                    if done % args.sample_every == 0 or done == args.evaluations:
                        samples.append(sample(done))
                        rate = done / (time.monotonic() - started)
                        last = samples[-1]
                        print(
                            f"{done:>8} evaluations {rate:7.1f}/s  fds {last.fds:>4}"
                            f"  children {last.children:>3}  rss {last.rss_mb:7.1f} MB",
                            flush=True,
                        )
            finally:
                store.close()
                shutil.rmtree(run_dir, ignore_errors=True)
    finally:
        executor.close()
        sandbox.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return report(samples, statuses, time.monotonic() - started)


def report(samples: list[Sample], statuses: dict[str, int], wall_s: float) -> int:
    total = samples[-1].evaluations
    print(f"\n{total} evaluations in {wall_s:.0f} s ({total / wall_s:.1f}/s); statuses {statuses}")
    print(f"machine: {os.cpu_count()} cores; samples after {samples[0].evaluations} (warm-up)")
    grew = False
    # Memory that settles after warm-up still moves by allocator noise; 8 MB more is growth.
    for name, unit, tolerance in (("fds", "", 0), ("children", "", 0), ("rss_mb", " MB", 8.0)):
        values = [getattr(s, name) for s in samples]
        growth = values[-1] - values[0]
        verdict = "no growth" if growth <= tolerance else "GREW"
        grew |= growth > tolerance
        print(
            f"{name:<9} first {values[0]:>8.1f}{unit}  last {values[-1]:>8.1f}{unit}"
            f"  max {max(values):>8.1f}{unit}  growth {growth:+.1f}{unit}  {verdict}"
        )
    return 1 if grew else 0


if __name__ == "__main__":
    sys.exit(main())
