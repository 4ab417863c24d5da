"""A real run of a tiny task, made once and copied for each test that needs one, and the
helpers the command tests share: running `evolve.cli.main` in process and fingerprinting a
directory to prove a verb wrote nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from evolve.cli import main
from evolve.store.database import RunStore
from tests.conftest import ADD_CASES, ADD_HOLDOUT, ADD_SEED, write_task
from tests.doubles import in_process_sandboxes


@dataclass(frozen=True)
class Run:
    task_dir: Path
    run_dir: Path

    @property
    def runs_dir(self) -> Path:
        return self.run_dir.parent


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def fingerprint(root: Path) -> dict[str, str]:
    """Every file under `root` (hidden ones too) with the sha256 of its content."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() or path.is_symlink()
    }


@pytest.fixture(scope="session")
def add_run_template(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("add-run")
    task_dir = write_task(root / "add", ADD_SEED, "add", ADD_CASES, ADD_HOLDOUT)
    runs = root / "runs"
    with in_process_sandboxes():
        status = main(
            [
                "run",
                str(task_dir),
                "--seed",
                "1",
                "--budget",
                "300",
                "--runs-dir",
                str(runs),
                "--json",
                "--quiet",
            ]
        )
    assert status == 0
    [run_dir] = runs.iterdir()
    return Run(task_dir, run_dir)


@pytest.fixture
def add_run(add_run_template: Run, tmp_path: Path) -> Run:
    """A copy of the run and its task, the run pointing at the copy."""
    task_dir = Path(shutil.copytree(add_run_template.task_dir, tmp_path / "add"))
    run_dir = Path(shutil.copytree(add_run_template.run_dir, tmp_path / "runs" / "r1"))
    store = RunStore.open(run_dir)
    store.set_config(program=str(task_dir / "seed.py"), task_dir=str(task_dir))
    store.close()
    return Run(task_dir, run_dir)


def last_json(out: str) -> dict[str, object]:
    value = json.loads(out.splitlines()[-1])
    assert isinstance(value, dict)
    return value
