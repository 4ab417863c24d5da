"""One run of the engine: load the task, set up the store and the sandbox, search, report.

The run directory holds everything a later reader needs: `run.sqlite` (configuration, every
evaluation, accepted changes, the last checkpoint), `seed.py`, `champion.py` and
`events.jsonl` (the event log). A `STOP` file appearing there ends the run at the next
generation boundary; `run.lock` is held by the process working on the run, so `evolve resume`
never races it.
"""

from __future__ import annotations

import fcntl
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from evolve import __version__
from evolve.acceptance.acceptor import Champion, is_solved
from evolve.acceptance.ask import Asker, terminal_asker
from evolve.acceptance.gate import fitness_text
from evolve.errors import RunAborted, UsageError
from evolve.evaluation.evaluator import HOLDOUT, SEARCH, Evaluator, seed_job, source_hash
from evolve.evaluation.executor import LOCAL, Executor, LocalExecutor, connect_executor
from evolve.evaluation.jobs import LazySandbox
from evolve.evaluation.suite_check import refuse_unusable
from evolve.program.literals import literals_from_tests
from evolve.program.program import Program, ProgramError
from evolve.search import Search, SearchSettings
from evolve.search.engine import seed_refusal
from evolve.search.stats import Reporter
from evolve.search.stop import StopReason, StopSwitch
from evolve.store.checkpoint import Checkpoint
from evolve.store.database import RunStore
from evolve.store.events import EVENTS_FILE, EventLog
from evolve.store.runs import (
    CHAMPION_FILE,
    LOCK_FILE,
    SEED_FILE,
    STOP_FILE,
    check_runs_dir,
    resolve_run,
)
from evolve.task import Goal, Task, load_task
from sandbox import Evaluation, PytestSuite, Status

__all__ = [
    "CHAMPION_FILE",
    "LOCK_FILE",
    "SEED_FILE",
    "STOP_FILE",
    "RunRequest",
    "RunSummary",
    "execute",
    "read_program",
    "resolve_run",
    "start_run",
]

SandboxMode = Literal["fork", "process"]


@dataclass(frozen=True)
class RunRequest:
    task_dir: Path
    seed: int = 0
    budget: int | None = None
    program: Path | None = None
    runs_dir: Path = Path("runs")
    sandbox: SandboxMode = "fork"
    executor: str = LOCAL  # or "dask://HOST:PORT"
    settings: SearchSettings = field(default_factory=SearchSettings)
    # The search never sees the task's holdout: it only judges the outcome afterwards
    # (`evolve bench --hide-holdout`), so a plausible but wrong patch can be counted.
    hide_holdout: bool = False


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    run_dir: str
    task: str
    evaluations: int
    holdout_evaluations: int
    cache_hits: int
    wall_s: float
    generations: int
    accepted: int
    solved: bool
    stop_reason: str
    best: str
    holdout_rejections: int
    champion_path: str
    statuses: dict[str, int] = field(default_factory=dict)  # search evaluations by status
    denied: int = 0  # variants refused by [search] forbid, never run
    cache_hit_rate: float = 0.0  # cache hits over search look-ups (normalised sources)
    # Passed the gate on the cases but failed the holdout or the generated inputs; never
    # accepted. Counted once per distinct program.
    plausible_overfitting: int = 0
    unconfirmed_speedups: int = 0  # cheaper by executed lines, not faster when timed
    # Plausible repairs refused because each showed an anti-pattern of shape (and no holdout
    # vouched for it); each is a `plausible_refused` event.
    refused: int = 0
    check_evaluations: int = 0  # sandbox runs on generated inputs, besides the search's
    # The champion's holdout tests passed, "passed/total"; None when it has no holdout (or
    # it is hidden). `best` counts the search tests alone.
    best_holdout: str | None = None
    # For a repair: the most search tests a partial fix passed, "passed/total", where that is
    # more than the champion passes (a fix of one defect of two, kept to be combined, and
    # accepted only with `--partial-repairs`); None otherwise.
    best_partial: str | None = None
    goal: str = Goal.REPAIR.value
    # What the run did, honestly: `solved` is for repairs only (the champion passes every
    # search and holdout test); `improved` says the champion is better than the seed at all
    # (every accepted change is strictly better); `passes_all` holds for a speed-up that kept
    # every test passing. For speed-ups, the executed-line cost of seed and champion and
    # their ratio (seed / champion: 2.0 is twice as cheap).
    improved: bool = False
    passes_all: bool = False
    seed_fitness: str = ""
    seed_cost: int | None = None
    champion_cost: int | None = None
    cost_ratio: float | None = None
    # Pytest tests whose outcome changed between the seed's runs: never used to judge.
    quarantined: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def record_file(name: str, several: bool) -> str:
    """The run directory's copy of a program (SEED_FILE, CHAMPION_FILE): a program of
    several files is kept as its bundle, a JSON document."""
    return str(Path(name).with_suffix(".json")) if several else name


def read_program(task: Task, override: Path | None = None) -> Program:
    """Parse the starting program once; a bad program is a usage error naming the file.

    For a program of several files, `override` is a directory holding files of the same
    names."""
    path = override if override is not None else task.program_path
    tops = {name.split("/")[0] for name in task.program_files}
    if override is not None and tops == {override.name} and not (override / override.name).is_dir():
        path = override.parent  # the package directory itself, not the one holding it
    if task.several_files and not path.is_dir():
        raise UsageError(f"{path}: the task's program has several files; give a directory")
    names = task.program_files or (None,)
    texts = {}
    for name in names:
        file = path if name is None else path / name
        try:
            texts[name] = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{file}: cannot read program: {exc}") from None
    literals = literals_from_tests(task.suite)
    try:
        if task.several_files:
            files = {str(name): text for name, text in texts.items()}
            program = Program.parse_files(
                files, path=str(path), editable=task.editable, test_literals=literals
            )
        else:
            program = Program.parse(
                texts[None], path=str(path), editable=task.editable, test_literals=literals
            )
    except ProgramError as exc:
        raise UsageError(str(exc)) from None
    if task.entry is not None and task.entry not in program.functions:
        raise UsageError(f"{path}: entry function {task.entry!r} is not defined")
    return program


def hidden_holdout(task: Task) -> Task:
    """The task as the search sees it when its holdout only judges the outcome."""
    return replace(task, holdout=None)


def new_run_dir(runs_dir: Path, task: Task, seed: int) -> tuple[str, Path]:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = f"{task.name}-{stamp}-s{seed}"
    run_id, suffix = base, 1
    while (runs_dir / run_id).exists():
        suffix += 1
        run_id = f"{base}-{suffix}"
    return run_id, runs_dir / run_id


def start_run(
    request: RunRequest, reporter: Reporter, executor: Executor | None = None
) -> RunSummary:
    task = load_task(request.task_dir)
    if request.hide_holdout:
        task = hidden_holdout(task)
    program = read_program(task, request.program)
    budget = request.budget if request.budget is not None else task.budget
    if budget <= 0:
        raise UsageError(f"--budget must be positive, not {budget}")
    check_runs_dir(request.runs_dir)
    if not program.sites:
        raise UsageError(f"{program.path}: no editable code to change")
    own_executor = executor is None
    if executor is None:
        # Before the run directory exists: an unreachable cluster leaves nothing behind.
        local = request.executor == LOCAL
        executor = LocalExecutor() if local else connect_executor(request.executor)
    sandbox = LazySandbox(request.sandbox)
    try:
        # The seed is evaluated before the run directory exists: a seed the search would
        # refuse (one that cannot be loaded) leaves nothing behind, and the search takes this
        # evaluation as its first instead of running the seed again.
        seed_evaluation = check_seed(task, program, executor, sandbox, request.sandbox)
        run_id, run_dir = new_run_dir(request.runs_dir, task, request.seed)
        store = RunStore.create(run_dir)
    except BaseException:
        sandbox.close()
        if own_executor:
            executor.close()
        raise
    lock = lock_run(run_dir)
    # Before the configuration: a run whose configuration is on disk has its seed file.
    (run_dir / record_file(SEED_FILE, program.several)).write_text(program.source, encoding="utf-8")
    store.set_config(
        engine_version=__version__,
        task_name=task.name,
        # Absolute too: `verify`, `review --ask` and `resume` load the task from any
        # working directory, not only the one the run was started from.
        task_dir=str(task.directory.resolve()),
        goal=task.goal.value,
        # Absolute, so `evolve apply` finds the file from any working directory.
        program=str(Path(program.path).resolve()),
        # Names from `program`, a directory, when the program has several files; else empty.
        program_files=list(program.files) if program.several else [],
        editable=program.editable,  # decides the seed's sites, so verify can replay patches
        review_mode=task.review.value,
        # Fixed here like the mode: apply and rollback run this, whatever task.toml says later.
        review_verify=task.verify,
        review_verify_timeout_s=task.verify_timeout_s,
        seed=request.seed,
        budget=budget,
        sandbox=request.sandbox,
        executor=request.executor,
        settings=request.settings.to_json(),
        hide_holdout=request.hide_holdout,
        seed_hash=source_hash(program.source),
        started_at=time.time(),
    )
    events = EventLog(run_dir / EVENTS_FILE)
    events.emit("run_started", run_id=run_id, run_dir=str(run_dir), config=store.config())
    context = RunContext(
        run_id, run_dir, task, program, budget, request.seed, request.sandbox, request.settings
    )
    return execute(
        context,
        store,
        events,
        lock,
        reporter,
        executor,
        own_executor=own_executor,
        sandbox=sandbox,
        seed_evaluation=seed_evaluation,
    )


def check_seed(
    task: Task, program: Program, executor: Executor, sandbox: LazySandbox, mode: SandboxMode
) -> Evaluation | None:
    """The seed's evaluation on the search suite, run as the search's first evaluation would
    be; UsageError if the search would refuse to start from it. Returned for the search to
    take as its first evaluation, except for a pytest suite (None): its seed is evaluated
    again once its flaky tests are quarantined."""
    [evaluation] = executor.evaluate([seed_job(task, program, mode)], sandbox)
    refuse_unusable(task, task.suite, evaluation)
    pytest_suite = isinstance(task.suite, PytestSuite)
    refusal = seed_refusal(task, program.path, evaluation, settled=not pytest_suite)
    if refusal is not None:
        raise UsageError(refusal)
    return None if pytest_suite else evaluation


@dataclass(frozen=True)
class RunContext:
    """A run that has its directory: what its search is built from, fresh or resumed."""

    run_id: str
    run_dir: Path
    task: Task
    program: Program
    budget: int
    seed: int
    sandbox: SandboxMode
    settings: SearchSettings


def lock_run(run_dir: Path) -> int:
    """Hold the run's lock for as long as this process works on it, or UsageError if another
    process does. The kernel drops the lock with its holder, so a killed run leaves none."""
    fd = os.open(run_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise UsageError(f"{run_dir}: another process is running this run") from None
    return fd


def execute(
    context: RunContext,
    store: RunStore,
    events: EventLog,
    lock: int,
    reporter: Reporter,
    executor: Executor,
    *,
    own_executor: bool,
    checkpoint: Checkpoint | None = None,
    sandbox: LazySandbox | None = None,
    seed_evaluation: Evaluation | None = None,
) -> RunSummary:
    """Search, from the seed or from `checkpoint`, and record the outcome: what `start_run`
    and `evolve resume` share. Closes the store, the event log, the lock and an owned
    executor."""
    run_id, run_dir, task, program = context.run_id, context.run_dir, context.task, context.program
    switch = StopSwitch(run_dir / STOP_FILE)
    # Started on first use: with a remote executor the jobs run in the workers' sandboxes.
    if sandbox is None:
        sandbox = LazySandbox(context.sandbox)
    started = time.monotonic()
    try:
        evaluator = Evaluator(task, program, store, executor, sandbox, sandbox_mode=context.sandbox)
        search = Search(
            task,
            program,
            evaluator,
            store,
            budget=context.budget,
            rng=random.Random(context.seed),
            settings=context.settings,
            reporter=reporter,
            switch=switch,
            events=events,
            seed_evaluation=seed_evaluation,
            asker=_asker(task),
        )
        with switch.catching_sigint():
            try:
                result = search.run(checkpoint)
            except KeyboardInterrupt:
                switch.hold()
                # Closing rolls back the generation in flight; reopen to record what is kept.
                store.close()
                store = RunStore.open(run_dir)
                summary = _abort_summary(store, run_id, run_dir, task, started, search)
                events.emit("run_stopped", reason=summary.stop_reason, summary=summary.to_dict())
                raise RunAborted(
                    f"stopped at once: {summary.generations} generations and"
                    f" {summary.accepted} accepted changes kept in {run_dir};"
                    f" champion written to {summary.champion_path}"
                ) from None
            # The search is over; a Ctrl-C now would only leave the record half written.
            switch.hold()
            champion_path = run_dir / record_file(CHAMPION_FILE, search.program.several)
            champion_path.write_text(result.champion.variant.source, encoding="utf-8")
            seed_hash = source_hash(program.source)
            summary = RunSummary(
                run_id=run_id,
                run_dir=str(run_dir),
                task=task.name,
                evaluations=evaluator.evaluations,
                holdout_evaluations=evaluator.holdout_evaluations,
                cache_hits=evaluator.cache_hits,
                wall_s=round(time.monotonic() - started, 3),
                generations=result.generations,
                accepted=len(result.accepted),
                solved=task.goal is Goal.REPAIR and is_solved(result.champion),
                stop_reason=result.stop_reason.value,
                best=fitness_text(task.goal, result.champion.evaluation),
                best_holdout=_holdout_text(result.champion.holdout),
                best_partial=_partial_text(search.partial_fixes.best_passed(), result.champion),
                holdout_rejections=result.holdout_rejections,
                cache_hit_rate=evaluator.cache_hit_rate,
                plausible_overfitting=result.plausible_overfitting,
                unconfirmed_speedups=result.unconfirmed_speedups,
                refused=search.acceptor.refused,
                check_evaluations=evaluator.check_evaluations,
                quarantined=list(evaluator.pytest.quarantined),
                champion_path=str(champion_path),
                statuses=store.status_counts(SEARCH),
                denied=store.status_counts(SEARCH).get(Status.DENIED.value, 0),
                **outcome(
                    task.goal,
                    store.evaluation(seed_hash, SEARCH),
                    result.champion.evaluation,
                    is_solved(result.champion),
                    len(result.accepted),
                ),
            )
            store.set_config(
                finished_at=time.time(),
                summary=summary.to_dict(),
                champion_hash=result.champion.variant.digest,
            )
            events.emit(
                "run_stopped",
                reason=summary.stop_reason,
                description=result.stop_reason.describe(),
                summary=summary.to_dict(),
            )
            return summary
    finally:
        events.close()
        if own_executor:
            executor.close()
        sandbox.close()
        store.close()
        os.close(lock)


def _asker(task: Task) -> Asker | None:
    """Who answers what the tests cannot decide: the person at the terminal, when the task
    asks for it (`[review] ask = true`) and there is one; else nobody, and the disagreement
    stays in the change's evidence for `evolve review --ask`."""
    if not task.ask or not sys.stdin.isatty():
        return None

    def write(text: str) -> None:
        sys.stderr.write(text)
        sys.stderr.flush()

    return terminal_asker(sys.stdin.readline, write)


def _abort_summary(
    store: RunStore, run_id: str, run_dir: Path, task: Task, started: float, search: Search
) -> RunSummary:
    """Record a run stopped mid-generation from what the store committed: the champion is
    the last accepted change's child (or the seed), never a variant the store does not hold."""
    config = store.config()
    accepted = store.accepted()
    champion_hash = accepted[-1].child if accepted else str(config["seed_hash"])
    champion_path = run_dir / record_file(CHAMPION_FILE, search.program.several)
    # The seed may not be in the store yet (stopped during its evaluation); its file is.
    source = store.variant_source(champion_hash) if accepted else search.program.source
    champion_path.write_text(source, encoding="utf-8")
    evaluation = store.evaluation(champion_hash, SEARCH)
    holdout = store.evaluation(champion_hash, HOLDOUT)
    statuses = store.status_counts(SEARCH)
    rows = store.evaluation_rows(SEARCH)
    passes_all = (
        evaluation is not None
        and evaluation.total > 0
        and evaluation.failed == 0
        and (holdout is None or holdout.failed == 0)
    )
    summary = RunSummary(
        run_id=run_id,
        run_dir=str(run_dir),
        task=task.name,
        evaluations=sum(statuses.values()),
        holdout_evaluations=sum(store.status_counts(HOLDOUT).values()),
        cache_hits=search.evaluator.cache_hits,
        wall_s=round(time.monotonic() - started, 3),
        generations=max((row.generation for row in rows), default=0),
        accepted=len(accepted),
        solved=task.goal is Goal.REPAIR and passes_all,
        stop_reason=StopReason.ABORTED.value,
        best="" if evaluation is None else fitness_text(task.goal, evaluation),
        best_holdout=_holdout_text(holdout),
        holdout_rejections=search.acceptor.holdout_rejections,
        cache_hit_rate=search.evaluator.cache_hit_rate,
        plausible_overfitting=len(search.acceptor.checks.overfitting),
        unconfirmed_speedups=len(search.acceptor.checks.unconfirmed),
        refused=search.acceptor.refused,
        check_evaluations=search.evaluator.check_evaluations,
        quarantined=list(search.evaluator.pytest.quarantined),
        champion_path=str(champion_path),
        statuses=statuses,
        denied=statuses.get(Status.DENIED.value, 0),
        **outcome(
            task.goal,
            store.evaluation(str(config["seed_hash"]), SEARCH),
            evaluation,
            passes_all,
            len(accepted),
        ),
    )
    store.set_config(
        finished_at=time.time(), summary=summary.to_dict(), champion_hash=champion_hash
    )
    return summary


def outcome(
    goal: Goal,
    seed: Evaluation | None,
    champion: Evaluation | None,
    passes_all: bool,
    accepted: int,
) -> dict[str, Any]:
    """The summary's account of what the run achieved (see `RunSummary`)."""
    seed_cost = seed.cost if seed is not None and goal is Goal.SPEEDUP else None
    champion_cost = champion.cost if champion is not None and goal is Goal.SPEEDUP else None
    ratio = round(seed_cost / champion_cost, 3) if seed_cost and champion_cost else None
    return {
        "goal": goal.value,
        "improved": accepted > 0,
        "passes_all": passes_all,
        "seed_fitness": "" if seed is None else fitness_text(goal, seed),
        "seed_cost": seed_cost,
        "champion_cost": champion_cost,
        "cost_ratio": ratio,
    }


def _holdout_text(holdout: Evaluation | None) -> str | None:
    return None if holdout is None else f"{holdout.passed}/{holdout.total}"


def _partial_text(passed: int | None, champion: Champion) -> str | None:
    """`RunSummary.best_partial`: a partial fix's tests, where more than the champion's."""
    evaluation = champion.evaluation
    if passed is None or evaluation is None or passed <= evaluation.passed:
        return None
    return f"{passed}/{evaluation.total}"
