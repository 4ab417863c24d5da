"""Evaluations per second: the fork server, a fresh process per variant, a pytest process.

    python benchmarks/perf/sandbox.py [--evaluations N]

Runs the bundled luhn task's ten cases against its reference program. Every evaluation gets
a source of its own (the reference plus a numbered comment), as every variant of a run is new:
nothing the fork server caches per source (the compiled code) is reused. Does not import
`evolve`: the cases are read with plain json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sandbox import Case, CaseSuite, Evaluation, ForkServer, Limits, Status, evaluate  # noqa: E402

TASK = ROOT / "benchmarks" / "repair" / "luhn"
ENTRY = "luhn_valid"
LIMITS = Limits(wall_s=2.0, cpu_s=1.0, memory_mb=256)


def load_suite() -> CaseSuite:
    lines = (TASK / "cases.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines if line.strip()][:10]
    cases = tuple(
        Case(f"case{i}", tuple(r["args"]), r.get("kwargs", {}), r["expected"])
        for i, r in enumerate(records)
    )
    return CaseSuite(ENTRY, cases)


def pytest_file(suite: CaseSuite, directory: Path) -> Path:
    body = ["import pytest", "from variant import " + ENTRY, "", "CASES = ["]
    body += [f"    ({list(c.args)!r}, {c.expected!r})," for c in suite.cases]
    body += ["]", "", "@pytest.mark.parametrize('args, expected', CASES)"]
    body += ["def test_case(args, expected):", f"    assert {ENTRY}(*args) == expected", ""]
    path = directory / "test_variant.py"
    path.write_text("\n".join(body))
    return path


def pytest_process(source: str, test_file: Path, workdir: Path) -> bool:
    (workdir / "variant.py").write_text(source)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        cwd=workdir,
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def timed(label: str, count: int, run: Callable[[], object]) -> tuple[str, float, float]:
    run()  # warm up
    times = []
    started = time.perf_counter()
    for _ in range(count):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - started
    return label, count / total, statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=200, help="per mode (pytest: /10)")
    args = parser.parse_args()
    suite = load_suite()
    source = (TASK / "reference.py").read_text()
    rows = []
    with ForkServer() as server:
        first = server.evaluate(source, suite, LIMITS, module_name="variant")
        check(first, "fork server")
        print("layers:", ", ".join(first.layers))

        numbers = itertools.count()

        def variant() -> str:
            return f"{source}\n# variant {next(numbers)}\n"

        def fork_one() -> Evaluation:
            return server.evaluate(variant(), suite, LIMITS)

        rows.append(timed("fork server", args.evaluations, fork_one))
    check(evaluate(source, suite, LIMITS), "fresh process")
    rows.append(
        timed(
            "fresh process",
            max(10, args.evaluations // 4),
            lambda: evaluate(variant(), suite, LIMITS),
        )
    )
    with tempfile.TemporaryDirectory() as scratch:
        test_file = pytest_file(suite, Path(scratch))
        workdir = Path(scratch) / "run"
        workdir.mkdir()
        if not pytest_process(source, test_file, workdir):
            raise SystemExit("the reference program fails its pytest file")
        rows.append(
            timed(
                "pytest process",
                max(5, args.evaluations // 20),
                lambda: pytest_process(source, test_file, workdir),
            )
        )
    print(f"{'mode':<16}{'evals/s':>10}{'median ms':>12}")
    for label, rate, median in rows:
        print(f"{label:<16}{rate:>10.1f}{median:>12.2f}")
    # Ratios of the medians, all from this run: on a shared machine, a ratio of two runs
    # measures the neighbours.
    fork, process, pytest_ms = (row[2] for row in rows)
    print(
        f"process/fork: {process / fork:.1f}x   pytest/fork: {pytest_ms / fork:.1f}x"
        f"   (median ms per evaluation; {os.cpu_count()} cores, one evaluation at a time)"
    )


def check(result: Evaluation, mode: str) -> None:
    if result.status is not Status.OK:
        raise SystemExit(f"{mode}: the reference program did not pass: {result.message}")


if __name__ == "__main__":
    main()
