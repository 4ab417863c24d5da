"""Time `Program.parse` over every seed under `seeds/`: what finding sites and payloads costs.

    python benchmarks/perf/parse.py [--repeat 15] [--root DIR]

Each seed file is parsed `--repeat` times (a package directory once as a program of several
files, as a task names it); the script prints each seed's median in milliseconds, its site
and edit counts, and the median of the summed time of one parse of every seed. Operators
compute every site's payloads when the seed is parsed, so this is what a new operator costs
before a run starts. `--root` measures another checkout (its `seeds/` with its engine).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    sys.path.insert(0, str(args.root))
    from evolve.program.program import Program

    seeds = args.root / "seeds"
    programs: list[tuple[str, dict[str, str]]] = []
    packages = seeds / "packages"
    for path in sorted(seeds.rglob("*.py")):
        if packages in path.parents:
            continue
        programs.append((str(path.relative_to(seeds)), {path.name: path.read_text()}))
    for package in sorted(p for p in packages.iterdir() if p.is_dir()):
        files = {str(f.relative_to(packages)): f.read_text() for f in sorted(package.rglob("*.py"))}
        programs.append((str(package.relative_to(seeds)) + "/", files))

    def parse(files: dict[str, str]) -> Program:
        if len(files) == 1:
            ((name, source),) = files.items()
            return Program.parse(source, path=name)
        return Program.parse_files(files, path="packages")

    totals = [0.0] * args.repeat
    for name, files in programs:
        times = []
        for round_ in range(args.repeat):
            start = time.perf_counter()
            program = parse(files)
            elapsed = time.perf_counter() - start
            times.append(elapsed)
            totals[round_] += elapsed
        edits = sum(len(program.edits_at(site.address)) for site in program.sites)
        median = statistics.median(times) * 1000
        print(f"{name:32} {median:8.2f} ms  {len(program.sites):5} sites  {edits:6} edits")
    print(f"all seeds: median {statistics.median(totals) * 1000:.1f} ms per parse of every seed")


if __name__ == "__main__":
    main()
