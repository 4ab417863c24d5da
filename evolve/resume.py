"""`evolve resume RUN`: continue a stopped or killed run from its last checkpoint.

The store is rewound to the last checkpoint (what the generation in flight wrote is dropped,
and redone identically), the search is rebuilt from the recorded configuration, the seed file
and the checkpoint, and the run goes on as the uninterrupted run would have: same decisions,
same accepted lineage. A run that ended on its own (solved, budget, exhausted, stagnated) has
nothing left to do; resuming it says so and exits 0, so resuming is safe to repeat.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from evolve import __version__
from evolve.errors import RunStateError, UsageError
from evolve.evaluation.evaluator import source_hash
from evolve.evaluation.executor import LOCAL, Executor, connect_executor
from evolve.evaluation.jobs import LazySandbox
from evolve.program.literals import literals_from_tests
from evolve.program.program import Program, ProgramError
from evolve.run import (
    SEED_FILE,
    STOP_FILE,
    RunContext,
    RunSummary,
    SandboxMode,
    check_seed,
    execute,
    hidden_holdout,
    lock_run,
    record_file,
)
from evolve.search import SearchSettings
from evolve.search.stats import Reporter
from evolve.search.stop import StopReason
from evolve.store.checkpoint import Checkpoint
from evolve.store.database import RunStore
from evolve.store.events import EVENTS_FILE, EventLog
from evolve.store.runs import is_running, read_run
from evolve.task import load_task

# Stopped by a person: the run would have gone on, so it may.
RESUMABLE = frozenset({StopReason.STOPPED, StopReason.INTERRUPTED, StopReason.ABORTED})
# What finishing writes; a resumed run is unfinished again until it finishes.
FINISHED_KEYS = ("finished_at", "summary", "champion_hash")


class AlreadyFinished(Exception):
    """The run ended on its own; `summary` is the one it recorded."""

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        super().__init__(message)
        self.summary = summary


def finished_reason(config: dict[str, Any]) -> str | None:
    """Why the run is over for good, or None if it can go on."""
    summary = config.get("summary")
    if not isinstance(summary, dict):
        return None  # killed before it finished
    reason = str(summary.get("stop_reason", ""))
    return None if reason in {r.value for r in RESUMABLE} else reason


def settings_from_config(values: dict[str, Any]) -> SearchSettings:
    """The recorded settings (JSON values) as the dataclass they were recorded from."""
    try:
        return SearchSettings.from_json(values)
    except ValueError as exc:
        if all(isinstance(value, str) for value in values.values()):
            # Engines before the settings were JSON recorded every value as its str().
            raise RunStateError(
                "the run recorded its settings as text, as earlier engines did; it cannot be"
                " resumed by this one: start it again"
            ) from None
        raise RunStateError(f"the run's recorded settings cannot be restored: {exc}") from None


def resume_run(
    run_dir: Path, reporter: Reporter, executor: Executor | str | None = None
) -> RunSummary:
    """Go on with the run in `run_dir` until it finishes; AlreadyFinished if it had.

    `executor` is an executor, an executor name, or None for the one the run recorded
    (local if it recorded none): where evaluations run never changes a decision, so any
    will do.

    Everything that can refuse is checked before anything in the run directory is touched:
    the record (read-only), the engine version, the seed file, the task, the settings, the
    executor and, for a run killed before its first generation ended, the seed itself.
    """
    with read_run(run_dir) as reader:
        if is_running(run_dir):
            raise UsageError(f"{run_dir}: another process is running this run")
        config = reader.config()
        reason = finished_reason(config)
        if reason is not None:
            raise AlreadyFinished(
                f"{run_dir} finished ({reason}); nothing to resume", dict(config["summary"])
            )
        context = _context(run_dir, config)
        last = reader.last_checkpoint()
    checkpoint = None if last is None else Checkpoint.from_json(last[1])
    spec = executor if executor is not None else str(config.get("executor", LOCAL))
    own_executor = isinstance(spec, str)
    live = _connect(spec, recorded=executor is None) if isinstance(spec, str) else spec
    sandbox = LazySandbox(context.sandbox)
    lock: int | None = None
    store: RunStore | None = None
    try:
        if last is None:  # no generation finished: the search starts from the seed again
            check_seed(context.task, context.program, live, sandbox, context.sandbox)
        lock = lock_run(run_dir)
        store = RunStore.open(run_dir)
        generation = -1 if last is None else last[0]
        dropped = store.rewind(generation, forget=FINISHED_KEYS)
        # A STOP file ended the last session; left in place it would end this one at once.
        (run_dir / STOP_FILE).unlink(missing_ok=True)
        events = EventLog(run_dir / EVENTS_FILE)
    except BaseException:
        sandbox.close()
        if own_executor:
            live.close()
        if store is not None:
            store.close()
        if lock is not None:
            os.close(lock)
        raise
    events.emit(
        "run_resumed",
        run_id=context.run_id,
        from_generation=max(generation, 0),
        dropped_evaluations=dropped,
        engine_version=__version__,
        executor=spec if isinstance(spec, str) else type(spec).__name__,
    )
    return execute(
        context,
        store,
        events,
        lock,
        reporter,
        live,
        own_executor=own_executor,
        checkpoint=checkpoint,
        sandbox=sandbox,
    )


def _connect(spec: str, *, recorded: bool) -> Executor:
    try:
        return connect_executor(spec)
    except UsageError as exc:
        if not recorded:
            raise
        # The cluster a run was started on is often gone by the time it is resumed; the
        # user did not name it this time, so say where it came from and how to go on.
        raise UsageError(
            f"{exc} (the executor the run recorded; --executor local resumes on this machine)"
        ) from None


def _context(run_dir: Path, config: dict[str, Any]) -> RunContext:
    """The run as it was started, from its record: the same inputs give the same run."""
    if "seed_hash" not in config:
        raise RunStateError(f"{run_dir}: the run recorded no configuration; start it again")
    if config.get("engine_version") != __version__:
        raise UsageError(
            f"{run_dir}: made by engine {config.get('engine_version')}, this is {__version__};"
            " a run resumes only on the engine that started it"
        )
    task = load_task(Path(config["task_dir"]))
    if config.get("hide_holdout"):
        task = hidden_holdout(task)
    several = bool(config.get("program_files"))
    seed_path = run_dir / record_file(SEED_FILE, several)
    try:
        source = seed_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RunStateError(f"{seed_path}: cannot read the run's seed: {exc}") from None
    if source_hash(source) != config["seed_hash"]:
        raise RunStateError(f"{seed_path}: changed since the run started")
    try:
        program = Program.from_text(
            source,
            path=str(config["program"]),
            several=several,
            editable=config["editable"],
            test_literals=literals_from_tests(task.suite),
        )
    except ProgramError as exc:
        raise RunStateError(str(exc)) from None
    return RunContext(
        run_id=run_dir.name,
        run_dir=run_dir,
        task=task,
        program=program,
        budget=int(config["budget"]),
        seed=int(config["seed"]),
        sandbox=_sandbox_mode(config.get("sandbox", "fork")),
        settings=settings_from_config(dict(config.get("settings", {}))),
    )


def _sandbox_mode(value: object) -> SandboxMode:
    if value == "fork" or value == "process":
        return value
    raise RunStateError(f"sandbox mode {value!r} is unknown to this engine")
