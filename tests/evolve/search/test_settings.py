"""SearchSettings: every knob a profile may set reaches the part of the engine it is for,
and the settings go to JSON and back (what a run records and `evolve resume` reads)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evolve.operators import OPERATORS
from evolve.operators.base import TEMPLATE_WEIGHT
from evolve.run import RunRequest, start_run
from evolve.search import Algorithm, SearchSettings
from evolve.search import engine as engine_module
from evolve.search.bandit import OperatorBandit
from evolve.store.database import RunStore
from tests.evolve.search.test_engine import Recorder

TUNED = SearchSettings(
    population=10,
    max_edits=2,
    crossover_rate=0.1,
    template_weight=0.5,
    operator_priors={"delete-statement": 0.25},
    localisation_floor=0.5,
    bandit_learning_rate=0.45,
    bandit_p_min=0.01,
)


def test_priors_take_the_template_weight_and_the_overrides() -> None:
    priors = TUNED.priors()
    templates = [name for name, op in OPERATORS.items() if op.template]
    # Every operator weighted as a fix template is marked as one (a new template that is not
    # would keep its prior whatever `template_weight` says).
    assert templates == [n for n, op in OPERATORS.items() if op.weight == TEMPLATE_WEIGHT]
    assert len(templates) >= 14
    assert all(priors[name] == 0.5 for name in templates)
    assert priors["delete-statement"] == 0.25
    assert priors["binary-operator"] == 1.0
    defaults = SearchSettings().priors()
    assert all(defaults[name] == TEMPLATE_WEIGHT for name in templates)
    assert {name: op.weight for name, op in OPERATORS.items()} == defaults


def test_settings_round_trip_through_json() -> None:
    assert SearchSettings.from_json(TUNED.to_json()) == TUNED
    assert SearchSettings.from_json(SearchSettings().to_json()) == SearchSettings()
    # Recorded by an engine before these knobs: the defaults fill them in.
    old = {k: v for k, v in SearchSettings().to_json().items() if k != "template_weight"}
    assert SearchSettings.from_json(old) == SearchSettings()


@pytest.mark.parametrize(
    "bad",
    [
        {"max_edits": 0},
        {"crossover_rate": 1.5},
        {"tournament_size": 0},
        {"islands": 0},
        {"template_weight": 0.0},
        {"localisation_floor": 2.0},
        {"bandit_learning_rate": 0.0},
        {"bandit_p_min": 1.0},
        {"operator_priors": {"nope": 0.5}},
        {"operator_priors": {"delete-statement": -1.0}},
    ],
)
def test_settings_out_of_range_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        SearchSettings(**bad)


def test_the_engine_uses_every_tuned_knob(
    add_task: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[OperatorBandit] = []

    class Spy(OperatorBandit):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(engine_module, "OperatorBandit", Spy)
    request = RunRequest(add_task, seed=1, budget=60, runs_dir=tmp_path / "runs", settings=TUNED)
    summary = start_run(request, Recorder())
    [bandit] = made
    assert bandit.learning_rate == 0.45 and bandit.p_min == 0.01
    assert bandit.priors == TUNED.priors()
    store = RunStore.open(Path(summary.run_dir))
    try:
        last = store.last_checkpoint()
        recorded = store.config()["settings"]
    finally:
        store.close()
    assert SearchSettings.from_json(recorded) == TUNED
    assert last is not None
    weights = last[1]["components"]["localisation"]["weights"]
    assert weights and min(weights.values()) >= 0.5


def test_random_search_ignores_the_adaptive_knobs_as_documented(
    add_task: Path, tmp_path: Path
) -> None:
    settings = SearchSettings(algorithm=Algorithm.RANDOM, localisation_floor=0.5)
    request = RunRequest(add_task, seed=1, budget=40, runs_dir=tmp_path / "runs", settings=settings)
    summary = start_run(request, Recorder())
    store = RunStore.open(Path(summary.run_dir))
    try:
        last = store.last_checkpoint()
    finally:
        store.close()
    assert last is not None
    assert last[1]["components"]["localisation"]["enabled"] is False
