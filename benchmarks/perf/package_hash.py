"""Time the cache key of a variant of a package: `normalised_hash` over this project's own
`evolve` package (the program of the self tasks, `benchmarks/self/`), one file changed per
variant, with per-file hashes remembered (as the engine does) against parsing every file
again (the baseline, measured in the same run).

    python benchmarks/perf/package_hash.py [--variants 20]

Prints the median milliseconds a variant for each and the ratio baseline / cached.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Ahead of this script's folder, whose sandbox.py would shadow the package.
sys.path.insert(0, str(ROOT))

from evolve.evaluation import evaluator  # noqa: E402
from evolve.evaluation.evaluator import normalised_hash  # noqa: E402


def variants(count: int) -> list[dict[str, str]]:
    """The package's files as a program of several files holds them; in each variant one
    file (a different one each time) gains a line, as an edit changes one file."""
    package = ROOT / "evolve"
    files = {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(package.rglob("*.py"))
    }
    names = sorted(files)
    result = []
    for index in range(count):
        changed = names[index % len(names)]
        result.append({**files, changed: files[changed] + f"\nVARIANT = {index}\n"})
    return result


def timed(hash_files: Callable[[dict[str, str]], str], programs: list[dict[str, str]]) -> float:
    times = []
    for program in programs:
        started = time.perf_counter()
        hash_files(program)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def uncached(program: dict[str, str]) -> str:
    keys = [[name, evaluator._file_hash.__wrapped__(text)] for name, text in program.items()]
    return "files:" + evaluator.source_hash(evaluator.json.dumps(keys))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=20)
    args = parser.parse_args()
    programs = variants(args.variants)
    assert all(uncached(p) == normalised_hash(p) for p in programs[:2])  # the same keys
    evaluator._file_hash.cache_clear()
    normalised_hash(programs[0])  # the seed's files, remembered as a run's first variant would
    baseline = timed(uncached, programs)
    cached = timed(normalised_hash, programs)
    print(f"files: {len(programs[0])}, variants: {len(programs)}")
    print(f"every file parsed again: {baseline:8.1f} ms a variant")
    print(f"per-file hashes kept:    {cached:8.1f} ms a variant")
    print(f"ratio: {baseline / cached:.1f}x")


if __name__ == "__main__":
    main()
