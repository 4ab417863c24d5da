"""Real runs on tiny tasks, made once per module and copied for tests that change them."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from evolve.cli import main
from evolve.store.database import RunStore
from tests.doubles import in_process_sandboxes

# Three bugs, one per branch; each fix gains tests on its own, so seed 1 accepts three
# changes in three generations (a linear lineage of three records to review and roll back).
CALC_SEED = '''\
def calc(kind, a, b):
    """Apply the operation named by kind to a and b."""
    if kind == "add":
        return a - b
    if kind == "sub":
        return a + b
    return a + b
'''
CALC_CASES: list[tuple[list[object], object]] = [
    (["add", 1, 2], 3),
    (["add", 4, 0], 4),
    (["add", 2, 5], 7),
    (["sub", 5, 2], 3),
    (["sub", 3, 0], 3),
    (["sub", 9, 4], 5),
    (["sub", 1, 3], -2),
    (["mul", 2, 3], 6),
    (["mul", 2, 2], 4),
    (["mul", 3, 4], 12),
    (["mul", 5, 5], 25),
]


@dataclass(frozen=True)
class Run:
    task_dir: Path
    run_dir: Path

    @property
    def program(self) -> Path:
        return self.task_dir / "seed.py"

    def source_after(self, number: int) -> str:
        store = RunStore.open(self.run_dir)
        try:
            config = store.config()
            digest = config["seed_hash"] if number == 0 else store.accepted()[number - 1].child
            return store.variant_source(digest)
        finally:
            store.close()


def write_calc(directory: Path, review_mode: str | None = None) -> Path:
    directory.mkdir(parents=True)
    (directory / "seed.py").write_text(CALC_SEED)
    lines = "".join(json.dumps({"args": a, "expected": e}) + "\n" for a, e in CALC_CASES)
    (directory / "cases.jsonl").write_text(lines)
    review = "" if review_mode is None else f'[review]\nmode = "{review_mode}"\n'
    (directory / "task.toml").write_text(
        '[task]\nprogram = "seed.py"\nentry = "calc"\n[tests]\ncases = "cases.jsonl"\n'
        f"[search]\nbudget = 600\n{review}"
    )
    return directory


def start_run(task_dir: Path, runs: Path, seed: int = 1) -> Run:
    status = main(
        # Partial repairs: one change per fixed branch, a lineage to review and roll back.
        [
            "run",
            str(task_dir),
            "--seed",
            str(seed),
            "--runs-dir",
            str(runs),
            "--json",
            "--quiet",
            "--partial-repairs",
        ]
    )
    assert status == 0
    [run_dir] = runs.iterdir()
    return Run(task_dir, run_dir)


def copy_run(run: Run, where: Path) -> Run:
    """A copy of the task and run, with the run's program path pointing at the copy."""
    task_dir = shutil.copytree(run.task_dir, where / "task")
    run_dir = shutil.copytree(run.run_dir, where / "run")
    store = RunStore.open(run_dir)
    store.set_config(program=str(task_dir / "seed.py"), task_dir=str(task_dir))
    store.close()
    return Run(task_dir, run_dir)


@pytest.fixture(scope="session")
def calc_template(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One real three-change run, made once; tests work on copies (`calc_run`)."""
    root = tmp_path_factory.mktemp("calc-template")
    task_dir = write_calc(root / "calc")
    # The tests below rely on a lineage of three; the first seed (deterministically) that
    # gives one with the current operator registry is used.
    with in_process_sandboxes():
        for seed in range(1, 21):
            run = start_run(task_dir, root / f"runs-{seed}", seed)
            store = RunStore.open(run.run_dir)
            count = len(store.accepted())
            store.close()
            if count == 3:
                return run
    raise AssertionError("no seed in 1..20 gives a lineage of three changes")


@pytest.fixture
def calc_run(calc_template: Run, tmp_path: Path) -> Run:
    return copy_run(calc_template, tmp_path)
