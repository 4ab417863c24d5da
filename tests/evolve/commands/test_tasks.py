"""`evolve tasks`, `eval`, `--version` and a closed stdout. (Bugs: `tasks DIR` stopped at the
first broken folder and skipped symlinked ones; `evolve tasks | head -1` ended in a
BrokenPipeError traceback.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evolve import __version__
from evolve.commands.parser import BUNDLED_TASKS
from tests.conftest import ADD_CASES, ADD_HOLDOUT, ADD_SEED, write_task

from .conftest import cli


def test_tasks_lists_every_folder_broken_and_symlinked_ones_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "suite"
    write_task(root / "a_broken", ADD_SEED, "add", ADD_CASES)
    (root / "a_broken" / "task.toml").write_text("[task]\nprogram = 3\n")
    write_task(root / "b_good", ADD_SEED, "add", ADD_CASES)
    elsewhere = write_task(tmp_path / "elsewhere" / "c_linked", ADD_SEED, "add", ADD_CASES)
    (root / "c_linked").symlink_to(elsewhere, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)  # a link back up: no loop
    status, out, _ = cli(capsys, "tasks", str(root), "--json")
    assert status == 1  # some are broken: the listing is complete, and a script can tell
    entries = json.loads(out)
    assert [Path(e["path"]).name for e in entries] == ["a_broken", "b_good", "c_linked"]
    assert entries[0]["error"] and "[task] program" in entries[0]["error"]
    assert entries[1]["error"] is None and entries[2]["goal"] == "repair"
    status, out, _ = cli(capsys, "tasks", str(root))
    lines = out.splitlines()
    assert len(lines) == 3 and "BROKEN" in lines[0] and "BROKEN" not in lines[1]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "--version") == (0, f"evolve {__version__}\n", "")


def test_eval_json_names_the_layers_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task = write_task(tmp_path / "add", ADD_SEED, "add", ADD_CASES, ADD_HOLDOUT)
    status, out, _ = cli(capsys, "eval", str(task), "--json")
    data = json.loads(out)
    assert status == 0 and data["layers"] and "layers" not in data["holdout"]
    assert data["total"] == len(ADD_CASES) and data["holdout"]["total"] == len(ADD_HOLDOUT)


@pytest.mark.parametrize("argv", [["tasks"], ["eval", str(BUNDLED_TASKS / "repair" / "median")]])
def test_a_closed_stdout_ends_quietly(argv: list[str]) -> None:
    """As `evolve tasks | head -0`: the reader is gone before the first line is written."""
    process = subprocess.Popen(
        [sys.executable, "-m", "evolve.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # long before the interpreter has started
    err = process.stderr.read().decode()
    status = process.wait(timeout=120)
    assert err == "" and status == 141  # as a shell reports a program killed by SIGPIPE
