"""`evolve tune SUITE`, `evolve tune --resume RUN`, `evolve tune --show RUN`.

A tuning run is a run like any other: a directory under `--runs-dir` holding `run.sqlite`
(its configuration with `kind = "tune"`, every setting tried with each bench run's outcome,
a checkpoint per generation), `events.jsonl`, the run's lock and, once it finishes,
`profile.toml`. `evolve resume RUN` and `evolve report RUN` recognise it; a STOP file or
`evolve stop RUN` ends it at the next generation boundary, resumable.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from evolve import __version__
from evolve.errors import UsageError
from evolve.evaluation.executor import LOCAL
from evolve.run import STOP_FILE, lock_run
from evolve.search.stop import StopSwitch
from evolve.store.events import EVENTS_FILE, EventLog
from evolve.task import discover_tasks
from evolve.tune import space
from evolve.tune.jobs import Runner, connect_runner, portable_task
from evolve.tune.loop import TuneConfig, Tuner, TuneResult, TuneStop
from evolve.tune.profile import write_profile
from evolve.tune.scoring import change, split
from evolve.tune.store import KIND, TuneStore

PROFILE_FILE = "profile.toml"
# The held-out target: the tuned profile needs this much fewer median evaluations to solve
# than the defaults, at an equal or better solve rate.
TARGET_CUT = 0.20
FINISHED_KEYS = ("finished_at", "summary")


@dataclass(frozen=True)
class TuneRequest:
    config: TuneConfig
    runs_dir: Path
    executor: str = LOCAL
    out: Path | None = None  # a copy of the profile, besides RUN/profile.toml


def make_config(
    suite: Path,
    *,
    seed: int,
    budget: int,
    population: int,
    generations: int,
    runs: int,
    held_out_runs: int,
    run_budget: int,
    held_out: float,
    hide_holdout: bool,
) -> TuneConfig:
    """The configuration for tuning on `suite`, split by `seed`; UsageError for bad input."""
    if not suite.is_dir():
        raise UsageError(f"{suite}: not a directory")
    problems = [
        (budget < 1, "--budget must be positive"),
        (population < 2, "--population must be at least 2"),
        (generations < 1, "--generations must be at least 1"),
        (runs < 1 or held_out_runs < 1, "--runs and --held-out-runs must be positive"),
        (run_budget < 1, "--run-budget must be positive"),
        (not 0.0 < held_out < 1.0, "--held-out must be a share between 0 and 1"),
    ]
    for failed, message in problems:
        if failed:
            raise UsageError(message)
    tasks = discover_tasks(suite)
    if len(tasks) < 2:
        raise UsageError(f"{suite}: tuning needs at least two tasks, found {len(tasks)}")
    train, held = split(tasks, seed, held_out)
    return TuneConfig(
        suite=str(suite.resolve()),
        train=tuple(portable_task(t) for t in train),
        held_out=tuple(portable_task(t) for t in held),
        seed=seed,
        budget=budget,
        population=population,
        generations=generations,
        runs=runs,
        held_out_runs=held_out_runs,
        run_budget=run_budget,
        hide_holdout=hide_holdout,
    )


def start_tune(request: TuneRequest, log: TextIO | None = sys.stderr) -> dict[str, Any]:
    config = request.config
    runner = connect_runner(request.executor, log)  # before the run directory exists
    try:
        run_id, run_dir = _new_run_dir(request.runs_dir, config)
        store = TuneStore.create(run_dir)
    except BaseException:
        runner.close()
        raise
    lock = lock_run(run_dir)
    store.set_config(
        kind=KIND,
        engine_version=__version__,
        tune=config.to_json(),
        executor=request.executor,
        out=None if request.out is None else str(request.out.resolve()),
        started_at=time.time(),
    )
    events = EventLog(run_dir / EVENTS_FILE)
    events.emit("run_started", run_id=run_id, run_dir=str(run_dir), config=store.config())
    _say(log, _split_text(config))
    return _execute(run_dir, config, store, events, lock, runner, None, log)


def resume_tune(
    run_dir: Path, executor: str | None = None, log: TextIO | None = sys.stderr
) -> dict[str, Any] | None:
    """Go on with a stopped or killed tuning run; None if it had finished (nothing to do)."""
    store = TuneStore.open(run_dir)
    try:
        lock = lock_run(run_dir)
    except UsageError:
        store.close()
        raise
    runner: Runner | None = None
    try:
        recorded = store.config()
        summary = recorded.get("summary")
        if isinstance(summary, dict) and TuneStop(summary["stop_reason"]).finished:
            store.close()
            os.close(lock)
            return None
        if recorded.get("engine_version") != __version__:
            raise UsageError(
                f"{run_dir}: made by engine {recorded.get('engine_version')}, this is"
                f" {__version__}; a run resumes only on the engine that started it"
            )
        config = TuneConfig.from_json(dict(recorded.get("tune") or {}))
        last = store.last_checkpoint()
        spec = executor if executor is not None else str(recorded.get("executor", LOCAL))
        runner = connect_runner(spec, log)
        generation = -1 if last is None else last[0]
        dropped = store.rewind_trials(generation, forget=FINISHED_KEYS)
        (run_dir / STOP_FILE).unlink(missing_ok=True)
        events = EventLog(run_dir / EVENTS_FILE)
    except BaseException:
        if runner is not None:
            runner.close()
        store.close()
        os.close(lock)
        raise
    events.emit(
        "run_resumed",
        run_id=run_dir.name,
        from_generation=max(generation, 0),
        dropped_trials=dropped,
        engine_version=__version__,
        executor=spec,
    )
    _say(log, _split_text(config))
    checkpoint = None if last is None else last[1]
    return _execute(run_dir, config, store, events, lock, runner, checkpoint, log)


def _execute(
    run_dir: Path,
    config: TuneConfig,
    store: TuneStore,
    events: EventLog,
    lock: int,
    runner: Runner,
    checkpoint: dict[str, Any] | None,
    log: TextIO | None,
) -> dict[str, Any]:
    started = time.monotonic()
    switch = StopSwitch(run_dir / STOP_FILE)
    try:
        tuner = Tuner(config, store, runner, events=events, switch=switch, log=log)
        with switch.catching_sigint():
            result = tuner.run(checkpoint)
        profile = None
        if result.reason.finished:
            profile = run_dir / PROFILE_FILE
            settings = space.decode(result.best.genome)
            about = _about(config, result)
            write_profile(profile, settings, about)
            out = store.config().get("out")
            if out:
                write_profile(Path(out), settings, about)
        summary = _summary(run_dir, config, result, profile, time.monotonic() - started)
        store.set_config(finished_at=time.time(), summary=summary)
        events.emit("run_stopped", reason=result.reason.value, summary=summary)
        return summary
    finally:
        events.close()
        runner.close()
        store.close()
        os.close(lock)


def _summary(
    run_dir: Path, config: TuneConfig, result: TuneResult, profile: Path | None, wall_s: float
) -> dict[str, Any]:
    held: dict[str, Any] | None = None
    if result.held_out is not None:
        default, tuned = result.held_out.default, result.held_out.tuned
        cut = change(tuned.median_evaluations, default.median_evaluations)
        held = {
            "default": default.to_json(),
            "tuned": tuned.to_json(),
            "median_change": None if cut is None else round(cut, 4),
            "target_met": cut is not None
            and cut <= -TARGET_CUT
            and tuned.solve_rate >= default.solve_rate,
        }
    return {
        "run_id": run_dir.name,
        "run_dir": str(run_dir),
        "suite": config.suite,
        "seed": config.seed,
        "stop_reason": result.reason.value,
        "generations": result.generations,
        "trials": len(result.trials),
        "spent": result.spent,
        "budget": config.budget,
        "wall_s": round(wall_s, 3),
        "train": [portable_name(t) for t in config.train],
        "held_out": [portable_name(t) for t in config.held_out],
        "best_trial": result.best.id,
        "best_settings": result.best.settings,
        "best_train": result.best.score.to_json(),
        "default_train": result.default.score.to_json(),
        "held_out_scores": held,
        "profile": None if profile is None else str(profile),
    }


def _about(config: TuneConfig, result: TuneResult) -> dict[str, Any]:
    about: dict[str, Any] = {
        "suite": config.suite,
        "seed": config.seed,
        "engine_version": __version__,
        "train_tasks": [portable_name(t) for t in config.train],
        "held_out_tasks": [portable_name(t) for t in config.held_out],
        "train_score": result.best.score.text(),
        "default_train_score": result.default.score.text(),
    }
    if result.held_out is not None:
        about["held_out_score"] = result.held_out.tuned.text()
        about["default_held_out_score"] = result.held_out.default.text()
    return about


def portable_name(task: str) -> str:
    return task.rstrip("/").rsplit("/", 1)[-1]


def _split_text(config: TuneConfig) -> str:
    return (
        f"tune: seed {config.seed} split {len(config.train)} training tasks"
        f" ({', '.join(portable_name(t) for t in config.train)}) from"
        f" {len(config.held_out)} held out"
        f" ({', '.join(portable_name(t) for t in config.held_out)})"
    )


def _new_run_dir(runs_dir: Path, config: TuneConfig) -> tuple[str, Path]:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = f"tune-{Path(config.suite).name}-{stamp}-s{config.seed}"
    run_id, suffix = base, 1
    while (runs_dir / run_id).exists():
        suffix += 1
        run_id = f"{base}-{suffix}"
    return run_id, runs_dir / run_id


def _say(log: TextIO | None, line: str) -> None:
    if log is not None:
        print(line, file=log, flush=True)


# the verb ------------------------------------------------------------------------------------
