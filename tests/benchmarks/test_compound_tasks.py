"""The two-defect repair suite (benchmarks/repair-compound/) is well formed; both defects are real.

Each task is the hard suite's task of the same name (benchmarks/repair-hard/) whose seed has a
second, independent defect: the same entry, limits and (unless its search inputs had to change
to show the second defect) the same cases. For every task: the second fix, written out below as
text replacements, turns the compound seed back into the hard seed exactly, so the first defect
is untouched; both fixes together pass every case and holdout test; each defect alone is seen
by the search cases (fixing either one still fails a search case); and fixing one of them
passes more search cases than the seed, so a guided search has partial credit to climb while
an unguided one must draw both fixes at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.benchmarks.hard_suite import FIXES as FIRST_FIXES
from tests.benchmarks.hard_suite import (
    HOLDOUT_CASES,
    MAX_SEARCH_CASES,
    ROOT,
    RUNNER,
    check_generate_reproduces,
    check_reference_answers,
    reference,
    suites,
    task_config,
)

SUITE = ROOT / "benchmarks" / "repair-compound"
HARD_SUITE = ROOT / "benchmarks" / "repair-hard"
TASK_DIRS = sorted(p.parent for p in SUITE.glob("*/task.toml"))
TASK_IDS = [d.name for d in TASK_DIRS]

# The second defect of each task as (old, new) replacements on the compound seed's text; the
# result is the hard suite's seed. benchmarks/README.md lists the same fixes.
SECOND_FIXES: dict[str, list[tuple[str, str]]] = {
    # wrong comparison operator
    "add_business_days": [
        ("if day % 7 > 5 or", "if day % 7 >= 5 or"),
    ],
    # wrong boolean operator
    "add_decimal": [
        ("while i >= 0 and j >= 0:", "while i >= 0 or j >= 0:"),
    ],
    # missing operation (modulo), in a helper
    "clock_angle": [
        ("hour_angle = hours * 30 +", "hour_angle = (hours % 12) * 30 +"),
    ],
    # missing guard statement
    "count_occurrences": [
        (
            '0 times."""\n    count = 0\n',
            '0 times."""\n    if not word:\n        return 0\n    count = 0\n',
        ),
    ],
    # off-by-one index
    "day_of_year": [
        ("lengths[2] = 29", "lengths[1] = 29"),
    ],
    # plain assignment instead of augmented
    "depth_sum": [
        ("total = item * depth", "total += item * depth"),
    ],
    # wrong index (sort key)
    "events_between": [
        ("key=lambda event: event[1]", "key=lambda event: event[0]"),
    ],
    # call missing around an expression
    "group_digits": [
        ("digits = str(n)", "digits = str(abs(n))"),
    ],
    # off-by-one bound (wrong constant)
    "has_path_sum": [
        (
            "if c < len(tree) - 1 and tree[c] is not None]",
            "if c < len(tree) and tree[c] is not None]",
        ),
    ],
    # wrong initial value
    "is_subsequence": [
        ("    j = 1\n", "    j = 0\n"),
    ],
    # missing guard (statement missing)
    "key_path": [
        (
            "            found = _search(value, target, path)\n            return found\n",
            "            found = _search(value, target, path)\n"
            "            if found is not None:\n"
            "                return found\n",
        ),
    ],
    # wrong comparison operator
    "longest_streak": [
        ("if count > goal:", "if count >= goal:"),
    ],
    # call missing around an expression
    "matching_lines": [
        ("text = line\n", "text = line.strip()\n"),
    ],
    # wrong comparison operator (boundary)
    "mean_reading": [
        ("value >= high", "value > high"),
    ],
    # off-by-one index
    "moving_average": [
        ("window += xs[i + k - 1] - xs[i]\n", "window += xs[i + k - 1] - xs[i - 1]\n"),
    ],
    # wrong return value (degenerate case)
    "normalise_levels": [
        ("        return []\n", "        return [0 for _ in levels]\n"),
    ],
    # missing guard (length check)
    "one_letter_apart": [
        ("    diffs = 0\n", "    if len(a) != len(b):\n        return False\n    diffs = 0\n"),
    ],
    # call missing around an expression (max, lower clamp)
    "paginate": [
        ("page = min(page, pages)", "page = min(max(page, 1), pages)"),
    ],
    # wrong comparison operator (loop condition)
    "pairs_within": [
        ("while lo != hi:", "while lo < hi:"),
    ],
    # wrong variable (unstripped line tested)
    "paragraphs": [
        ("        if raw:\n", "        if line:\n"),
    ],
    # wrong operator (`=` for `+=`)
    "parse_duration": [
        ("total = int(number) * units[ch]", "total += int(number) * units[ch]"),
    ],
    # off-by-one loop bound
    "parse_query": [
        ("while start < len(query) - 1:", "while start < len(query):"),
    ],
    # wrong function called (rfind for find)
    "parse_settings": [
        ("cut = line.rfind(sep)", "cut = line.find(sep)"),
    ],
    # off-by-one bound (wrong constant)
    "range_sums": [
        ("hi = min(max(hi, lo), n - 1)", "hi = min(max(hi, lo), n)"),
    ],
    # wrong return value
    "roster": [
        (
            "    if start not in people:\n        return None\n",
            "    if start not in people:\n        return []\n",
        ),
    ],
    # off-by-one loop range (start and bound)
    "route_length": [
        ("for i in range(len(points) - 1):", "for i in range(1, len(points)):"),
    ],
    # missing call around rows (tuples, not lists)
    "spiral_order": [
        (
            "return list(zip(*matrix, strict=True))[::-1]",
            "return [list(row) for row in zip(*matrix, strict=True)][::-1]",
        ),
    ],
    # missing call (strip)
    "split_fields": [
        ("            fields.append(current)\n", "            fields.append(current.strip())\n"),
    ],
    # missing guard
    "split_identifier": [
        (
            "            words.append(word.lower())\n            word = ",
            "            if word:\n                words.append(word.lower())\n            word = ",
        ),
    ],
    # wrong comparison operator
    "valid_ipv4": [
        ("if int(part) >= 255:", "if int(part) > 255:"),
    ],
    # off-by-one index constant
    "valid_isbn10": [
        ('elif ch == "X" and i == 10:', 'elif ch == "X" and i == 9:'),
    ],
    # wrong function called (min/max)
    "weather_summary": [
        (
            "return [round(max(temps), 1), round(max(temps), 1)",
            "return [round(min(temps), 1), round(max(temps), 1)",
        ),
    ],
}


def _program(task_dir: Path) -> Path:
    program: str = task_config(task_dir)["task"]["program"]
    return (task_dir / program).resolve()


def _replace(source: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        assert source.count(old) == 1, f"fix text {old!r} not found exactly once"
        source = source.replace(old, new)
    return source


@cache
def _outcomes() -> dict[str, list[str]]:
    """Per-case outcomes of each seed, each seed with one of its defects fixed (search cases)
    and each seed with both fixed (every case)."""
    jobs = []
    for task_dir in TASK_DIRS:
        name = task_dir.name
        entry = task_config(task_dir)["task"]["entry"]
        cases, holdout = suites(task_dir)
        seed = _program(task_dir).read_text(encoding="utf-8")
        first, second = FIRST_FIXES[name], SECOND_FIXES[name]
        variants = {
            "seed": (seed, cases),
            "first": (_replace(seed, first), cases),
            "second": (_replace(seed, second), cases),
            "both": (_replace(_replace(seed, second), first), cases + holdout),
        }
        for label, (source, run_on) in variants.items():
            jobs.append(
                {"label": f"{label}:{name}", "source": source, "entry": entry, "cases": run_on}
            )
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(ROOT)],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    results: dict[str, list[str]] = json.loads(done.stdout)
    return results


def _passes(label: str, task_dir: Path) -> int:
    return _outcomes()[f"{label}:{task_dir.name}"].count("pass")


def test_the_suite_pairs_every_hard_task() -> None:
    hard = {p.parent.name for p in HARD_SUITE.glob("*/task.toml")}
    assert {d.name for d in TASK_DIRS} == hard == set(SECOND_FIXES)


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_task_toml_is_the_hard_tasks_but_its_program(task_dir: Path) -> None:
    compound, hard = task_config(task_dir), task_config(HARD_SUITE / task_dir.name)
    assert _program(task_dir).is_relative_to(ROOT / "seeds" / "compound")
    compound["task"].pop("program")
    hard["task"].pop("program")
    assert compound == hard


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_the_second_fix_gives_back_the_hard_seed(task_dir: Path) -> None:
    seed = _program(task_dir).read_text(encoding="utf-8")
    hard_seed = _program(HARD_SUITE / task_dir.name).read_text(encoding="utf-8")
    assert seed != hard_seed
    assert _replace(seed, SECOND_FIXES[task_dir.name]) == hard_seed


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_case_files(task_dir: Path) -> None:
    cases, holdout = suites(task_dir)
    assert 1 <= len(cases) <= MAX_SEARCH_CASES
    assert len(holdout) == HOLDOUT_CASES
    check_reference_answers(task_dir, reference(task_dir))


def test_generate_is_deterministic(tmp_path: Path) -> None:
    check_generate_reproduces(TASK_DIRS, tmp_path)


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_both_fixes_pass_everything(task_dir: Path) -> None:
    outcomes = _outcomes()[f"both:{task_dir.name}"]
    assert all(o == "pass" for o in outcomes), [
        (i, o) for i, o in enumerate(outcomes) if o != "pass"
    ]


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_each_defect_is_seen_by_the_search_cases(task_dir: Path) -> None:
    cases, _ = suites(task_dir)
    assert _passes("first", task_dir) < len(cases), "the second defect fails no search case"
    assert _passes("second", task_dir) < len(cases), "the first defect fails no search case"


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_one_fix_alone_earns_partial_credit(task_dir: Path) -> None:
    seed = _passes("seed", task_dir)
    assert max(_passes("first", task_dir), _passes("second", task_dir)) > seed
