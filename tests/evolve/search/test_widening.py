"""Widening: a search that spins on known sources looks further, one level at a time."""

from __future__ import annotations

import json

from evolve.search.widening import MAX_LEVEL, QUIET_GENERATIONS, Widening
from evolve.store.checkpoint import Stateful


def spin(widening: Widening, generations: int) -> None:
    for _ in range(generations):
        widening.observe(new_evaluations=1, population=40, accepted=False)


def test_spinning_generations_widen_one_level_at_a_time() -> None:
    widening = Widening()
    assert (widening.steps, widening.uniform_sites, widening.restarts(40)) == (1, False, 0)
    spin(widening, QUIET_GENERATIONS - 1)
    assert widening.level == 0
    spin(widening, 1)
    assert widening.level == 1 and widening.steps == 2 and not widening.uniform_sites
    assert widening.restarts(40) == 0
    spin(widening, QUIET_GENERATIONS)
    assert widening.level == 2 and widening.restarts(40) == 10 and widening.uniform_sites
    spin(widening, 10 * QUIET_GENERATIONS)
    assert widening.level == MAX_LEVEL and widening.steps == 3 and widening.restarts(40) == 20


def test_a_healthy_generation_resets_the_streak_and_progress_narrows_back() -> None:
    widening = Widening()
    spin(widening, QUIET_GENERATIONS - 1)
    widening.observe(new_evaluations=4, population=40, accepted=False)  # 10%: healthy
    spin(widening, QUIET_GENERATIONS - 1)
    assert widening.level == 0
    spin(widening, 2 * QUIET_GENERATIONS)
    assert widening.level == 2
    widening.observe(new_evaluations=40, population=40, accepted=False)
    assert widening.level == 2  # new variants alone are no progress
    widening.observe(new_evaluations=0, population=40, accepted=True)
    assert (widening.level, widening.quiet) == (0, 0)


def test_disabled_for_the_random_baseline_and_checkpointed() -> None:
    baseline = Widening(enabled=False)
    spin(baseline, 100)
    assert baseline.level == 0
    widening = Widening()
    spin(widening, QUIET_GENERATIONS + 1)
    restored = Widening()
    restored.restore(json.loads(json.dumps(widening.state())))
    assert isinstance(restored, Stateful)
    assert restored == widening
