"""Asking a person what the tests could not decide.

Plausible repairs that pass every test can still answer differently on other inputs; the
evidence of the change that chose one keeps those inputs and every candidate's answer
(`evolve.acceptance.plausible`). A person who knows what the program should do settles them:
for each input they pick the right answer among the candidates' (or type it), the answer
becomes a case of the task (appended to its cases file with a note of who added it and
when, so the next run is judged by it too), and the candidates that answered otherwise are
turned down: during a run (`[review] ask = true`) they never reach the choice; after it
(`evolve review RUN --ask`) a change whose chosen repair disagrees is rejected.

Answers are compared with the candidates' after a JSON round trip, as every output is.
"""

from __future__ import annotations

import getpass
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evolve.errors import UsageError
from sandbox import Case

PROMPT = "the right answer: a letter above, [t]ype one, [s]kip? "
# Candidates are named by letters, not numbers: where the answers are small integers, "2"
# read as the second candidate recorded 1 for a person who meant the answer 2. Neither `s`
# nor `t` is among them.
LETTERS = "abcdefghijklmnopqruvwxyz"

# During a run: (the disagreements, a label per candidate) -> what the person answered.
Asker = Callable[[list[dict[str, Any]], list[str]], list["Answer"]]


@dataclass(frozen=True)
class Answer:
    """What a person said the program should return for one input."""

    args: list[Any]
    kwargs: dict[str, Any]
    expected: Any
    who: str
    when: float

    def to_json(self) -> dict[str, Any]:
        return {
            "args": self.args,
            "kwargs": self.kwargs,
            "expected": self.expected,
            "who": self.who,
            "when": self.when,
        }


def undecided(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """The inputs on which a change's plausible candidates answered differently."""
    choice = evidence.get("checks", {}).get("plausible") or {}
    return [d for d in choice.get("disagreements", []) if "input" in d and "answers" in d]


def undecided_count(evidence: Any) -> int:
    """On how many generated inputs a change's plausible candidates answered differently,
    with nobody asked which answer is right (`evolve review RUN --ask` asks about the first
    few); 0 when none. Records from before the whole count was kept give the number shown."""
    checks = evidence.get("checks") if isinstance(evidence, dict) else None
    choice = checks.get("plausible") if isinstance(checks, dict) else None
    if not isinstance(choice, dict) or choice.get("asked"):
        return 0
    shown = choice.get("disagreements")
    return max(len(shown) if isinstance(shown, list) else 0, int(choice.get("disagreeing") or 0))


def unanswered(
    disagreements: Sequence[dict[str, Any]], cases: Sequence[Case]
) -> list[dict[str, Any]]:
    """The disagreements whose input is not a case yet: an answer given before was added to
    the cases, so asking again asks only what was skipped."""
    known = {_key(case.args, case.kwargs) for case in cases}
    return [
        d
        for d in disagreements
        if _key(d["input"].get("args", []), d["input"].get("kwargs", {})) not in known
    ]


def ask(
    disagreements: Sequence[dict[str, Any]],
    labels: Sequence[str],
    read_line: Callable[[], str],
    write: Callable[[str], None],
) -> list[Answer]:
    """Ask about each input in turn; `labels` names the candidates in the order of their
    answers. End of input stops asking; what was answered so far is kept."""
    answers = []
    for disagreement in disagreements:
        case = disagreement["input"]
        write(f"\nfor {_call(case)} the candidates answer:\n")
        # One letter for each distinct answer, with every candidate that gives it: four
        # letters for one answer read as four choices.
        givers: dict[str, tuple[Any, list[str]]] = {}
        for label, answer in zip(labels, disagreement["answers"], strict=False):
            givers.setdefault(_canonical(answer), (answer, []))[1].append(label)
        choices = []
        for answer, names in givers.values():
            choices.append(answer)
            shown = "(raises or hangs)" if answer is None else json.dumps(answer)
            write(f"  {LETTERS[len(choices) - 1]}. {shown}    {', '.join(names)}\n")
        value = _read_answer(choices, read_line, write)
        if value is _STOP:
            break
        if value is _SKIP:
            continue
        write(f"recorded: {_call(case)} -> {json.dumps(value)}\n")
        answers.append(
            Answer(list(case["args"]), dict(case["kwargs"]), value, getpass.getuser(), time.time())
        )
    return answers


def agrees(disagreements: Sequence[dict[str, Any]], candidate: int, said: Sequence[Answer]) -> bool:
    """Whether candidate number `candidate` (its place in each disagreement's answers)
    answered as the person said on every input they answered."""
    given = {_key(a.args, a.kwargs): a.expected for a in said}
    for disagreement in disagreements:
        case = disagreement["input"]
        key = _key(case["args"], case["kwargs"])
        answers = disagreement["answers"]
        if key not in given or candidate >= len(answers):
            continue
        if _canonical(given[key]) != _canonical(answers[candidate]):
            return False
    return True


def append_cases(path: Path, answers: Sequence[Answer], source: str) -> None:
    """Add the answers to a task's cases file, each with a note of who, when and where."""
    if not answers:
        return
    lines = []
    for answer in answers:
        stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(answer.when))
        note = f"added by {answer.who} on {stamp}: {source}"
        lines.append(
            json.dumps(
                {
                    "args": answer.args,
                    "kwargs": answer.kwargs,
                    "expected": answer.expected,
                    "note": note,
                }
            )
        )
    try:
        text = path.read_text(encoding="utf-8")
        with path.open("a", encoding="utf-8") as handle:
            if text and not text.endswith("\n"):
                handle.write("\n")
            handle.write("\n".join(lines) + "\n")
    except OSError as exc:
        raise UsageError(f"{path}: cannot add the answers as cases: {exc}") from None


class _Marker:
    pass


_STOP, _SKIP = _Marker(), _Marker()


def _read_answer(
    choices: Sequence[Any], read_line: Callable[[], str], write: Callable[[str], None]
) -> Any:
    while True:
        write(PROMPT)
        line = read_line()
        if not line:
            write("\n")
            return _STOP
        text = line.strip().lower()
        if len(text) == 1 and text in LETTERS[: len(choices)]:
            return choices[LETTERS.index(text)]
        if text in ("s", "skip"):
            return _SKIP
        if text in ("t", "type"):
            write("the answer, as JSON: ")
            typed = read_line()
            try:
                return json.loads(typed)
            except ValueError:
                write("not JSON; try again\n")
                continue
        write(f"please answer a to {LETTERS[len(choices) - 1]}, t or s\n")


def _call(case: dict[str, Any]) -> str:
    parts = [json.dumps(a) for a in case.get("args", [])]
    parts += [f"{k}={json.dumps(v)}" for k, v in case.get("kwargs", {}).items()]
    return f"({', '.join(parts)})"


def _key(args: Sequence[Any], kwargs: dict[str, Any]) -> str:
    return json.dumps([list(args), kwargs], sort_keys=True)


def _canonical(value: Any) -> str:
    # Compared after a JSON round trip, as outputs are: tuples equal lists.
    return json.dumps(value, sort_keys=True)


def terminal_asker(read_line: Callable[[], str], write: Callable[[str], None]) -> Asker:
    """An `Asker` for a run at a terminal: says why it asks, then asks."""

    def asker(disagreements: list[dict[str, Any]], labels: list[str]) -> list[Answer]:
        write(
            f"\n{len(labels)} plausible repairs pass every test but answer differently on"
            f" {len(disagreements)} input(s); the tests cannot decide between them.\n"
        )
        return ask(disagreements, labels, read_line, write)

    return asker
