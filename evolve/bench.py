"""`evolve bench SUITE`: every task of a suite, K seeds, each algorithm; one table per algorithm.

Runs go through `start_run` in this process, one after another (each run already uses every
core for its evaluations), so a bench measures exactly what `evolve run` does. A run that
cannot start (a task the search cannot climb from, say) is recorded with its error and counts
as unsolved; the bench goes on.

What the table reports, per algorithm:
- solved: the champion passes every search case and every holdout test;
- with `--hide-holdout` the search never sees the holdout, as when a user brings a program
  with only a few tests: a run is *plausible* when its champion passes every search case,
  and solved (correct) only if it also passes the holdout, judged after the run; a plausible
  run that fails the holdout is *plausible but wrong*;
- evaluations to solve: the median over solved runs (a run stops when it solves);
- overfitting: runs that met a plausible patch, one that passes every search case but fails
  the holdout or the generated inputs (a rejection, or a champion left passing every case but
  not the holdout);
- patch size: the median number of edits in the final champion, over runs that changed it;
- cost ratio (speed-up tasks): the median of seed cost over champion cost.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from evolve.errors import UsageError
from evolve.evaluation.evaluator import HOLDOUT, SEARCH
from evolve.program.patch import patch_from_json
from evolve.run import RunRequest, read_program, start_run
from evolve.search import Algorithm, SearchSettings
from evolve.search.stats import GenerationStats
from evolve.search.stop import StopReason
from evolve.store.database import AcceptedChange, RunStore
from evolve.task import Goal, discover_tasks, load_task
from sandbox import evaluate


@dataclass(frozen=True)
class Outcome:
    """One run of one task with one algorithm and seed."""

    task: str
    goal: str
    algorithm: str
    seed: int
    solved: bool
    evaluations: int
    wall_s: float
    accepted: int
    holdout_rejections: int
    plausible_unsolved: bool  # ended passing every search case, failing the holdout
    patch_size: int  # edits in the final champion
    cost_ratio: float | None  # seed cost / champion cost, for speed-ups
    error: str = ""
    # Candidates that passed every case but failed the holdout or the generated inputs.
    plausible_overfitting: int = 0
    # With the holdout hidden: the champion passes every search case (None: not judged so).
    plausible: bool | None = None
    stop_reason: str = ""  # why the run ended (empty: it never started)

    @property
    def plausible_wrong(self) -> bool:
        """Hidden holdout: the champion passes every search case and fails the holdout."""
        return bool(self.plausible) and not self.solved

    @property
    def overfitted(self) -> bool:
        return (
            self.holdout_rejections > 0 or self.plausible_overfitting > 0 or self.plausible_unsolved
        )


@dataclass(frozen=True)
class Row:
    """The table line of one algorithm."""

    algorithm: str
    runs: int
    solved: int
    solve_rate: float
    median_evaluations_to_solve: float | None
    overfitting_runs: int
    holdout_rejections: int
    median_patch_size: float | None
    median_cost_ratio: float | None
    errors: int
    plausible: int | None = None  # hidden holdout: runs whose champion passes every case
    plausible_wrong: int | None = None  # ... and fails the holdout


class _Quiet:
    """A reporter that shows nothing: the bench prints one line per run instead."""

    def generation(self, stats: GenerationStats) -> None:
        return None

    def accepted(self, change: AcceptedChange) -> None:
        return None


# Why a run ends when a person stopped it; a bench stops with it.
_CUT_SHORT = frozenset({StopReason.INTERRUPTED.value, StopReason.STOPPED.value})


def run_bench(
    suite: Path,
    algorithms: Sequence[Algorithm],
    *,
    runs: int,
    budget: int,
    runs_dir: Path,
    population: int | None = None,
    log: Any = None,
    hide_holdout: bool = False,
    settings: SearchSettings | None = None,
    partial_repairs: bool = False,
) -> list[Outcome]:
    """Run every task of `suite` with seeds 1..runs under each algorithm, in that order.
    `settings` (a profile's, say) is every run's, but for the algorithm and, when given,
    the population; `partial_repairs` turns partial steps on over them."""
    tasks = discover_tasks(suite)
    if not tasks:
        raise UsageError(f"{suite}: no task.toml found under it")
    for task_dir in tasks:
        # Bad input is refused before any run: every task loads and its program parses. (A
        # seed refused once run, one that cannot be imported, is an outcome with its error.)
        read_program(load_task(task_dir))
    base = settings if settings is not None else SearchSettings()
    if population is not None:
        base = replace(base, population=population)
    if partial_repairs:
        base = replace(base, partial_repairs=True)
    outcomes: list[Outcome] = []
    for algorithm in algorithms:
        mine = replace(base, algorithm=algorithm)
        for task_dir in tasks:
            for seed in range(1, runs + 1):
                outcome = bench_run(task_dir, mine, seed, budget, runs_dir, hide_holdout)
                if outcome.stop_reason in _CUT_SHORT:
                    # A person stopped this run (Ctrl-C, `evolve stop`): they meant the bench.
                    # The run did not finish, so it is left out of the table.
                    if log is not None:
                        print(
                            f"bench: stopped by the user after {len(outcomes)} runs; the table"
                            " holds those",
                            file=log,
                            flush=True,
                        )
                    return outcomes
                outcomes.append(outcome)
                if log is not None:
                    print(_line(outcome), file=log, flush=True)
    return outcomes


def bench_run(
    task_dir: Path,
    settings: SearchSettings,
    seed: int,
    budget: int,
    runs_dir: Path,
    hide_holdout: bool = False,
) -> Outcome:
    """One run of one task, judged as the table judges it (`evolve tune` scores settings
    with these too)."""
    algorithm = settings.algorithm
    task = load_task(task_dir)
    request = RunRequest(
        task_dir=task_dir,
        seed=seed,
        budget=budget,
        runs_dir=runs_dir,
        settings=settings,
        hide_holdout=hide_holdout,
    )
    try:
        summary = start_run(request, _Quiet())
    except UsageError as exc:
        return Outcome(
            task.name, task.goal.value, algorithm.value, seed, False, 0, 0.0, 0, 0, False, 0,
            None, error=str(exc),
        )  # fmt: skip
    store = RunStore.open(Path(summary.run_dir))
    try:
        config = store.config()
        champion = str(config.get("champion_hash", config["seed_hash"]))
        evaluation = store.evaluation(champion, SEARCH)
        holdout = store.evaluation(champion, HOLDOUT)
        seed_evaluation = store.evaluation(str(config["seed_hash"]), SEARCH)
        changes = store.accepted()
    finally:
        store.close()
    passes_cases = evaluation is not None and evaluation.total > 0 and evaluation.failed == 0
    # The bench's "solved" is the champion passing every search and holdout test, for a
    # speed-up too (a run's own summary keeps "solved" for repairs).
    solved = summary.passes_all
    plausible = None
    if hide_holdout and task.holdout is not None:
        # Judged now, in a fresh process: the search never ran it.
        source = Path(summary.champion_path).read_text(encoding="utf-8")
        runnable = read_program(task).runnable(source)
        holdout = evaluate(runnable, task.holdout, task.limits, module_name=task.module_name)
        plausible = passes_cases
        solved = passes_cases and holdout.total > 0 and holdout.failed == 0
    holdout_fails = holdout is not None and holdout.failed > 0
    ratio = None
    seed_cost = seed_evaluation.cost if seed_evaluation is not None else None
    champion_cost = evaluation.cost if evaluation is not None else None
    if task.goal is Goal.SPEEDUP and seed_cost and champion_cost:
        ratio = seed_cost / champion_cost
    return Outcome(
        task=task.name,
        goal=task.goal.value,
        algorithm=algorithm.value,
        seed=seed,
        solved=solved,
        evaluations=summary.evaluations,
        wall_s=summary.wall_s,
        accepted=summary.accepted,
        holdout_rejections=summary.holdout_rejections,
        plausible_unsolved=not summary.solved and passes_cases and holdout_fails,
        patch_size=len(patch_from_json(changes[-1].patch)) if changes else 0,
        cost_ratio=ratio,
        plausible_overfitting=summary.plausible_overfitting,
        plausible=plausible,
        stop_reason=summary.stop_reason,
    )


def _line(outcome: Outcome) -> str:
    if outcome.error:
        verdict = f"error: {outcome.error}"
    elif outcome.goal == Goal.SPEEDUP.value:
        ratio = f"{outcome.cost_ratio:.2f}x" if outcome.cost_ratio else "n/a"
        verdict = f"cost ratio {ratio}, {outcome.accepted} accepted"
    elif outcome.plausible_wrong:
        verdict = "plausible but wrong (fails the hidden holdout)"
    else:
        verdict = "solved" if outcome.solved else "not solved"
    return (
        f"bench: {outcome.algorithm} {outcome.task} seed {outcome.seed}: {verdict};"
        f" {outcome.evaluations} evaluations in {outcome.wall_s:.1f} s"
    )


def summarise(outcomes: Sequence[Outcome]) -> list[Row]:
    rows = []
    for algorithm in dict.fromkeys(outcome.algorithm for outcome in outcomes):
        mine = [o for o in outcomes if o.algorithm == algorithm]
        solved = [o for o in mine if o.solved and not o.error]
        changed = [o.patch_size for o in mine if o.patch_size > 0]
        ratios = [o.cost_ratio for o in mine if o.cost_ratio is not None]
        rows.append(
            Row(
                algorithm=algorithm,
                runs=len(mine),
                solved=len(solved),
                solve_rate=round(len(solved) / len(mine), 3) if mine else 0.0,
                median_evaluations_to_solve=_median([o.evaluations for o in solved]),
                overfitting_runs=sum(1 for o in mine if o.overfitted),
                holdout_rejections=sum(o.holdout_rejections for o in mine),
                median_patch_size=_median(changed),
                median_cost_ratio=_median(ratios),
                errors=sum(1 for o in mine if o.error),
                plausible=_count(mine, lambda o: bool(o.plausible)),
                plausible_wrong=_count(mine, lambda o: o.plausible_wrong),
            )
        )
    return rows


def _count(outcomes: Sequence[Outcome], test: Callable[[Outcome], bool]) -> int | None:
    """How many outcomes pass `test`, where they were judged on a hidden holdout."""
    judged = [o for o in outcomes if o.plausible is not None]
    return sum(1 for o in judged if test(o)) if judged else None


def _median(values: Sequence[float]) -> float | None:
    return round(float(statistics.median(values)), 3) if values else None


def table(rows: Sequence[Row]) -> str:
    header = (
        f"{'algorithm':<18} {'solved':>9} {'rate':>6} {'evals':>8} {'overfit':>8}"
        f" {'holdout-rej':>11} {'edits':>6} {'cost-ratio':>10} {'errors':>6}"
    )
    judged = any(row.plausible is not None for row in rows)
    if judged:
        header += f" {'plausible':>9} {'wrong':>6}"
    lines = [header, "-" * len(header)]
    for row in rows:
        line = (
            f"{row.algorithm:<18} {f'{row.solved}/{row.runs}':>9} {row.solve_rate:>6.2f}"
            f" {_cell(row.median_evaluations_to_solve):>8} {row.overfitting_runs:>8}"
            f" {row.holdout_rejections:>11} {_cell(row.median_patch_size):>6}"
            f" {_cell(row.median_cost_ratio):>10} {row.errors:>6}"
        )
        if judged:
            line += f" {_cell(row.plausible):>9} {_cell(row.plausible_wrong):>6}"
        lines.append(line)
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"
