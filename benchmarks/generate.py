"""Regenerate the test cases of bundled benchmark tasks from their reference programs.

    python benchmarks/generate.py [TASK_DIR ...]      (default: every task under benchmarks/)

Each task folder holds a `reference.py`: the correct version of the task's entry function
and `inputs(rng) -> list[tuple[list, dict]]`, the argument lists to test with. This script
calls `inputs` with a `random.Random` seeded from the task's name (a CRC-32, so the same on
every machine and Python version), drops repeated inputs, runs the reference on each and
writes JSON lines {"args": [...], "kwargs": {...}, "expected": ...}:

- the first CASES distinct inputs go to the search-time cases file ([tests] cases), so a
  reference lists its hand-picked search cases first; a reference that wants another number
  of search cases says so with a module-level `SEARCH_CASES = N` (benchmarks/repair-hard
  uses 8);
- the next HOLDOUT distinct inputs go to the holdout file ([tests] holdout), never seen by the
  search.

The output depends only on reference.py and the task's name: running it twice gives the
same bytes.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
import tomllib
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent
CASES = 16
HOLDOUT = 50
MIN_HOLDOUT = 30
SKIP = {"perf"}  # benchmarks/perf holds performance scripts, not tasks


def task_dirs(root: Path = BENCHMARKS) -> list[Path]:
    """Every task folder (one with task.toml and reference.py) under root."""
    found = []
    for toml_path in sorted(root.rglob("task.toml")):
        if SKIP.intersection(toml_path.relative_to(root).parts):
            continue
        if (toml_path.parent / "reference.py").is_file():
            found.append(toml_path.parent)
    return found


def task_seed(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def load_reference(task_dir: Path) -> ModuleType:
    path = task_dir / "reference.py"
    module_name = f"_reference_{task_dir.parent.name}_{task_dir.name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: cannot import")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def search_cases(reference: ModuleType, task_dir: Path) -> int:
    """How many search cases the task gets: the reference's SEARCH_CASES, or CASES."""
    count = getattr(reference, "SEARCH_CASES", CASES)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise SystemExit(f"{task_dir / 'reference.py'}: SEARCH_CASES must be a positive int")
    return count


def _json_value(value: Any, where: str) -> Any:
    """The value after a JSON round trip; refuses what JSON cannot hold exactly."""
    text = json.dumps(value, allow_nan=False)
    back = json.loads(text)
    if back != value:
        raise SystemExit(f"{where}: {value!r} does not survive a JSON round trip")
    return back


def build(task_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The (cases, holdout) records of one task, and its parsed task.toml."""
    config = tomllib.loads((task_dir / "task.toml").read_text(encoding="utf-8"))
    name = config["task"].get("name", task_dir.name)
    entry = config["task"]["entry"]
    reference = load_reference(task_dir)
    function = getattr(reference, entry)
    seen: set[str] = set()
    records: list[dict[str, Any]] = []
    for args, kwargs in reference.inputs(random.Random(task_seed(name))):
        where = f"{task_dir / 'reference.py'}: {entry}(*{args!r}, **{kwargs!r})"
        args = _json_value(list(args), where)
        kwargs = _json_value(dict(kwargs), where)
        key = json.dumps([args, kwargs], sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        # Call with fresh copies so a reference that mutates its input cannot skew the record.
        expected = _json_value(function(*json.loads(json.dumps(args)), **kwargs), where)
        record: dict[str, Any] = {"args": args}
        if kwargs:
            record["kwargs"] = kwargs
        record["expected"] = expected
        records.append(record)
    search = search_cases(reference, task_dir)
    cases, holdout = records[:search], records[search : search + HOLDOUT]
    if len(cases) < search or len(holdout) < MIN_HOLDOUT:
        raise SystemExit(
            f"{task_dir}: inputs() gave {len(records)} distinct inputs; "
            f"need at least {search + MIN_HOLDOUT}"
        )
    return cases, holdout, config


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(record) + "\n" for record in records)
    path.write_text(text, encoding="utf-8")


def generate(task_dir: Path) -> None:
    cases, holdout, config = build(task_dir)
    tests = config["tests"]
    write_jsonl(task_dir / tests["cases"], cases)
    write_jsonl(task_dir / tests["holdout"], holdout)
    print(f"{task_dir}: {len(cases)} cases, {len(holdout)} holdout")


def main(argv: list[str]) -> int:
    dirs = [Path(arg) for arg in argv] or task_dirs()
    for task_dir in dirs:
        if not (task_dir / "task.toml").is_file() or not (task_dir / "reference.py").is_file():
            print(f"{task_dir}: not a task folder with task.toml and reference.py", file=sys.stderr)
            return 2
        generate(task_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
