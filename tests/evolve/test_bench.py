"""`evolve bench`: the summary arithmetic, and a real bench on a two-task suite."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from evolve.bench import Outcome, summarise, table
from evolve.cli import main


def outcome(**changes: object) -> Outcome:
    fields: dict[str, object] = dict(
        task="t", goal="repair", algorithm="lexicase", seed=1, solved=True, evaluations=100,
        wall_s=1.0, accepted=1, holdout_rejections=0, plausible_unsolved=False, patch_size=1,
        cost_ratio=None,
    )  # fmt: skip
    fields.update(changes)
    return Outcome(**fields)  # type: ignore[arg-type]


def test_summary_counts_solves_medians_and_overfitting() -> None:
    rows = summarise(
        [
            outcome(evaluations=100, patch_size=1),
            outcome(evaluations=300, patch_size=3),
            outcome(solved=False, evaluations=3000, holdout_rejections=2, patch_size=0),
            outcome(solved=False, plausible_unsolved=True, patch_size=2),
            outcome(algorithm="random", solved=False, patch_size=0),
        ]
    )
    lexicase, random_row = rows
    assert (lexicase.runs, lexicase.solved, lexicase.solve_rate) == (4, 2, 0.5)
    assert lexicase.median_evaluations_to_solve == 200
    assert lexicase.overfitting_runs == 2 and lexicase.holdout_rejections == 2
    assert lexicase.median_patch_size == 2
    assert random_row.solved == 0 and random_row.median_evaluations_to_solve is None
    text = table(rows)
    assert "lexicase" in text and "2/4" in text and "random" in text


@pytest.mark.slow
def test_bench_on_a_two_task_suite(
    tmp_path: Path, make_task: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    suite = tmp_path / "suite"
    make_task(
        suite / "add", "def add(a, b):\n    return a - b\n", "add", [([1, 2], 3), ([5, 0], 5)]
    )
    make_task(suite / "neg", "def neg(x):\n    return x\n", "neg", [([1], -1), ([0], 0)])
    argv = ["bench", str(suite), "--runs", "1", "--budget", "60", "--population", "8"]
    assert main([*argv, "--algorithm", "lexicase", "--algorithm", "random"]) == 0
    text = capsys.readouterr().out
    assert "lexicase" in text and "random" in text and "solved" in text

    runs = tmp_path / "runs"
    assert main([*argv, "--algorithm", "local", "--json", "--runs-dir", str(runs)]) == 0
    document = json.loads(capsys.readouterr().out.splitlines()[-1])
    [row] = document["algorithms"]
    assert row["algorithm"] == "local" and row["runs"] == 2
    assert {o["task"] for o in document["outcomes"]} == {"add", "neg"}
    assert len(list(runs.iterdir())) == 2  # kept where asked
