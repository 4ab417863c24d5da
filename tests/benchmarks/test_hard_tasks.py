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

import io
import json
import subprocess
import sys
import tokenize
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks.hard_suite import (
    FIXES,
    HANG_LIMITS,
    HANGING,
    HOLDOUT_CASES,
    MAX_SEARCH_CASES,
    ROOT,
    RUNAWAY,
    RUNNER,
    TASK_DIRS,
    TASK_IDS,
    check_generate_reproduces,
    check_reference_answers,
    reference,
    seed_text,
    suites,
    task_config,
)


def _fixed(task_dir: Path) -> str:
    source = seed_text(task_dir)
    for old, new in FIXES[task_dir.name]:
        assert source.count(old) == 1, f"fix text {old!r} not found exactly once in the seed"
        source = source.replace(old, new)
    return source


@cache
def _outcomes() -> dict[str, list[str]]:
    """Per-case outcomes of every seed (on its search cases) and every fixed seed (on all)."""
    jobs = []
    for task_dir in TASK_DIRS:
        entry = task_config(task_dir)["task"]["entry"]
        cases, holdout = suites(task_dir)
        jobs.append(
            {
                "label": f"seed:{task_dir.name}",
                "source": seed_text(task_dir),
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
        [sys.executable, "-c", RUNNER, str(ROOT)],
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
    config = task_config(task_dir)
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
    cases, holdout = suites(task_dir)
    assert 1 <= len(cases) <= MAX_SEARCH_CASES
    assert len(holdout) == HOLDOUT_CASES

    def key(record: dict[str, Any]) -> str:
        return json.dumps([record["args"], record.get("kwargs", {})], sort_keys=True)

    assert not {key(r) for r in cases} & {key(r) for r in holdout}


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=TASK_IDS)
def test_reference_passes_every_case(task_dir: Path) -> None:
    module = reference(task_dir)
    assert module.SEARCH_CASES == MAX_SEARCH_CASES
    check_reference_answers(task_dir, module)


def test_generate_is_deterministic(tmp_path: Path) -> None:
    check_generate_reproduces(TASK_DIRS, tmp_path)


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
    before, after = _tokens(seed_text(task_dir)), _tokens(_fixed(task_dir))
    changed = sum(
        max(i2 - i1, j2 - j1)
        for tag, i1, i2, j1, j2 in SequenceMatcher(
            None, before, after, autojunk=False
        ).get_opcodes()
        if tag != "equal"
    )
    assert changed >= 2, changed
