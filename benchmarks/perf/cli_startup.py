"""Time the command line's start: `evolve --help` and `evolve log RUN`, against baselines
measured in the same run.

    python benchmarks/perf/cli_startup.py [--repeat 15]

Each command runs `--repeat` times as a fresh `python -m evolve.cli` process; the script
prints the median wall time and CPU time (user + system, of the child) of each, and their
ratios to two baselines: a bare interpreter (`python -c pass`: the floor no command can go
under) and importing what every verb used to load at start-up (the engine, scipy.stats,
Hypothesis, plotly and Dask's client: the cost the lazy imports save). The targets are
`evolve --help` at most 0.3 s and `evolve log RUN` at most 0.5 s; the script exits 1 when
a median misses its target. The run that `log` reads is made first, in a temporary
directory, by a short `evolve run` of the bundled caesar repair.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
EVERYTHING = (
    "import evolve.run, evolve.report, evolve.audit.verify, scipy.stats, hypothesis,"
    " plotly.graph_objects, distributed"
)
TARGETS = {"evolve --help": 0.3, "evolve log RUN": 0.5}


def timed(argv: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `argv`, run `repeat` times (after one warm-up run that
    fills the file cache)."""
    walls: list[float] = []
    cpus: list[float] = []
    for round_ in range(repeat + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if round_:
            walls.append(wall)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    cli = [PYTHON, "-m", "evolve.cli"]
    with tempfile.TemporaryDirectory(prefix="evolve-cli-startup-") as scratch:
        runs = Path(scratch) / "runs"
        demo = ["run", str(ROOT / "benchmarks/repair/caesar"), "--seed", "1", "--budget", "200"]
        subprocess.run(
            [*cli, *demo, "--runs-dir", str(runs), "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        [run_dir] = runs.iterdir()
        commands = {
            "python -c pass": [PYTHON, "-c", "pass"],
            "import everything": [PYTHON, "-c", EVERYTHING],
            "evolve --help": [*cli, "--help"],
            "evolve log RUN": [*cli, "log", str(run_dir)],
        }
        results = {name: timed(argv, args.repeat) for name, argv in commands.items()}
    bare_wall, _ = results["python -c pass"]
    eager_wall, _ = results["import everything"]
    print(f"{'command':20} {'wall s':>8} {'cpu s':>8} {'x bare':>8} {'/ eager':>8}  target")
    missed = False
    for name, (wall, cpu) in results.items():
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            verdict = f"<= {target} s {'ok' if wall <= target else 'MISSED'}"
            missed |= wall > target
        print(
            f"{name:20} {wall:8.3f} {cpu:8.3f} {wall / bare_wall:8.1f} {wall / eager_wall:8.2f}"
            f"  {verdict}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
