"""The hard repair suite (benchmarks/repair-hard/) is well formed and its defects are real.

Each task's seed is a plain program with one realistic defect that takes more than a one-token
change to fix (the classes are listed in benchmarks/README.md). For every task: task.toml has
the documented keys, there are at most 8 search cases and exactly 50 holdout cases, the
reference passes all of them, benchmarks/generate.py reproduces the case files byte for byte,
the seed fails (or times out on) at least one search case, and the documented fix, written out
below as text replacements, turns the seed into a program that passes every case and holdout
test. Outputs are compared as the sandbox compares them (`True` is not `1`).
"""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
import subprocess
import sys
import textwrap
import tokenize
import tomllib
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path
from typing import Any

import pytest

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
# forever costs a tenth of a second a case. Outcomes: "pass", "fail", "error", "timeout".
_RUNNER = textwrap.dedent(
    """
    import json, signal, sys, types

    sys.path.insert(0, sys.argv[1])
    from sandbox.compare import outputs_equal

    class Timeout(Exception):
        pass

    def on_alarm(signum, frame):
        raise Timeout()

    signal.signal(signal.SIGALRM, on_alarm)
    results = {}
    for job in json.load(sys.stdin):
        module = types.ModuleType("program")
        exec(compile(job["source"], job["label"], "exec"), module.__dict__)
        function = getattr(module, job["entry"])
        outcomes = []
        for case in job["cases"]:
            signal.setitimer(signal.ITIMER_REAL, 0.1)
            try:
                try:
                    value = function(*case["args"], **case.get("kwargs", {}))
                    got = json.loads(json.dumps(value))
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                outcomes.append("pass" if outputs_equal(got, case["expected"]) else "fail")
            except Timeout:
                outcomes.append("timeout")
            except BaseException:
                outcomes.append("error")
        results[job["label"]] = outcomes
    print(json.dumps(results))
    """
)


def _config(task_dir: Path) -> dict[str, Any]:
    return tomllib.loads((task_dir / "task.toml").read_text(encoding="utf-8"))


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _suites(task_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tests = _config(task_dir)["tests"]
    return _read_jsonl(task_dir / tests["cases"]), _read_jsonl(task_dir / tests["holdout"])


def _seed(task_dir: Path) -> str:
    program: str = _config(task_dir)["task"]["program"]
    return (task_dir / program).resolve().read_text(encoding="utf-8")


def _fixed(task_dir: Path) -> str:
    source = _seed(task_dir)
    for old, new in FIXES[task_dir.name]:
        assert source.count(old) == 1, f"fix text {old!r} not found exactly once in the seed"
        source = source.replace(old, new)
    return source


@cache
def _outcomes() -> dict[str, list[str]]:
    """Per-case outcomes of every seed (on its search cases) and every fixed seed (on all)."""
    jobs = []
    for task_dir in TASK_DIRS:
        entry = _config(task_dir)["task"]["entry"]
        cases, holdout = _suites(task_dir)
        jobs.append(
            {
                "label": f"seed:{task_dir.name}",
                "source": _seed(task_dir),
                "entry": entry,
                "cases": cases,
            }
        )
        jobs.append(
            {
                "label": f"fixed:{task_dir.name}",
                "source": _fixed(task_dir),
                "entry": entry,
                "cases": cases + holdout,
            }
        )
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(ROOT)],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    results: dict[str, list[str]] = json.loads(done.stdout)
    return results


def test_the_suite_has_enough_tasks() -> None:
    assert len(TASK_DIRS) >= 25
    assert {d.name for d in TASK_DIRS} == set(FIXES)
    assert set(FIXES) >= HANGING and len(HANGING) >= 4


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_task_toml(task_dir: Path) -> None:
    config = _config(task_dir)
    assert set(config) == {"task", "tests", "limits", "search"}
    task = config["task"]
    assert set(task) == {"name", "description", "program", "entry", "goal"}
    assert task["name"] == task_dir.name
    assert task["goal"] == "repair"
    program = (task_dir / task["program"]).resolve()
    assert program.is_file() and program.is_relative_to(ROOT / "seeds")
    # The sandbox refuses a module that would shadow one the harness imports.
    assert program.stem not in sys.stdlib_module_names
    assert config["tests"] == {"cases": "cases.jsonl", "holdout": "holdout.jsonl"}
    assert config["search"]["budget"] == 5000
    assert task["entry"] in config["search"]["editable"]
    limits = config["limits"]
    if task_dir.name in HANGING:
        assert {k: limits.get(k) for k in HANG_LIMITS} == HANG_LIMITS
    else:
        assert limits["wall_s"] <= 2.0 and limits["cpu_s"] <= 1.0


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_the_engine_loads_the_task(task_dir: Path) -> None:
    task_module = pytest.importorskip("evolve.task")
    assert task_module.load_task(task_dir).name == task_dir.name


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_case_files(task_dir: Path) -> None:
    cases, holdout = _suites(task_dir)
    assert 1 <= len(cases) <= MAX_SEARCH_CASES
    assert len(holdout) == HOLDOUT_CASES

    def key(record: dict[str, Any]) -> str:
        return json.dumps([record["args"], record.get("kwargs", {})], sort_keys=True)

    assert not {key(r) for r in cases} & {key(r) for r in holdout}


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_reference_passes_every_case(task_dir: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        f"_hard_ref_{task_dir.name}", task_dir / "reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.SEARCH_CASES == MAX_SEARCH_CASES
    function = getattr(module, _config(task_dir)["task"]["entry"])
    cases, holdout = _suites(task_dir)
    for record in cases + holdout:
        value = function(*record["args"], **record.get("kwargs", {}))
        assert outputs_equal(json.loads(json.dumps(value)), record["expected"]), record


def test_generate_is_deterministic(tmp_path: Path) -> None:
    copies = []
    for task_dir in TASK_DIRS:
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
    for task_dir, copy in zip(TASK_DIRS, copies, strict=True):
        for name in ("cases.jsonl", "holdout.jsonl"):
            assert (copy / name).read_bytes() == (task_dir / name).read_bytes()


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_seed_fails_a_search_case(task_dir: Path) -> None:
    outcomes = _outcomes()[f"seed:{task_dir.name}"]
    assert any(o != "pass" for o in outcomes), "the seed passes every case: nothing to repair"
    if task_dir.name in HANGING:
        assert "timeout" in outcomes, outcomes
    elif task_dir.name in RUNAWAY:
        assert {"error", "timeout"} & set(outcomes), outcomes
    else:
        assert "timeout" not in outcomes, outcomes
        assert "pass" in outcomes, "the seed fails every case: no partial credit to climb"


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_documented_fix_passes_everything(task_dir: Path) -> None:
    outcomes = _outcomes()[f"fixed:{task_dir.name}"]
    assert all(o == "pass" for o in outcomes), [
        (i, o) for i, o in enumerate(outcomes) if o != "pass"
    ]


def _tokens(source: str) -> list[str]:
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.ENDMARKER}
    return [
        f"{tok.type}:{tok.string}"
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type not in skip
    ]


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_the_fix_is_more_than_one_token(task_dir: Path) -> None:
    before, after = _tokens(_seed(task_dir)), _tokens(_fixed(task_dir))
    changed = sum(
        max(i2 - i1, j2 - j1)
        for tag, i1, i2, j1, j2 in SequenceMatcher(
            None, before, after, autojunk=False
        ).get_opcodes()
        if tag != "equal"
    )
    assert changed >= 2, changed
