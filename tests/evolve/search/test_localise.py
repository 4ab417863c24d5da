"""Fault localisation: Ochiai on a known matrix, hot lines, site weights with a floor, and the
buggy line of a bundled task ranked first."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from evolve.program.program import Program
from evolve.run import read_program
from evolve.search.localise import (
    FLOOR,
    FLOOR_SHARE,
    Localisation,
    capped,
    hotness,
    ochiai,
    site_weights,
)
from evolve.task import load_task

BUNDLED = Path(__file__).resolve().parents[3] / "benchmarks"


def test_ochiai_on_a_known_matrix() -> None:
    # Four cases, two failing. Line 1 runs everywhere, line 2 only in failing cases, line 3
    # in one failing and one passing case, line 4 only in passing ones.
    coverage = [{1: 1, 2: 1, 3: 1}, {1: 1, 2: 1}, {1: 1, 3: 1, 4: 1}, {1: 1, 4: 1}]
    failed = [True, True, False, False]
    scores = ochiai(coverage, failed)
    assert scores[1] == pytest.approx(2 / math.sqrt(2 * 4))
    assert scores[2] == pytest.approx(1.0)
    assert scores[3] == pytest.approx(1 / math.sqrt(2 * 2))
    assert scores[4] == 0.0
    assert max(scores, key=lambda line: scores[line]) == 2


def test_ochiai_without_failing_cases_scores_nothing() -> None:
    assert ochiai([{1: 3}], [False]) == {1: 0.0}


def test_hotness_is_one_for_the_hottest_line() -> None:
    scores = hotness([{1: 1, 2: 100}, {2: 900, 3: 10}])
    assert scores[2] == 1.0
    assert 0 < scores[1] < scores[3] < 1.0


def test_site_weights_keep_a_floor() -> None:
    program = Program.parse("def f(x):\n    y = x + 1\n    return y * 2\n")
    weights = site_weights(program, {2: 1.0})
    on_line_2 = [
        w for s in program.sites if s.line == 2 and s.end_line == 2 for w in [weights[s.address]]
    ]
    on_line_3 = [weights[s.address] for s in program.sites if s.line == 3]
    assert on_line_2 and all(w == 1.0 for w in on_line_2)
    assert on_line_3 and all(w == FLOOR for w in on_line_3)
    # Nothing to go on: every site alike.
    assert set(site_weights(program, {}).values()) == {1.0}


def test_localisation_ranks_the_buggy_line_of_a_bundled_task_first() -> None:
    task = load_task(BUNDLED / "repair" / "total_score")
    program = read_program(task)
    buggy = next(
        number
        for number, line in enumerate(program.source.splitlines(), 1)
        if line.strip() == "total += score"
    )
    localisation = Localisation()
    localisation.compute(task, program)
    assert buggy in localisation.top_lines[:2]  # tied first with the line that feeds it
    assert localisation.weights is not None
    assert min(localisation.weights.values()) >= FLOOR


def test_localisation_state_round_trips_through_json() -> None:
    localisation = Localisation(weights={"body[0]": 0.5}, top_lines=[3, 4])
    copy = Localisation()
    copy.restore(json.loads(json.dumps(localisation.state())))
    assert copy == localisation
    task = load_task(BUNDLED / "repair" / "total_score")
    copy.compute(task, read_program(task))  # restored weights are kept, not recomputed
    assert copy.weights == {"body[0]": 0.5}


def test_disabled_localisation_gives_no_weights() -> None:
    localisation = Localisation(enabled=False)
    task = load_task(BUNDLED / "repair" / "total_score")
    localisation.compute(task, read_program(task))
    assert localisation.mutation_weights() is None


def test_the_floor_takes_at_most_its_share_of_the_draws() -> None:
    # Two suspicious sites among a hundred: at the floor, the other 98 would draw 71%.
    weights = {"hot1": 1.0, "hot2": 1.0} | {f"cold{i}": FLOOR for i in range(98)}
    scaled = capped(weights, FLOOR)
    cold = sum(w for a, w in scaled.items() if a.startswith("cold"))
    assert cold == pytest.approx(FLOOR_SHARE * sum(scaled.values()))
    assert scaled["hot1"] == scaled["hot2"] == 1.0
    assert len({w for a, w in scaled.items() if a.startswith("cold")}) == 1
    # Few sites at the floor: left as they are.
    few = {"hot": 1.0, "cold": FLOOR}
    assert capped(few, FLOOR) == few
