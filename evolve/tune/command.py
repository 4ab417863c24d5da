"""`evolve tune SUITE`, `evolve tune --resume RUN`, `evolve tune --show RUN`.

A tuning run is a run like any other: a directory under `--runs-dir` holding `run.sqlite`
(its configuration with `kind = "tune"`, every setting tried with each bench run's outcome,
a checkpoint per generation), `events.jsonl`, the run's lock and, once it finishes,
`profile.toml`. `evolve resume RUN` and `evolve report RUN` recognise it; a STOP file or
`evolve stop RUN` ends it at the next generation boundary, resumable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from evolve import __version__
from evolve.errors import UsageError
from evolve.evaluation.executor import LOCAL, check_executor
from evolve.run import STOP_FILE, lock_run, resolve_run
from evolve.search.stop import StopSwitch
from evolve.store.events import EVENTS_FILE, EventLog
from evolve.task import discover_tasks
from evolve.tune import space
from evolve.tune.jobs import Runner, connect_runner, portable_task
from evolve.tune.loop import TuneConfig, Tuner, TuneResult, TuneStop
from evolve.tune.profile import write_profile
from evolve.tune.scoring import change, split
from evolve.tune.show import show_text
from evolve.tune.store import KIND, TuneStore, is_tuning_run

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

DEFAULTS = TuneConfig(suite="", train=(), held_out=())


def register(commands: Any) -> None:
    """Add `evolve tune` to the subparsers action of the main parser."""
    tune = commands.add_parser(
        "tune", help="tune the search settings on a suite's training tasks; write a profile"
    )
    tune.add_argument("suite", type=Path, nargs="?", help="a directory of task folders")
    tune.add_argument("--seed", type=int, default=DEFAULTS.seed, help="the split and the search")
    tune.add_argument(
        "--budget",
        type=int,
        default=DEFAULTS.budget,
        help=f"bench evaluations of the training runs, in all (default {DEFAULTS.budget})",
    )
    tune.add_argument(
        "--population", type=int, default=DEFAULTS.population, help="settings per generation"
    )
    tune.add_argument("--generations", type=int, default=DEFAULTS.generations)
    tune.add_argument(
        "--runs", type=int, default=DEFAULTS.runs, help="seeds 1..K per training task"
    )
    tune.add_argument(
        "--held-out-runs",
        type=int,
        default=DEFAULTS.held_out_runs,
        help="seeds 1..K per held-out task",
    )
    tune.add_argument(
        "--run-budget",
        type=int,
        default=DEFAULTS.run_budget,
        help=f"evaluations per bench run (default {DEFAULTS.run_budget})",
    )
    tune.add_argument(
        "--held-out", type=float, default=0.5, help="share of the tasks held out (default 0.5)"
    )
    tune.add_argument(
        "--hide-holdout",
        action="store_true",
        help="judge each run's champion on its task's holdout only after the run, as"
        " `evolve bench --hide-holdout` does (a plausible but wrong patch is no solve)",
    )
    tune.add_argument(
        "--executor",
        metavar="local|dask://HOST:PORT",
        help="where bench runs go: here (default), or one Dask task each on a cluster",
    )
    tune.add_argument("--runs-dir", type=Path, default=Path("runs"), help="default: ./runs")
    tune.add_argument("--out", type=Path, help="also write the profile here")
    tune.add_argument("--resume", metavar="RUN", help="continue a stopped or killed tuning run")
    tune.add_argument("--show", metavar="RUN", help="print what a tuning run tried and found")
    tune.add_argument("--json", action="store_true", help="end with one JSON summary line")
    tune.add_argument("--quiet", action="store_true", help="no line per bench run")
    tune.set_defaults(command=cmd_tune)


def cmd_tune(args: argparse.Namespace) -> int:
    given = [name for name in ("suite", "resume", "show") if getattr(args, name)]
    if len(given) != 1:
        raise UsageError("evolve tune takes one of SUITE, --resume RUN or --show RUN")
    log = None if args.quiet else sys.stderr
    executor = None if args.executor is None else check_executor(args.executor)
    if args.show:
        print(show_text(_tuning_run(args.show, args.runs_dir)), end="")
        return 0
    if args.resume:
        run_dir = _tuning_run(args.resume, args.runs_dir)
        summary = resume_tune(run_dir, executor, log)
        if summary is None:
            print(f"evolve: {run_dir} finished; nothing to resume")
            return 0
    else:
        if args.out is not None and not args.out.parent.is_dir():
            raise UsageError(f"--out {args.out}: no such directory {args.out.parent}")
        config = make_config(
            args.suite,
            seed=args.seed,
            budget=args.budget,
            population=args.population,
            generations=args.generations,
            runs=args.runs,
            held_out_runs=args.held_out_runs,
            run_budget=args.run_budget,
            held_out=args.held_out,
            hide_holdout=args.hide_holdout,
        )
        request = TuneRequest(config, args.runs_dir, executor or LOCAL, args.out)
        summary = start_tune(request, log)
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        print(show_text(Path(summary["run_dir"])), end="")
    return 0


def _tuning_run(reference: str, runs_dir: Path) -> Path:
    run_dir = resolve_run(reference, runs_dir)
    if not is_tuning_run(run_dir):
        raise UsageError(f"{run_dir}: not a tuning run (evolve tune makes those)")
    return run_dir
