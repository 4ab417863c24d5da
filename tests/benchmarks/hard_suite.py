"""The hard repair suite's shared facts: where it is, its seeds' intended fixes, and a runner
that tries programs on cases the way the sandbox compares outputs.

tests/benchmarks/test_hard_tasks.py checks the suite with these; test_compound_tasks.py builds
on them, since each two-defect task is a hard task with a second defect.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

from sandbox.compare import outputs_equal

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "benchmarks" / "repair-hard"
TASK_DIRS = sorted(p.parent for p in SUITE.glob("*/task.toml"))
TASK_IDS = [d.name for d in TASK_DIRS]

MAX_SEARCH_CASES = 8
HOLDOUT_CASES = 50
# The limits of a task whose seed loops forever: a hung variant costs a twentieth of a second.
HANG_LIMITS = {"wall_s": 1.0, "cpu_s": 0.5, "case_s": 0.05}

# The intended fix of each task as (old, new) replacements on the seed's text; benchmarks/
# README.md lists the same fixes. None of them is a one-token change.
FIXES: dict[str, list[tuple[str, str]]] = {
    # operand rebuilt from names in scope
    "mean_reading": [
        (
            "round(total / n, 2)",
            "round(total / (n - skipped), 2)",
        ),
    ],
    # operand rebuilt from names in scope
    "clock_angle": [
        (
            "return min(diff, 360)",
            "return min(diff, 360 - diff)",
        ),
    ],
    # operand rebuilt from names in scope
    "range_sums": [
        (
            "out.append(prefix[hi])",
            "out.append(prefix[hi] - prefix[lo])",
        ),
    ],
    # call missing around an expression
    "longest_streak": [
        (
            "            best = run\n",
            "            best = max(best, run)\n",
        ),
    ],
    # call missing around an expression
    "route_length": [
        (
            "return b[0] - a[0] + abs(",
            "return abs(b[0] - a[0]) + abs(",
        ),
    ],
    # call that should not be there
    "weather_summary": [
        (
            "return int(celsius * 9 / 5) + 32",
            "return celsius * 9 / 5 + 32",
        ),
    ],
    # collection literal: missing element
    "split_fields": [
        (
            'separators = {",", "\\t"}',
            'separators = {",", ";", "\\t"}',
        ),
    ],
    # collection literal: missing element (unit table)
    "parse_duration": [
        (
            'units = {"h": 3600,',
            'units = {"d": 86400, "h": 3600,',
        ),
    ],
    # collection literal: missing element (month lengths)
    "day_of_year": [
        (
            "lengths = [31, 28, 31, 30, 31, 30, 31, 30, 31, 30, 31]",
            "lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]",
        ),
    ],
    # offset missing from a bound
    "moving_average": [
        (
            "for i in range(len(xs)):",
            "for i in range(len(xs) - k + 1):",
        ),
    ],
    # offset missing from a bound (slice start)
    "parse_settings": [
        (
            "line[cut + 1 :].strip()",
            "line[cut + len(sep) :].strip()",
        ),
    ],
    # offset missing from a length (ceiling division)
    "paginate": [
        (
            "return max(1, total // per_page)",
            "return max(1, (total + per_page - 1) // per_page)",
        ),
    ],
    # wrong argument of a recursive call
    "has_path_sum": [
        (
            "any(_has_path(tree, c, target) for c",
            "any(_has_path(tree, c, target - tree[i]) for c",
        ),
    ],
    # wrong argument of a recursive call
    "key_path": [
        (
            "found = _search(value, target, path)",
            "found = _search(value, target, [*path, key])",
        ),
    ],
    # wrong argument of a recursive call
    "depth_sum": [
        (
            "total += depth_sum(item, depth)",
            "total += depth_sum(item, depth + 1)",
        ),
    ],
    # operands of a non-commutative operator swapped (string +)
    "group_digits": [
        (
            "out = out + group",
            "out = group + out",
        ),
    ],
    # operands of a non-commutative operator swapped (list +)
    "roster": [
        (
            "return people[:i] + people[i:]",
            "return people[i:] + people[:i]",
        ),
    ],
    # operands of a non-commutative operator swapped (`in`)
    "matching_lines": [
        (
            "if text.lower() in wanted:",
            "if wanted in text.lower():",
        ),
    ],
    # statement missing after a loop (flush the last word)
    "split_identifier": [
        (
            "            word += ch\n    return words\n",
            "            word += ch\n    if word:\n        words.append(word.lower())\n"
            "    return words\n",
        ),
    ],
    # statement missing after a loop (the final carry)
    "add_decimal": [
        (
            "        carry = total // 10\n    return",
            "        carry = total // 10\n    if carry:\n        digits.append(str(carry))\n"
            "    return",
        ),
    ],
    # statement missing after a loop (flush the last paragraph)
    "paragraphs": [
        (
            "            current = []\n    return out\n",
            '            current = []\n    if current:\n        out.append(" ".join(current))\n'
            "    return out\n",
        ),
    ],
    # returned constant should be a condition
    "valid_ipv4": [
        (
            "    return True\n",
            "    return len(parts) == 4\n",
        ),
    ],
    # returned constant should be a condition
    "is_subsequence": [
        (
            "    return True\n",
            "    return i == len(small)\n",
        ),
    ],
    # returned constant should be a condition
    "one_letter_apart": [
        (
            "    return True\n",
            "    return diffs == 1\n",
        ),
    ],
    # two edits at one site (both comparisons of a chain)
    "events_between": [
        (
            "if start < event[0] < end]",
            "if start <= event[0] <= end]",
        ),
    ],
    # two edits at one site (min and max swapped in a clamp)
    "normalise_levels": [
        (
            "level = min(lo, max(x, hi))",
            "level = max(lo, min(x, hi))",
        ),
    ],
    # two edits at one site (two constants of one checksum)
    "valid_isbn10": [
        (
            "return sum((9 - i) * v for i, v in enumerate(values)) % 10 == 0",
            "return sum((10 - i) * v for i, v in enumerate(values)) % 11 == 0",
        ),
    ],
    # hangs: the loop's update is in the wrong branch
    "parse_query": [
        (
            "            params[key] = value\n            start = end + 1\n",
            "            params[key] = value\n        start = end + 1\n",
        ),
    ],
    # hangs: the loop variable never advances past a match
    "count_occurrences": [
        (
            "        start = found\n",
            "        start = found + len(word)\n",
        ),
    ],
    # hangs: a two-pointer loop that never closes
    "pairs_within": [
        (
            "            count += hi - lo\n",
            "            count += hi - lo\n            lo += 1\n",
        ),
    ],
    # hangs on every case: the loop's update is skipped by `continue`
    "add_business_days": [
        (
            "    while added < days:\n        if day",
            "    while added < days:\n        day += 1\n        if day",
        ),
        (
            "        added += 1\n        day += 1\n",
            "        added += 1\n",
        ),
    ],
    # recursion without progress (RecursionError, or a time-out on larger inputs)
    "spiral_order": [
        (
            "return matrix[0] + spiral_order(_rotate_left(matrix))",
            "return matrix[0] + spiral_order(_rotate_left(matrix[1:]))",
        ),
    ],
}

# Seeds that loop forever (or recurse until they time out) on some or all search cases.
# Seeds whose defect recurses without end on some cases: a RecursionError, or the runner's
# tenth of a second first, whichever the machine's speed makes come first.
RUNAWAY = {"spiral_order"}
HANGING = {
    "parse_query",
    "count_occurrences",
    "pairs_within",
    "add_business_days",
}

# Runs programs in a child process, one case at a time under an alarm, so a seed that loops
# forever costs a tenth of a second a case. Outcomes: "pass", "fail", "error", "timeout". The
# alarm counts the process's CPU time, not the wall clock: on a machine busy with other runs a
# fixed program's case took more than a tenth of a second of wall time and read as a hang.
RUNNER = textwrap.dedent(
    """
    import json, signal, sys, types

    sys.path.insert(0, sys.argv[1])
    from sandbox.compare import outputs_equal

    class Timeout(Exception):
        pass

    def on_alarm(signum, frame):
        raise Timeout()

    signal.signal(signal.SIGPROF, on_alarm)
    results = {}
    for job in json.load(sys.stdin):
        module = types.ModuleType("program")
        exec(compile(job["source"], job["label"], "exec"), module.__dict__)
        function = getattr(module, job["entry"])
        outcomes = []
        for case in job["cases"]:
            signal.setitimer(signal.ITIMER_PROF, 0.1)
            try:
                try:
                    value = function(*case["args"], **case.get("kwargs", {}))
                    got = json.loads(json.dumps(value))
                finally:
                    signal.setitimer(signal.ITIMER_PROF, 0)
                outcomes.append("pass" if outputs_equal(got, case["expected"]) else "fail")
            except Timeout:
                outcomes.append("timeout")
            except BaseException:
                outcomes.append("error")
        results[job["label"]] = outcomes
    print(json.dumps(results))
    """
)


def task_config(task_dir: Path) -> dict[str, Any]:
    return tomllib.loads((task_dir / "task.toml").read_text(encoding="utf-8"))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def suites(task_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tests = task_config(task_dir)["tests"]
    return read_jsonl(task_dir / tests["cases"]), read_jsonl(task_dir / tests["holdout"])


def seed_text(task_dir: Path) -> str:
    program: str = task_config(task_dir)["task"]["program"]
    return (task_dir / program).resolve().read_text(encoding="utf-8")


def reference(task_dir: Path) -> ModuleType:
    """The task's reference.py, imported under a name of its own."""
    name = f"_ref_{task_dir.parent.name}_{task_dir.name}".replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, task_dir / "reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_reference_answers(task_dir: Path, module: ModuleType) -> None:
    """The reference gives every case's and holdout case's expected answer."""
    function = getattr(module, task_config(task_dir)["task"]["entry"])
    cases, holdout = suites(task_dir)
    for record in cases + holdout:
        value = function(*record["args"], **record.get("kwargs", {}))
        assert outputs_equal(json.loads(json.dumps(value)), record["expected"]), record


def check_generate_reproduces(task_dirs: list[Path], tmp_path: Path) -> None:
    """benchmarks/generate.py, run on copies of the task folders, writes the same case files."""
    copies = []
    for task_dir in task_dirs:
        copy = tmp_path / task_dir.name
        copy.mkdir()
        for name in ("task.toml", "reference.py"):
            shutil.copy(task_dir / name, copy / name)
        copies.append(copy)
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), *map(str, copies)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    for task_dir, copy in zip(task_dirs, copies, strict=True):
        for name in ("cases.jsonl", "holdout.jsonl"):
            assert (copy / name).read_bytes() == (task_dir / name).read_bytes()
