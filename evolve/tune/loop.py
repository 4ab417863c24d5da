"""The tuning loop: a generational GA over search settings, each scored by bench runs.

The first population holds the engine's defaults and random settings; each later one keeps
the best setting so far and fills up with children of tournament-selected parents (DEAP's
tournament and uniform crossover, then a step mutation), redrawn a few times when a child was
tried already. Settings are scored once, by `evolve bench`-style runs of every training task
with seeds 1..runs, and the score is kept for every later generation that holds them again.

One `random.Random(seed)` makes every choice and outcomes are taken in job order, so the same
suite, seed and budget try the same settings, whether the runs ran here or on a cluster. The
budget counts the evaluations of every training run: a setting is scored only while some
budget is left, so the last may overshoot it by one setting's runs. Every generation ends with
a checkpoint (the population, the generator, the evaluations spent), and a tuning run resumed
from it goes on exactly as it would have.
"""

from __future__ import annotations

import enum
import json
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from deap import base, tools

from evolve.bench import Outcome
from evolve.errors import RunStateError
from evolve.search.selection import deap_random
from evolve.search.stop import StopSwitch
from evolve.store.checkpoint import rng_state, set_rng_state
from evolve.store.events import EventLog
from evolve.tune import space
from evolve.tune.jobs import BenchJob, Runner
from evolve.tune.scoring import Score, score
from evolve.tune.space import DEFAULT_GENOME, Genome
from evolve.tune.store import HELD_OUT, TRAIN, Trial, TuneStore

CHECKPOINT_VERSION = 1
CROSSOVER_RATE = 0.5
TOURNAMENT_SIZE = 2
# A bench run that ended so was cut short by a person (Ctrl-C reaches it first), not judged.
CUT_SHORT = frozenset({"interrupted", "stopped", "aborted"})
# Redraws of a child whose settings were tried already, before it is taken as it is.
REDRAWS = 8


class TuneStop(enum.StrEnum):
    GENERATIONS = "generations"  # every generation asked for was scored
    BUDGET = "budget"  # the evaluations allowed were spent
    STOPPED = "stopped"  # a STOP file or `evolve stop`: resumable
    INTERRUPTED = "interrupted"  # Ctrl-C: resumable

    @property
    def finished(self) -> bool:
        return self in (TuneStop.GENERATIONS, TuneStop.BUDGET)


class _CutShort(Exception):
    """A bench run of the generation in flight was stopped by a person."""


@dataclass(frozen=True)
class TuneConfig:
    """What a tuning run is asked to do; recorded, so a resumed run does the same."""

    suite: str
    train: tuple[str, ...]  # task folders as jobs name them (`jobs.portable_task`)
    held_out: tuple[str, ...]
    seed: int = 1
    budget: int = 40_000  # bench evaluations of the training runs, in all
    population: int = 6
    generations: int = 3
    runs: int = 1  # seeds 1..runs for each training task
    held_out_runs: int = 2  # seeds 1..K for each held-out task
    run_budget: int = 1000  # evaluations of one bench run
    hide_holdout: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "train": list(self.train),
            "held_out": list(self.held_out),
            "seed": self.seed,
            "budget": self.budget,
            "population": self.population,
            "generations": self.generations,
            "runs": self.runs,
            "held_out_runs": self.held_out_runs,
            "run_budget": self.run_budget,
            "hide_holdout": self.hide_holdout,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TuneConfig:
        try:
            return cls(
                suite=str(data["suite"]),
                train=tuple(str(t) for t in data["train"]),
                held_out=tuple(str(t) for t in data["held_out"]),
                seed=int(data["seed"]),
                budget=int(data["budget"]),
                population=int(data["population"]),
                generations=int(data["generations"]),
                runs=int(data["runs"]),
                held_out_runs=int(data["held_out_runs"]),
                run_budget=int(data["run_budget"]),
                hide_holdout=bool(data["hide_holdout"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RunStateError(f"the tuning run's recorded configuration: {exc!r}") from None


@dataclass
class TuneState:
    generation: int  # the last generation scored (0: none yet)
    population: list[Genome]
    spent: int  # evaluations of the training runs so far
    done: bool = False  # the search is over; only the held-out comparison may be left
    reason: str | None = None


@dataclass(frozen=True)
class HeldOut:
    default: Score
    tuned: Score


@dataclass
class TuneResult:
    reason: TuneStop
    generations: int
    spent: int
    best: Trial
    default: Trial  # the defaults, on the training tasks
    held_out: HeldOut | None = None
    trials: list[Trial] = field(default_factory=list)


class _Fitness(base.Fitness):  # type: ignore[misc]
    # (solve rate, minus the median evaluations to solve): both bigger is better.
    weights = (1.0, 1.0)


@dataclass
class _Candidate:
    genome: Genome
    fitness: _Fitness


# A median for a setting that solved nothing: below any real one, finite for DEAP.
_NO_MEDIAN = -1e18


class Tuner:
    def __init__(
        self,
        config: TuneConfig,
        store: TuneStore,
        runner: Runner,
        *,
        events: EventLog | None = None,
        switch: StopSwitch | None = None,
        log: TextIO | None = sys.stderr,
    ) -> None:
        self.config = config
        self.store = store
        self.runner = runner
        self.events = events
        self.switch = switch or StopSwitch()
        self.log = log
        self.rng = random.Random(config.seed)
        self.trials: dict[str, Trial] = {}  # training trials by settings key

    # the loop ------------------------------------------------------------------------------

    def run(self, checkpoint: dict[str, Any] | None = None) -> TuneResult:
        """Tune from the start, or from `checkpoint` on as if never stopped; then, once the
        search is over, score the defaults and the best setting on the held-out tasks."""
        state = self._begin() if checkpoint is None else self._restore(checkpoint)
        while not state.done:
            if state.generation > 0:
                reason = self._stop_reason(state)
                if reason is not None:
                    if not reason.finished:
                        return self._result(reason, state)
                    state.done, state.reason = True, reason.value
                    self._checkpoint(state)
                    break
                state.population = self._breed(state.population)
            state.generation += 1
            try:
                self._score_generation(state)
            except _CutShort:
                # Its trial is not recorded; the generation is redone when resumed.
                return self._result(TuneStop.INTERRUPTED, state)
            self._checkpoint(state)
            self._generation_finished(state)
        result = self._result(TuneStop(str(state.reason)), state)
        try:
            result.held_out = self._held_out(state, result)
        except _CutShort:
            return self._result(TuneStop.INTERRUPTED, state)
        return result

    def _begin(self) -> TuneState:
        population = [DEFAULT_GENOME]
        tries = 0
        while len(population) < self.config.population and tries < 100 * self.config.population:
            tries += 1
            genome = space.random_genome(self.rng)
            if genome not in population:
                population.append(genome)
        return TuneState(0, population, 0)

    def _stop_reason(self, state: TuneState) -> TuneStop | None:
        if state.generation >= self.config.generations:
            return TuneStop.GENERATIONS
        if state.spent >= self.config.budget:
            return TuneStop.BUDGET
        requested = self.switch.requested()
        if requested is None:
            return None
        return TuneStop.INTERRUPTED if requested.value == "interrupted" else TuneStop.STOPPED

    def _score_generation(self, state: TuneState) -> None:
        """Score the population's settings not scored before, in population order, while the
        budget lasts; each is recorded as soon as its runs are in."""
        pending: list[tuple[Genome, str]] = []
        for genome in state.population:
            key = space.settings_key(space.decode(genome))
            if key not in self.trials and key not in {k for _, k in pending}:
                pending.append((genome, key))
        if not pending:
            return
        jobs = [job for _, key in pending for job in self._jobs(key, self.config.train)]
        per_trial = len(self.config.train) * self.config.runs
        outcomes = self.runner.run(jobs)
        try:
            for genome, key in pending:
                if state.spent >= self.config.budget:
                    break
                mine = _take(outcomes, per_trial)
                trial = self._record(state.generation, TRAIN, "trial", key, genome, mine)
                state.spent += trial.score.evaluations
                self.trials[key] = trial
        finally:
            outcomes.close()

    def _jobs(self, key: str, tasks: Sequence[str], runs: int | None = None) -> list[BenchJob]:
        settings = json.loads(key)
        return [
            BenchJob(task, settings, seed, self.config.run_budget, self.config.hide_holdout)
            for task in tasks
            for seed in range(1, (runs or self.config.runs) + 1)
        ]

    def _record(
        self,
        generation: int,
        split: str,
        label: str,
        key: str,
        genome: Genome,
        outcomes: Sequence[Outcome],
    ) -> Trial:
        found = score(outcomes)
        trial_id = self.store.add_trial(generation, split, label, key, genome, found, outcomes)
        trial = Trial(trial_id, generation, split, label, key, genome, found)
        if self.events is not None:
            self.events.emit(
                "trial_scored",
                generation=generation,
                split=split,
                label=label,
                trial=trial_id,
                genome=list(genome),
                settings=trial.settings,
                score=found.to_json(),
            )
        self._say(f"tune: generation {generation} {split} {label} #{trial_id}: {found.text()}")
        return trial

    def _breed(self, population: Sequence[Genome]) -> list[Genome]:
        """The next population: the best setting so far, then children of the scored members
        of this one."""
        best = self.best()
        scored = []
        for genome in population:
            trial = self.trials.get(space.settings_key(space.decode(genome)))
            if trial is not None:
                fitness = _Fitness()
                fitness.values = _values(trial.score)
                scored.append(_Candidate(genome, fitness))
        children: list[Genome] = [best.genome]
        seen = set(self.trials) | {best.key}
        while len(children) < self.config.population:
            with deap_random(self.rng):
                first, second = tools.selTournament(scored, 2, tournsize=TOURNAMENT_SIZE)
            child = first.genome
            if self.rng.random() < CROSSOVER_RATE:
                child, _ = space.crossover(first.genome, second.genome, self.rng)
            child = space.mutate(child, self.rng)
            for _ in range(REDRAWS):
                if space.settings_key(space.decode(child)) not in seen:
                    break
                child = space.mutate(child, self.rng)
            seen.add(space.settings_key(space.decode(child)))
            children.append(child)
        return children

    def best(self) -> Trial:
        """The best training trial: the highest rank, the earliest on a tie (the defaults are
        the first, so they are replaced only by a setting that did better)."""
        trials = sorted(self.trials.values(), key=lambda t: t.id)
        return max(trials, key=lambda t: (t.score.rank(), -t.id))

    def _held_out(self, state: TuneState, result: TuneResult) -> HeldOut | None:
        """The defaults and the best setting on the tasks the search never saw, recorded as
        the generation after the last (a resumed run that had started it starts it again)."""
        if not self.config.held_out:
            return None
        found = {t.label: t for t in self.store.trials(HELD_OUT)}
        generation = state.generation + 1
        runs = self.config.held_out_runs
        wanted = [("default", result.default), ("tuned", result.best)]
        for label, trial in wanted:
            if label in found:
                continue
            if label == "tuned" and trial.key == result.default.key:
                # The defaults won: the tuned profile is the defaults, scored once.
                outcomes = self.store.trial_outcomes(found["default"].id)
            else:
                jobs = self._jobs(trial.key, self.config.held_out, runs)
                generator = self.runner.run(jobs)
                try:
                    outcomes = _take(generator, len(jobs))
                finally:
                    generator.close()
            found[label] = self._record(
                generation, HELD_OUT, label, trial.key, trial.genome, outcomes
            )
        return HeldOut(found["default"].score, found["tuned"].score)

    # records -------------------------------------------------------------------------------

    def _checkpoint(self, state: TuneState) -> None:
        self.store.add_checkpoint(state.generation, self.checkpoint(state), time.time())

    def checkpoint(self, state: TuneState) -> dict[str, Any]:
        return {
            "version": CHECKPOINT_VERSION,
            "generation": state.generation,
            "population": [list(genome) for genome in state.population],
            "rng": rng_state(self.rng),
            "spent": state.spent,
            "done": state.done,
            "reason": state.reason,
        }

    def _restore(self, data: dict[str, Any]) -> TuneState:
        if data.get("version") != CHECKPOINT_VERSION:
            raise RunStateError(
                f"tuning checkpoint format {data.get('version')!r} is not this engine's"
                f" ({CHECKPOINT_VERSION})"
            )
        try:
            population = [space.check_genome(genome) for genome in data["population"]]
            set_rng_state(self.rng, data["rng"])
            state = TuneState(
                int(data["generation"]),
                population,
                int(data["spent"]),
                bool(data["done"]),
                None if data["reason"] is None else str(data["reason"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RunStateError(f"the tuning checkpoint cannot be restored: {exc!r}") from None
        self.trials = {t.key: t for t in self.store.trials(TRAIN)}
        recorded = sum(t.score.evaluations for t in self.trials.values())
        if recorded != state.spent:
            raise RunStateError(
                f"the store's trials spent {recorded} evaluations, the checkpoint {state.spent}"
            )
        return state

    def _generation_finished(self, state: TuneState) -> None:
        best = self.best()
        if self.events is not None:
            self.events.emit(
                "generation_finished",
                generation=state.generation,
                spent=state.spent,
                budget=self.config.budget,
                trials=len(self.trials),
                best=best.score.to_json(),
                best_trial=best.id,
            )
        self._say(
            f"tune: generation {state.generation} done: {len(self.trials)} settings tried,"
            f" {state.spent}/{self.config.budget} evaluations; best #{best.id}:"
            f" {best.score.text()}"
        )

    def _result(self, reason: TuneStop, state: TuneState) -> TuneResult:
        default_key = space.settings_key(space.decode(DEFAULT_GENOME))
        return TuneResult(
            reason=reason,
            generations=state.generation,
            spent=state.spent,
            best=self.best(),
            default=self.trials[default_key],
            trials=sorted(self.trials.values(), key=lambda t: t.id),
        )

    def _say(self, line: str) -> None:
        if self.log is not None:
            print(line, file=self.log, flush=True)


def _take(outcomes: Iterator[Outcome], count: int) -> list[Outcome]:
    """The next `count` outcomes; _CutShort as soon as one was stopped by a person (the
    first Ctrl-C reaches the bench run in flight, which ends at its generation boundary)."""
    taken = []
    for _ in range(count):
        outcome = next(outcomes)
        if outcome.stop_reason in CUT_SHORT:
            raise _CutShort
        taken.append(outcome)
    return taken


def _values(found: Score) -> tuple[float, float]:
    solve_rate, median = found.rank()
    return solve_rate, max(median, _NO_MEDIAN)
