"""One run of the engine: load the task, set up the store and the sandbox, search, report.

The run directory holds everything a later reader needs: `run.sqlite` (configuration, every
evaluation, lineage, accepted changes), `seed.py` and `champion.py`.
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from evolve import __version__
from evolve.errors import UsageError
from evolve.evaluator import Evaluator, source_hash
from evolve.executor import Executor, LocalExecutor
from evolve.gate import fitness_text
from evolve.program import Program, ProgramError
from evolve.search import Search, SearchSettings
from evolve.search.engine import Reporter, is_solved
from evolve.store import DATABASE, RunStore
from evolve.task import Task, load_task
from sandbox import make_sandbox

SandboxMode = Literal["fork", "process"]

SEED_FILE = "seed.py"
CHAMPION_FILE = "champion.py"


@dataclass(frozen=True)
class RunRequest:
    task_dir: Path
    seed: int = 0
    budget: int | None = None
    program: Path | None = None
    runs_dir: Path = Path("runs")
    sandbox: SandboxMode = "fork"
    settings: SearchSettings = field(default_factory=SearchSettings)


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_program(task: Task, override: Path | None = None) -> Program:
    """Parse the starting program once; a bad program is a usage error naming the file."""
    path = override if override is not None else task.program_path
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read program: {exc}") from None
    try:
        program = Program.parse(source, path=str(path), editable=task.editable)
    except ProgramError as exc:
        raise UsageError(str(exc)) from None
    if task.entry is not None and task.entry not in program.functions:
        raise UsageError(f"{path}: entry function {task.entry!r} is not defined")
    return program


def new_run_dir(runs_dir: Path, task: Task, seed: int) -> tuple[str, Path]:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = f"{task.name}-{stamp}-s{seed}"
    run_id, suffix = base, 1
    while (runs_dir / run_id).exists():
        suffix += 1
        run_id = f"{base}-{suffix}"
    return run_id, runs_dir / run_id


def resolve_run(reference: str, runs_dir: Path) -> Path:
    """A run is named by its directory or by its id under the runs directory."""
    for candidate in (Path(reference), runs_dir / reference):
        if (candidate / DATABASE).is_file():
            return candidate
    raise UsageError(f"{reference}: no such run (looked for {DATABASE} there and in {runs_dir})")


def start_run(
    request: RunRequest, reporter: Reporter, executor: Executor | None = None
) -> RunSummary:
    task = load_task(request.task_dir)
    program = read_program(task, request.program)
    budget = request.budget if request.budget is not None else task.budget
    if budget <= 0:
        raise UsageError(f"--budget must be positive, not {budget}")
    run_id, run_dir = new_run_dir(request.runs_dir, task, request.seed)
    store = RunStore.create(run_dir)
    store.set_config(
        engine_version=__version__,
        task_name=task.name,
        task_dir=str(task.directory),
        goal=task.goal.value,
        program=program.path,
        seed=request.seed,
        budget=budget,
        sandbox=request.sandbox,
        settings={k: str(v) for k, v in asdict(request.settings).items()},
        seed_hash=source_hash(program.source),
        started_at=time.time(),
    )
    (run_dir / SEED_FILE).write_text(program.source, encoding="utf-8")
    own_executor = executor is None
    executor = executor or LocalExecutor()
    sandbox = make_sandbox(request.sandbox)
    started = time.monotonic()
    try:
        evaluator = Evaluator(task, program, store, executor, sandbox)
        search = Search(
            task,
            program,
            evaluator,
            store,
            budget=budget,
            rng=random.Random(request.seed),
            settings=request.settings,
            reporter=reporter,
        )
        result = search.run()
        champion_path = run_dir / CHAMPION_FILE
        champion_path.write_text(result.champion.variant.source, encoding="utf-8")
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
            solved=is_solved(result.champion),
            stop_reason=result.stop_reason.value,
            best=fitness_text(task.goal, result.champion.evaluation),
            holdout_rejections=result.holdout_rejections,
            champion_path=str(champion_path),
        )
        store.set_config(
            finished_at=time.time(),
            summary=summary.to_dict(),
            champion_hash=result.champion.variant.digest,
        )
        return summary
    finally:
        if own_executor:
            executor.close()
        sandbox.close()
        store.close()
