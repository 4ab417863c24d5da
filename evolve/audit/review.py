"""`evolve review`: approve or reject accepted changes; what may be applied follows from that.

Lineage is linear (change N is built on change N-1's child), so rejecting change k excludes k
and every later change, and the champion becomes the child of the last change before k. In
manual mode every change that would be applied must be approved first.
"""

from __future__ import annotations

import enum
import getpass
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evolve.acceptance.ask import (
    agrees,
    append_cases,
    ask,
    unanswered,
    undecided,
    undecided_count,
)
from evolve.errors import UsageError
from evolve.store.chain import CHECKS
from evolve.store.database import AcceptedChange, Review, RunStore
from evolve.task import ReviewMode, load_task
from sandbox import CaseSuite

APPROVED, REJECTED = "approved", "rejected"
# Recorded by `review --ask` when a person's answers agree with the chosen repair: the tie the
# tests left is settled, but the change itself is neither approved nor rejected by it.
ANSWERED = "answered"


class Standing(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    PENDING = "pending"  # no decision yet
    EXCLUDED = "excluded"  # built on a rejected change


@dataclass(frozen=True)
class Plan:
    """What the reviews allow: each change's standing and the champion that follows."""

    standings: Mapping[int, Standing]
    mode: ReviewMode
    rejected: int | None  # the first rejected change

    @property
    def included(self) -> tuple[int, ...]:
        return tuple(
            n for n, s in self.standings.items() if s in (Standing.APPROVED, Standing.PENDING)
        )

    @property
    def champion(self) -> int:
        """The change whose child is the champion; 0 for the seed."""
        return max(self.included, default=0)

    @property
    def pending(self) -> tuple[int, ...]:
        return tuple(n for n, s in self.standings.items() if s is Standing.PENDING)

    def require_approved(self, upto: int) -> None:
        """UsageError unless changes 1..upto may reach a user's file."""
        if self.rejected is not None and self.rejected <= upto:
            raise UsageError(f"change #{self.rejected} was rejected; it cannot be applied")
        waiting = [n for n in self.pending if n <= upto]
        if self.mode is ReviewMode.MANUAL and waiting:
            numbers = ", ".join(f"#{n}" for n in waiting)
            raise UsageError(
                f"review mode is manual and change(s) {numbers} are not approved:"
                " approve them with `evolve review` first"
            )


def latest_decisions(reviews: Sequence[Review]) -> dict[int, str]:
    return {number: review.decision for number, review in latest_reviews(reviews).items()}


def latest_reviews(reviews: Sequence[Review]) -> dict[int, Review]:
    """Each change's last approval or rejection (answers to `--ask` decide nothing)."""
    latest: dict[int, Review] = {}
    for review in reviews:  # oldest first, so the latest decision wins
        if review.decision != ANSWERED:
            latest[review.number] = review
    return latest


def settled(reviews: Sequence[Review]) -> frozenset[int]:
    """The changes whose undecided inputs a person has answered as the chosen repair does."""
    return frozenset(review.number for review in reviews if review.decision == ANSWERED)


def plan(numbers: Sequence[int], reviews: Sequence[Review], mode: ReviewMode) -> Plan:
    decisions = latest_decisions(reviews)
    rejected = min((n for n in numbers if decisions.get(n) == REJECTED), default=None)
    standings: dict[int, Standing] = {}
    for number in numbers:
        decision = decisions.get(number)
        if decision == REJECTED:
            standings[number] = Standing.REJECTED
        elif rejected is not None and number > rejected:
            standings[number] = Standing.EXCLUDED
        elif decision == APPROVED:
            standings[number] = Standing.APPROVED
        else:
            standings[number] = Standing.PENDING
    return Plan(standings, mode, rejected)


def run_mode(store: RunStore) -> ReviewMode:
    # Fixed when the run started: editing task.toml afterwards cannot loosen the review.
    return ReviewMode(store.config().get("review_mode", ReviewMode.AUTO.value))


def current_plan(store: RunStore) -> Plan:
    return plan(store.accepted_numbers(), store.reviews(), run_mode(store))


def decide(store: RunStore, number: int, decision: str) -> None:
    store.add_review(Review(number, decision, time.time(), getpass.getuser()))


def apply_flags(
    store: RunStore, approve: Sequence[int], reject: Sequence[int], approve_all: bool
) -> None:
    """Record the decisions given on the command line, checked before any is written."""
    numbers = set(store.accepted_numbers())
    for number in (*approve, *reject):
        if number not in numbers:
            raise UsageError(f"run has no change #{number} (it has {len(numbers)})")
    both = sorted(set(approve) & set(reject))
    if both:
        raise UsageError(f"change #{both[0]} is both approved and rejected")
    with store.transaction():
        for number in approve:
            decide(store, number, APPROVED)
        for number in reject:
            decide(store, number, REJECTED)
        if approve_all:
            for number in current_plan(store).pending:
                decide(store, number, APPROVED)


# the interactive walk ------------------------------------------------------------------------

PROMPT = "[a]pprove, [r]eject, [s]kip, [q]uit? "
_ANSWERS = {"a": APPROVED, "r": REJECTED, "s": "skip", "q": "quit"}


def walk(store: RunStore, read_line: Callable[[], str], write: Callable[[str], None]) -> None:
    """Show each pending change and ask; end of input counts as quit."""
    changes = {change.number: change for change in store.accepted()}
    answered = settled(store.reviews())  # the walk's own decisions never settle a change
    skipped: set[int] = set()
    while True:
        todo = [n for n in current_plan(store).pending if n not in skipped]
        if not todo:
            return
        change = changes[todo[0]]
        write(describe(change, len(changes), settled=change.number in answered))
        answer = _ask(read_line, write)
        if answer == "quit":
            return
        if answer == "skip":
            skipped.add(change.number)
        else:
            decide(store, change.number, answer)


def ask_walk(
    store: RunStore, run_id: str, read_line: Callable[[], str], write: Callable[[str], None]
) -> None:
    """For each pending change whose plausible repairs disagreed on some inputs, ask which
    answer is right; add the answers to the task's cases, and reject the change when its
    chosen repair answered otherwise (`evolve.acceptance.ask`)."""
    config = store.config()
    task = load_task(Path(str(config["task_dir"])))
    changes = {change.number: change for change in store.accepted()}
    answered = settled(store.reviews())
    asked_any = False
    for number in current_plan(store).pending:
        if number in answered:
            continue
        change = changes[number]
        evidence = json.loads(change.evidence)
        cases = task.suite.cases if isinstance(task.suite, CaseSuite) else ()
        disagreements = unanswered(undecided(evidence), cases)
        if not disagreements:
            continue
        asked_any = True
        candidates = evidence[CHECKS]["plausible"]["candidates"]
        labels = [
            "; ".join(c["edits"]) + (" (chosen)" if i == 0 else "")
            for i, c in enumerate(candidates)
        ]
        write(
            f"=== change #{number}: the tests could not decide between {len(labels)} repairs ===\n"
        )
        answers = ask(disagreements, labels, read_line, write)
        if not answers:
            continue
        if task.cases_file is None:
            raise UsageError(f"{task.directory}: the task has no cases file to add the answers to")
        source = f"evolve review --ask, run {run_id}, change #{number}"
        append_cases(task.cases_file, answers, source)
        write(f"added {len(answers)} case(s) to {task.cases_file}\n")
        if not agrees(disagreements, 0, answers):
            decide(store, number, REJECTED)
            write(f"change #{number}'s repair answers otherwise: rejected\n")
            agreeing = [
                label for i, label in enumerate(labels) if agrees(disagreements, i, answers)
            ]
            if agreeing:
                write(f"answering as you said: {' | '.join(agreeing)}\n")
            # The run is over; a new one is judged by the answers as well.
            write(f"to repair it again with your answers: evolve run {task.directory}\n")
        elif len(answers) < len(disagreements):
            left = len(disagreements) - len(answers)
            write(
                f"change #{number}'s repair answers as you said; {left} input(s) skipped,"
                " asked again next time\n"
            )
        else:
            decide(store, number, ANSWERED)
            write(
                f"change #{number}'s repair answers as you said: the tie is settled"
                " (approving the change itself is still `evolve review`)\n"
            )
    if not asked_any:
        write("no change left undecided by the tests\n")


def _ask(read_line: Callable[[], str], write: Callable[[str], None]) -> str:
    while True:
        write(PROMPT)
        line = read_line()
        if not line:
            write("\n")
            return "quit"
        answer = _ANSWERS.get(line.strip().lower()[:1])
        if answer is not None:
            return answer
        write("please answer a, r, s or q\n")


def describe(change: AcceptedChange, total: int, *, settled: bool = False) -> str:
    """A change as a reviewer reads it: what changed, why it was accepted, the diff;
    `settled`: the inputs its tests could not decide were answered (`review --ask`)."""
    lines = [
        f"=== change #{change.number} of {total}: generation {change.generation},"
        f" {change.evaluations} evaluations ===",
        f"fitness: {change.fitness_before} -> {change.fitness_after}",
    ]
    for edit in json.loads(change.edits):
        if edit.get("action", "add") == "remove":
            lines.append(f"reverts #{edit.get('reverts', '?')}: {edit['description']}")
        else:
            lines.append(f"edit: {edit['description']}")
    for suite, evidence in sorted(
        json.loads(change.evidence).items(), key=lambda i: i[0] != "search"
    ):
        if suite == CHECKS:
            lines.append(_describe_checks(evidence))
            open_inputs = 0 if settled else undecided_count({CHECKS: evidence})
            if open_inputs:
                lines.append(
                    f"tests could not decide: the candidates answer differently on {open_inputs}"
                    " generated input(s); `evolve review RUN --ask` asks which answer is right"
                )
            continue
        fixed = _names(evidence["fixed"])
        lines.append(
            f"{suite}: fixed {fixed}; {len(evidence['passing'])}/{evidence['total']} passing"
        )
    return "\n".join(lines) + "\n" + change.diff


def _describe_checks(checks: Mapping[str, Any]) -> str:
    """The acceptance checks beyond the suites, in one line."""
    plausible = checks.get("plausible")
    generated = checks.get("generated_inputs", 0)
    if isinstance(plausible, dict):
        # A repair changes answers on purpose: its generated inputs held nothing, they told
        # the plausible repairs apart.
        parts = [str(plausible.get("reason") or "the only plausible repair")]
        if generated:
            parts.append(f"{generated} generated inputs compared them with the seed")
    else:
        parts = [f"{generated} generated inputs hold"]
    minimised = checks.get("minimised")
    if minimised:
        parts.append(f"edits {minimised['edits_before']} -> {minimised['edits_after']} minimised")
    timing = checks.get("timing")
    if timing:
        parts.append(f"timed {timing['ratio']}x faster (p = {timing['p_value']})")
    return "checks: " + "; ".join(parts)


def _names(names: Sequence[str], shown: int = 6) -> str:
    if not names:
        return "none"
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def summary(store: RunStore) -> list[str]:
    """One line per change and one for the champion that follows from the reviews."""
    current = current_plan(store)
    decisions = latest_reviews(store.reviews())
    lines = []
    for change in store.accepted():
        standing = current.standings[change.number]
        note = ""
        if standing is Standing.EXCLUDED:
            note = f" (built on rejected #{current.rejected})"
        elif change.number in decisions and standing is not Standing.PENDING:
            note = f" (by {decisions[change.number].who})"
        lines.append(
            f"#{change.number:<3} {standing.value:<8} {', '.join(change.operators)}"
            f"  {change.fitness_before} -> {change.fitness_after}{note}"
        )
    if not lines:
        lines.append("no accepted changes")
    champion = f"change #{current.champion}" if current.champion else "the seed"
    lines.append(f"champion: {champion} (review mode {current.mode.value})")
    if current.mode is ReviewMode.MANUAL and current.pending:
        waiting = ", ".join(f"#{n}" for n in current.pending)
        lines.append(f"apply waits for approval of {waiting}")
    return lines
