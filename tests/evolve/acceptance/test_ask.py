"""Asking a person what the tests could not decide: the questions, the answers as cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evolve.acceptance.ask import Answer, agrees, append_cases, ask, unanswered, undecided
from evolve.task import read_cases
from sandbox import Case

DISAGREEMENTS: list[dict[str, Any]] = [
    {"input": {"args": [[1, 3]], "kwargs": {}}, "answers": [3, 1]},
    {"input": {"args": [[2, 0]], "kwargs": {}}, "answers": [2, 2]},
    {"input": {"args": [[0, 5]], "kwargs": {"k": 1}}, "answers": [5, None]},
]


def scripted(*lines: str) -> tuple[Any, list[str]]:
    said = iter(lines)
    shown: list[str] = []
    return (lambda: next(said, "")), shown


def test_a_person_picks_types_or_skips_and_end_of_input_stops() -> None:
    read, shown = scripted("a", "s", "t", "not json", "t", "[5]")
    answers = ask(DISAGREEMENTS, ["max(xs)", "xs[0]"], read, shown.append)
    assert [(a.args, a.kwargs, a.expected) for a in answers] == [
        ([[1, 3]], {}, 3),
        ([[0, 5]], {"k": 1}, [5]),
    ]
    text = "".join(shown)
    assert "([1, 3]) the candidates answer" in text and "(raises or hangs)" in text
    assert "  a. 3    max(xs)\n  b. 1    xs[0]\n" in text
    assert "recorded: ([1, 3]) -> 3\n" in text and "recorded: ([0, 5], k=1) -> [5]\n" in text
    assert "not JSON" in text
    read, shown = scripted("B")
    assert len(ask(DISAGREEMENTS, ["a", "b"], read, shown.append)) == 1  # then end of input


def test_candidates_giving_one_answer_share_its_letter() -> None:
    same = [{"input": {"args": [[4]], "kwargs": {}}, "answers": [2, [1], 2, (1,), None]}]
    read, shown = scripted("c")
    [answer] = ask(same, ["p", "q", "r", "s", "t"], read, shown.append)
    text = "".join(shown)
    # A tuple and a list are one answer once written as JSON, as outputs are compared.
    assert "  a. 2    p, r\n  b. [1]    q, s\n  c. (raises or hangs)    t\n" in text
    assert answer.expected is None


def test_a_number_is_not_taken_for_a_candidate() -> None:
    # The answers are small integers: "1" typed for the answer 1 must not pick candidate 1,
    # whose answer is 3.
    read, shown = scripted("1", "b")
    [answer] = ask(DISAGREEMENTS[:1], ["max(xs)", "xs[0]"], read, shown.append)
    assert answer.expected == 1
    assert "please answer a to b, t or s" in "".join(shown)


def test_inputs_already_among_the_cases_are_not_asked_again() -> None:
    cases = [Case("added", args=([1, 3],), kwargs={}, expected=1)]
    assert unanswered(DISAGREEMENTS, cases) == DISAGREEMENTS[1:]
    assert unanswered(DISAGREEMENTS, []) == DISAGREEMENTS


def test_a_candidate_agrees_only_where_it_answered_as_said() -> None:
    said = [Answer([[1, 3]], {}, 3, "me", 0.0)]
    assert agrees(DISAGREEMENTS, 0, said)
    assert not agrees(DISAGREEMENTS, 1, said)
    assert agrees(DISAGREEMENTS, 1, [])  # nothing said: nothing to disagree with


def test_answers_become_cases_with_a_note(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"args": [[1]], "expected": 1}')  # no final newline
    append_cases(cases, [Answer([[1, 3]], {}, 3, "ada", 0.0)], "evolve review --ask")
    lines = cases.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["note"].startswith("added by ada on ")
    read = read_cases(cases)
    assert read[1].args == ([1, 3],) and read[1].expected == 3


def test_only_a_change_chosen_among_disagreeing_repairs_is_undecided() -> None:
    assert undecided({}) == []
    assert undecided({"checks": {"plausible": {"disagreements": DISAGREEMENTS}}}) == DISAGREEMENTS
