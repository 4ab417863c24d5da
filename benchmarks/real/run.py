"""Real packages as benchmarks: a planted defect, the package's own test suite, `evolve run`.

    python benchmarks/real/run.py [--only NAME ...] [--budget N] [--seed N] [--cache DIR]

For each package below: download its pinned source distribution from PyPI (with pip, into a
cache directory, never into this repository), unpack it in a temporary directory, plant our
defect (`defects/NAME.patch`, a unified diff with the story in its header), write a task
over the package's own tests, run `evolve run`, then run the champion against the whole
suite with no test selection (`evolve eval --program`). Prints, per package: solved, the
whole suite passing on the champion, evaluations, wall time, evaluations per second.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_CACHE = Path.home() / ".cache" / "evolve-real"


@dataclass(frozen=True)
class Package:
    name: str  # on PyPI
    version: str
    licence: str
    program: str  # task.toml `program`
    tests: list[str]  # task.toml `pytest`
    files: list[str] = field(default_factory=list)  # task.toml `files`
    args: list[str] = field(default_factory=list)  # task.toml `pytest_args`
    budget: int = 1500

    @property
    def folder(self) -> str:
        return f"{self.name.replace('-', '_')}-{self.version}"


PACKAGES = (
    Package("inflection", "0.5.1", "MIT", "inflection", ["test_inflection.py"]),
    Package(
        "six",
        "1.17.0",
        "MIT",
        "six.py",
        ["test_six.py"],
        # Runs a shell command, which the sandbox does not allow.
        args=["--deselect", "test_six.py::test_getoutput"],
    ),
    Package(
        "toolz",
        "1.2.0",
        "BSD-3-Clause",
        "toolz",
        ["toolz/tests"],
        files=["tlz/*.py"],
        # Reads the installed distribution's metadata, which an unpacked sdist has not.
        args=["--deselect", "toolz/tests/test_package.py::test_version"],
    ),
)

TASK = """\
[task]
name = "{name}"
description = "{name} {version} with a planted defect (benchmarks/real/defects/{name}.patch)"
program = "{program}"
goal = "repair"

[tests]
pytest = {tests}
files = {files}
pytest_args = {args}

[limits]
wall_s = 20.0
cpu_s = 10.0
memory_mb = 512

[search]
budget = {budget}
"""


def fetch(package: Package, cache: Path) -> Path:
    """The sdist, downloaded once into `cache` by pip."""
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(cache.glob(f"{package.folder}.tar.gz")) or sorted(
        cache.glob(f"{package.name}-{package.version}.tar.gz")
    )
    if not found:
        pin = f"{package.name}=={package.version}"
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        subprocess.run([*pip, "--no-binary", ":all:", pin, "-d", str(cache)], check=True)
        found = sorted(cache.glob(f"*{package.version}.tar.gz"))
        found = [p for p in found if p.name.lower().startswith(package.name[:4].lower())]
    if not found:
        raise SystemExit(f"{package.name}: no source distribution downloaded")
    return found[0]


def unpack(archive: Path, into: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    [project] = [p for p in into.iterdir() if p.is_dir()]
    return project


def plant(project: Path, name: str) -> None:
    patch = HERE / "defects" / f"{name}.patch"
    subprocess.run(["patch", "-p1", "--quiet", "-d", str(project), "-i", str(patch)], check=True)


def evolve(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "evolve.cli", *args, "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"evolve {args[0]} failed ({done.returncode}): {done.stderr.strip()}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def benchmark(
    package: Package, scratch: Path, cache: Path, seed: int, budget: int | None
) -> dict[str, Any]:
    project = unpack(fetch(package, cache), scratch / package.name)
    plant(project, package.name)
    (project / "task.toml").write_text(
        TASK.format(
            name=package.name,
            version=package.version,
            program=package.program,
            tests=json.dumps(package.tests),
            files=json.dumps(package.files),
            args=json.dumps(package.args),
            budget=budget or package.budget,
        )
    )
    seed_eval = evolve("eval", str(project))
    started = time.perf_counter()
    summary = evolve(
        "run", str(project), "--seed", str(seed), "--quiet", "--runs-dir", str(scratch / "runs")
    )
    wall = time.perf_counter() - started
    champion = Path(summary["champion_path"])
    if champion.suffix == ".json":  # a program of several files: file name -> source
        folder = scratch / f"{package.name}-champion"
        for name, text in json.loads(champion.read_text()).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
        champion = folder
    whole = evolve("eval", str(project), "--program", str(champion))
    return {
        "package": f"{package.name} {package.version}",
        "tests": seed_eval["total"],
        "seed_passed": seed_eval["passed"],
        "solved": summary["solved"],
        "whole_suite": whole["status"] == "ok",
        "evaluations": summary["evaluations"],
        "wall_s": round(wall, 1),
        "evals_per_s": round(summary["evaluations"] / wall, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="package name (repeatable)")
    parser.add_argument("--budget", type=int, help="evaluations per run (default: per package)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--json", action="store_true", help="one JSON object a package")
    args = parser.parse_args(argv)
    chosen = [p for p in PACKAGES if not args.only or p.name in args.only]
    rows = []
    with tempfile.TemporaryDirectory(prefix="evolve-real-") as scratch:
        for package in chosen:
            rows.append(benchmark(package, Path(scratch), args.cache, args.seed, args.budget))
            if args.json:
                print(json.dumps(rows[-1]), flush=True)
    if not args.json:
        print(
            f"{'package':<18}{'tests':>7}{'seed':>6}{'solved':>8}{'whole':>7}{'evals':>7}"
            f"{'wall s':>8}{'evals/s':>9}"
        )
        for r in rows:
            print(
                f"{r['package']:<18}{r['tests']:>7}{r['seed_passed']:>6}{r['solved']!s:>8}"
                f"{r['whole_suite']!s:>7}{r['evaluations']:>7}{r['wall_s']:>8}"
                f"{r['evals_per_s']:>9}"
            )
    return 0 if all(r["solved"] and r["whole_suite"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
