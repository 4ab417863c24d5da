"""The run store keeps configuration, evaluations and accepted changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from evolve.store.database import AcceptedChange, RunStore
from sandbox import Evaluation, Status, TestOutcome


def test_round_trips_everything(tmp_path: Path) -> None:
    store = RunStore.create(tmp_path / "run")
    store.set_config(seed=3, task_name="t", settings={"population": "40"})
    evaluation = Evaluation(
        status=Status.FAILED,
        tests=(TestOutcome("a", "passed"), TestOutcome("b", "failed", "expected 1, got 2")),
        cpu_s=0.01,
        layers=("rlimits",),
        cost=12,
    )
    with store.transaction():
        store.add_variant("h1", "x = 1\n", "[]")
        store.add_variant("h2", "x = 2\n", '[["integer-constant", "body[0]", 2]]')
        store.add_evaluation("h1", "search", 0, evaluation)
    change = AcceptedChange(
        1, 1, 10, "h1", "h2", "[]", ("integer-constant",), "diff\n", "1/2", "2/2", ("b",), 123.0
    )
    with store.transaction():
        store.add_accepted(change)
    store.close()

    again = RunStore.open(tmp_path / "run")
    assert again.config() == {"seed": 3, "task_name": "t", "settings": {"population": "40"}}
    assert again.variant_source("h2") == "x = 2\n"
    assert again.evaluation("h1", "search") == evaluation
    assert again.evaluation("h1", "holdout") is None
    assert again.status_counts() == {"failed": 1}
    assert again.accepted() == [change]
    again.close()


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    store = RunStore.create(tmp_path / "run")
    with pytest.raises(RuntimeError), store.transaction():
        store.add_variant("h1", "x = 1\n", "[]")
        raise RuntimeError("crash mid-generation")
    with pytest.raises(KeyError):
        store.variant_source("h1")
    store.close()


def test_open_missing_run(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        RunStore.open(tmp_path)
