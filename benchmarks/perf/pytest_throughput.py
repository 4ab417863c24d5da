"""Pytest suites through the engine, evaluations per second, side by side in one run.

    python benchmarks/perf/pytest_throughput.py [--budget N] [--seed N] [--fresh N]

(a) a 15-test pytest file end to end through the engine (`evolve.run.start_run`, the fork
    server, as `evolve run` does), a repair whose last test no variant passes, so the run
    spends its budget;
(b) the same file in a fresh `python -m pytest` process per variant, two processes at a
    time (what a tool that shells out to pytest pays), with the environment's plugins
    autoloaded as a user runs it, and (b') with autoload off, as the sandbox runs pytest;
(c) a 200-test suite (ten functions, twenty tests each) through the engine, where each
    variant's edits reach a few functions and test selection runs only their tests.

Rates are measured in the same run, so their ratio means something on a loaded machine;
absolute numbers do not.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from evolve.run import RunRequest, RunSummary, start_run  # noqa: E402

PROGRAM = """\
def clamp(x, low, high):
    if x < low:
        return low
    if x > high:
        return high
    return x


def mean(values):
    total = 0
    for v in values:
        total += v
    return total / len(values)


def count_words(text):
    return len([w for w in text.split(" ") if w])


def reverse_words(text):
    return " ".join(reversed(text.split()))


def is_sorted(values):
    for i in range(len(values) - 1):
        if values[i] > values[i + 1]:
            return False
    return True
"""
TESTS = """\
from prog import clamp, count_words, is_sorted, mean, reverse_words


def test_clamp_low():
    assert clamp(-5, 0, 10) == 0


def test_clamp_high():
    assert clamp(50, 0, 10) == 10


def test_clamp_inside():
    assert clamp(5, 0, 10) == 5


def test_mean_one():
    assert mean([4]) == 4


def test_mean_many():
    assert mean([1, 2, 3, 4]) == 2.5


def test_mean_negative():
    assert mean([-2, 2]) == 0


def test_count_words():
    assert count_words("a b  c") == 3


def test_count_empty():
    assert count_words("") == 0


def test_count_one():
    assert count_words("word") == 1


def test_reverse():
    assert reverse_words("a b c") == "c b a"


def test_reverse_one():
    assert reverse_words("a") == "a"


def test_sorted():
    assert is_sorted([1, 2, 2, 3])


def test_not_sorted():
    assert not is_sorted([2, 1])


def test_sorted_empty():
    assert is_sorted([])


def test_unsatisfiable():
    assert clamp(1, 0, 10) == "no variant returns this"
"""
TASK = """\
[task]
program = "prog.py"
goal = "repair"

[tests]
pytest = "{tests}"

[limits]
wall_s = 5.0
cpu_s = 2.0
"""
FUNCTIONS = 10
PER_FUNCTION = 20


def large_program() -> tuple[str, str]:
    """Ten functions and twenty tests each, one function with a bug (a test per function
    no variant passes keeps the run from ending)."""
    program = []
    tests = ["import big\n"]
    for f in range(FUNCTIONS):
        program.append(
            f"def f{f}(x):\n    total = 0\n    for i in range(x):\n"
            f"        total += i * {f + 1}\n    return total\n\n\n"
        )
        for t in range(PER_FUNCTION):
            expected = sum(i * (f + 1) for i in range(t))
            if t == PER_FUNCTION - 1:
                expected = -1  # unsatisfiable
            tests.append(f"\n\ndef test_f{f}_{t}():\n    assert big.f{f}({t}) == {expected}\n")
    return "".join(program), "".join(tests)


class QuietReporter:
    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def engine(task: Path, budget: int, seed: int, runs: Path) -> dict[str, Any]:
    request = RunRequest(task_dir=task, seed=seed, budget=budget, runs_dir=runs)
    started = time.perf_counter()
    summary: RunSummary = start_run(request, QuietReporter())  # type: ignore[arg-type]
    wall = time.perf_counter() - started
    return {"evaluations": summary.evaluations, "wall_s": wall, "rate": summary.evaluations / wall}


def fresh_processes(task: Path, count: int, *, autoload: bool = True) -> dict[str, Any]:
    """`python -m pytest` on the file, once per variant, two at a time: as a user runs it
    (plugins of the environment autoloaded), or with autoload off as the sandbox runs it."""
    env = dict(os.environ)
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"

    def one(index: int) -> None:
        with tempfile.TemporaryDirectory(prefix="evolve-fresh-") as directory:
            (Path(directory) / "prog.py").write_text(PROGRAM)
            (Path(directory) / "test_prog.py").write_text(TESTS)
            subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_prog.py"],
                cwd=directory,
                capture_output=True,
                env=env,
                check=False,
            )

    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, range(count)))
    wall = time.perf_counter() - started
    return {"evaluations": count, "wall_s": wall, "rate": count / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", type=int, default=20, help="fresh pytest processes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="evolve-pytest-throughput-") as scratch:
        small = Path(scratch) / "small"
        small.mkdir()
        (small / "prog.py").write_text(PROGRAM)
        (small / "test_prog.py").write_text(TESTS)
        (small / "task.toml").write_text(TASK.format(tests="test_prog.py"))
        large = Path(scratch) / "large"
        large.mkdir()
        program, tests = large_program()
        (large / "big.py").write_text(program)
        (large / "test_big.py").write_text(tests)
        (large / "task.toml").write_text(
            TASK.format(tests="test_big.py").replace("prog.py", "big.py")
        )
        a = engine(small, args.budget, args.seed, Path(scratch) / "runs-a")
        b = fresh_processes(small, args.fresh)
        b_bare = fresh_processes(small, args.fresh, autoload=False)
        c = engine(large, args.budget, args.seed, Path(scratch) / "runs-c")
    print(f"budget {args.budget}, seed {args.seed}, load {os.getloadavg()[0]:.1f}")
    print(f"{'':<44}{'evals':>7}{'wall s':>9}{'evals/s':>9}")
    for label, row in (
        ("(a) 15 tests, engine (fork server)", a),
        ("(b) 15 tests, fresh pytest process, 2 at once", b),
        ("(b') the same, plugin autoload off", b_bare),
        ("(c) 200 tests, engine, test selection", c),
    ):
        print(f"{label:<44}{row['evaluations']:>7}{row['wall_s']:>9.2f}{row['rate']:>9.1f}")
    print(f"(a)/(b): {a['rate'] / b['rate']:.1f}x   (a)/(b'): {a['rate'] / b_bare['rate']:.1f}x")


if __name__ == "__main__":
    main()
