"""Predicate switching: a condition whose negation passes a failing test decides it, its sites
are favoured over a flat spectrum, and a probe that fixes the program joins the first
population."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from evolve.program.program import Program
from evolve.run import RunRequest, start_run
from evolve.search.algorithms import Algorithm
from evolve.search.localise import BOOST, FLOOR, Localisation
from evolve.search.settings import SearchSettings
from evolve.search.switching import MAX_PROBES, Probe, deciding_lines, probe, probe_edits
from sandbox import Evaluation, Status, TestOutcome
from tests.doubles import Quiet

# Every case runs every line, so Ochiai weighs all lines alike; the sign is read backwards.
PICK = """\
def pick(rows, weights):
    chosen = []
    for row, weight in zip(rows, weights):
        low = min(row)
        high = max(row)
        best = high if weight < 0 else low
        chosen.append(best + 0 * (high - low))
    return chosen
"""


STREAK = """\
def longest_streak(days):
    if not days:
        return 0
    best = 1
    current = 1
    for i in range(1, len(days)):
        if days[i] == days[i - 1]:
            continue
        if days[i] == days[i - 1] + 1:
            current += 1
        else:
            current = 0
        best = min(best, current)
    return best
"""
STREAK_CASES: list[tuple[list[object], object]] = [
    ([[]], 0),
    ([[7]], 1),
    ([[1, 2, 3, 4]], 4),
    ([[1, 3, 5, 9]], 1),
    ([[1, 2, 5, 6, 7]], 3),
    ([[10, 11, 12, 20, 21]], 3),
    ([[3, 3, 4, 4, 5, 9]], 3),
    ([[1, 2, 4, 5]], 2),
]


def _cases() -> list[tuple[list[object], object]]:
    rows = [[3, 1, 2], [5, 9], [4], [7, 7, 0], [2, 8, 6], [1, 2]]
    cases: list[tuple[list[object], object]] = []
    for n, weight in enumerate([1, 1, -1, 1, 1, -1, 1, 1]):
        picked = rows[n % len(rows) :] + rows[: n % len(rows)]
        weights = [weight] * len(picked)
        expected = [max(r) if w > 0 else min(r) for r, w in zip(picked, weights, strict=True)]
        cases.append(([picked, weights], expected))
    return cases


def _evaluation(passed: list[bool]) -> Evaluation:
    tests = tuple(
        TestOutcome(name=f"case {i}", outcome="passed" if ok else "failed")
        for i, ok in enumerate(passed)
    )
    return Evaluation(status=Status.OK if all(passed) else Status.FAILED, tests=tests)


def test_one_probe_per_condition_most_suspicious_first_within_the_budget() -> None:
    program = Program.parse(PICK)
    edits = probe_edits(program, None, budget_left=1000)
    assert [e.operator for e in edits] == ["negate-condition"]
    [site] = [program.site(e.site) for e in edits]
    assert site.line == 6
    assert probe_edits(program, None, budget_left=10) == []  # 5% of 10 is no probe
    many = "def f(x):\n" + "".join(f"    if x > {i}:\n        x -= 1\n" for i in range(40))
    assert len(probe_edits(Program.parse(many + "    return x\n"), None, 10_000)) == MAX_PROBES


def test_a_returned_truth_value_is_no_predicate_to_switch() -> None:
    # Negating it flips every answer: it "passes more tests" whenever most fail, anywhere.
    source = "def valid(code):\n    total = sum(code)\n    return total % 11 == 0\n"
    assert probe_edits(Program.parse(source), None, 1000) == []


def test_a_probe_decides_when_it_fixes_more_tests_than_it_breaks() -> None:
    program = Program.parse(PICK)
    [edit] = probe_edits(program, None, 1000)
    seed = _evaluation([False, False, True, False])
    found = probe(program, edit, seed, _evaluation([True, False, False, True]))
    assert (found.fixed, found.broken) == (2, 1) and found.deciding
    assert deciding_lines([found]) == {6}
    # Fixing one test and breaking one only shows that the condition matters.
    even = probe(program, edit, seed, _evaluation([True, False, False, False]))
    assert (even.fixed, even.broken) == (1, 1) and not even.deciding
    useless = probe(program, edit, seed, _evaluation([False, False, True, False]))
    assert not useless.deciding and deciding_lines([even, useless]) == set()


def test_the_lines_an_if_guards_are_deciding_with_its_condition() -> None:
    source = "def f(x):\n    y = x\n    if x > 9:\n        y -= 10\n    return y\n"
    program = Program.parse(source)
    [edit] = probe_edits(program, None, 1000)
    found = probe(program, edit, _evaluation([False, False]), _evaluation([True, False]))
    assert deciding_lines([found]) == {3, 4}


def test_the_deciding_line_outweighs_a_flat_spectrum() -> None:
    program = Program.parse(PICK)
    localisation = Localisation()
    localisation.weights = {site.address: 0.98 for site in program.sites}
    localisation.favour(program, {6})
    weights = localisation.weights
    assert weights is not None
    on_line = {weights[s.address] for s in program.sites if s.line == 6}
    elsewhere = {weights[s.address] for s in program.sites if s.line != 6}
    assert on_line == {1.0}
    assert elsewhere == {max(FLOOR, 0.98 / BOOST)}
    assert localisation.state()["deciding"] == [6]
    restored = Localisation()
    restored.restore(localisation.state())
    assert restored.deciding == [6] and restored.weights == weights


def test_the_sweep_keeps_the_spectrum_the_draws_are_favoured_over() -> None:
    program = Program.parse(PICK)
    localisation = Localisation()
    spectrum = {site.address: 0.98 for site in program.sites}
    localisation.weights = dict(spectrum)
    assert localisation.sweep_weights() == spectrum  # nothing favoured: one set of weights
    localisation.favour(program, {6})
    assert localisation.sweep_weights() == spectrum
    assert localisation.mutation_weights() != spectrum
    restored = Localisation()
    restored.restore(localisation.state())
    assert restored.sweep_weights() == spectrum
    # A checkpoint written before the spectrum was kept sweeps by the weights it has.
    old = {k: v for k, v in localisation.state().items() if k != "spectrum"}
    restored.restore(old)
    assert restored.sweep_weights() == restored.weights
    assert Localisation(enabled=False).sweep_weights() is None


def test_a_fix_after_a_deciding_condition_is_swept_early(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    # Two defects: `min` for `max`, on the line after the if/else whose condition decides
    # failures, and a run reset to 0 instead of 1. Favoured, that line weighs a quarter and
    # its fix is about the 400th single edit; the sweep reaches it by the spectrum's order.
    task = make_task(tmp_path / "streak", STREAK, "longest_streak", STREAK_CASES)
    request = RunRequest(task, seed=1, budget=3000, runs_dir=tmp_path / "r")
    summary = start_run(request, Quiet())
    assert summary.solved
    champion = Path(summary.champion_path).read_text()
    assert "best = max(best, current)" in champion and "current = 1\n" in champion


def test_nothing_deciding_leaves_the_weights_alone() -> None:
    program = Program.parse(PICK)
    localisation = Localisation()
    localisation.weights = {site.address: 0.5 for site in program.sites}
    before = localisation.weights
    localisation.favour(program, set())
    assert localisation.weights is before and localisation.deciding == []


def test_a_flat_spectrum_condition_bug_is_repaired_by_its_probe(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    task = make_task(tmp_path / "pick", PICK, "pick", _cases())
    request = RunRequest(task, seed=3, budget=400, runs_dir=tmp_path / "r")
    summary = start_run(request, Quiet())
    assert summary.solved
    events = [json.loads(line) for line in (Path(summary.run_dir) / "events.jsonl").open()]
    [switched] = [e for e in events if e["type"] == "predicates_switched"]
    [found] = switched["probes"]
    assert found["lines"] == [6, 6] and found["fixed"] > found["broken"]
    # The probe is itself a repair: in the first population, collected in its generation.
    [change] = [e for e in events if e["type"] == "change_accepted"]
    candidates = json.loads(change["evidence"])["checks"]["plausible"]["candidates"]
    [negated] = [c for c in candidates if "not weight < 0" in " ".join(c["edits"])]
    first = next(e for e in events if e["type"] == "generation_finished")
    assert first["generation"] == 1 and negated["found_at"] <= first["evaluations"]


def test_random_search_switches_nothing(tmp_path: Path, make_task: Callable[..., Path]) -> None:
    task = make_task(tmp_path / "pick", PICK, "pick", _cases())
    settings = SearchSettings(algorithm=Algorithm.RANDOM)
    request = RunRequest(task, seed=3, budget=30, runs_dir=tmp_path / "r", settings=settings)
    summary = start_run(request, Quiet())
    events = [json.loads(line) for line in (Path(summary.run_dir) / "events.jsonl").open()]
    assert not [e for e in events if e["type"] == "predicates_switched"]


def test_probe_round_trips_to_json() -> None:
    program = Program.parse(PICK)
    [edit] = probe_edits(program, None, 1000)
    found = Probe(edit, range(6, 7), 2, 0)
    assert found.to_json() == {"site": edit.site, "lines": [6, 6], "fixed": 2, "broken": 0}
