"""The operator bandit: probabilities follow rewards, keep a floor, and its state round-trips."""

from __future__ import annotations

import json

import pytest

from evolve.search.bandit import IMPROVED, NEUTRAL, WORSE, OperatorBandit, reward


def test_weights_are_probabilities_with_a_floor() -> None:
    bandit = OperatorBandit(["a", "b", "c"], p_min=0.05)
    for _ in range(50):
        bandit.update(["a"], IMPROVED)
        bandit.update(["b"], WORSE)
    weights = bandit.weights()
    assert weights is not None
    assert sum(weights.values()) == pytest.approx(1.0)
    assert weights["a"] > weights["c"] > weights["b"] >= 0.05


def test_disabled_bandit_draws_uniformly() -> None:
    assert OperatorBandit(["a"], enabled=False).weights() is None


def test_state_round_trips_through_json() -> None:
    bandit = OperatorBandit(["a", "b"])
    bandit.update(["a", "b"], IMPROVED)
    bandit.update(["b"], NEUTRAL)
    copy = OperatorBandit(["a", "b"])
    copy.restore(json.loads(json.dumps(bandit.state())))
    assert copy.state() == bandit.state()
    assert copy.weights() == bandit.weights()


def test_reward_compares_passes_then_cost() -> None:
    assert reward((3.0, 10.0, 1.0), (4.0, 99.0, 2.0)) == IMPROVED
    assert reward((3.0, 10.0, 1.0), (2.0, 1.0, 1.0)) == WORSE
    assert reward((3.0, 10.0, 1.0), (3.0, 9.0, 5.0)) == IMPROVED
    assert reward((3.0, 10.0, 1.0), (3.0, 10.0, 2.0)) == NEUTRAL


def test_priors_scale_the_weights_until_escalation_lifts_them() -> None:
    bandit = OperatorBandit(["a", "b"], priors={"b": 0.2})
    weights = bandit.weights()
    assert weights is not None
    assert weights["b"] == pytest.approx(0.2 * weights["a"])
    bandit.escalation = 0.5
    weights = bandit.weights()
    assert weights is not None
    assert weights["b"] == pytest.approx(0.6 * weights["a"])
    bandit.escalation = 1.0
    assert bandit.weights() == {"a": 0.5, "b": 0.5}
    # A prior is a fixed factor, not state: a checkpoint does not carry it.
    assert "priors" not in bandit.state() and "escalation" not in bandit.state()
