"""Scores (solve rate first, then median evaluations to solve) and the seeded split."""

from __future__ import annotations

from pathlib import Path

import pytest

from evolve.bench import Outcome
from evolve.tune.scoring import Score, change, score, split


def outcome(solved: bool, evaluations: int, **extra: object) -> Outcome:
    return Outcome(
        task="t", goal="repair", algorithm="lexicase", seed=1, solved=solved,
        evaluations=evaluations, wall_s=0.0, accepted=0, holdout_rejections=0,
        plausible_unsolved=False, patch_size=0, cost_ratio=None, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def test_score_counts_solves_and_the_median_over_solved_runs() -> None:
    found = score([outcome(True, 100), outcome(True, 300), outcome(False, 1000)])
    assert (found.runs, found.solved, found.median_evaluations) == (3, 2, 200.0)
    assert found.evaluations == 1400
    assert found.solve_rate == pytest.approx(2 / 3)
    assert Score.from_json(found.to_json()) == found


def test_a_plausible_but_wrong_patch_is_no_solve() -> None:
    wrong = outcome(False, 200, plausible=True)
    found = score([wrong, outcome(True, 100)])
    assert found.solved == 1 and found.plausible_wrong == 1


def test_rank_puts_solve_rate_before_evaluations() -> None:
    fast_but_fewer = score([outcome(True, 10), outcome(False, 1000)])
    slow_but_all = score([outcome(True, 900), outcome(True, 900)])
    nothing = score([outcome(False, 1000)])
    assert slow_but_all.rank() > fast_but_fewer.rank() > nothing.rank()
    assert score([outcome(True, 100)]).rank() > score([outcome(True, 200)]).rank()


def test_the_split_is_seeded_disjoint_and_complete() -> None:
    tasks = [Path(f"/suite/task{i:02}") for i in range(26)]
    train, held = split(tasks, 1, 0.5)
    assert (train, held) == split(tasks, 1, 0.5)
    assert split(tasks, 2, 0.5) != (train, held)
    assert len(held) == 13 and sorted(train + held) == tasks
    assert train == sorted(train)  # each part in the suite's order
    assert split(tasks[:2], 1, 0.9)[0]  # at least one task left to train on
    assert split(tasks[:3], 1, 0.01)[1]  # and at least one held out
    with pytest.raises(ValueError):
        split(tasks[:1], 1, 0.5)


def test_change() -> None:
    assert change(75.0, 100.0) == pytest.approx(-0.25)
    assert change(None, 100.0) is None and change(50.0, None) is None
