"""The audit verbs end to end through the command line on a bundled task (marked slow).

The run starts from a copy of the seed (`--program`), so apply and rollback write that copy
and never the repository's own seeds.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from evolve.cli import BUNDLED_TASKS

pytestmark = pytest.mark.slow

EVOLVE = [sys.executable, "-m", "evolve.cli"]
SEED = BUNDLED_TASKS.parent / "seeds" / "strings" / "caesar.py"


def evolve(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*EVOLVE, *args], input=stdin, capture_output=True, text=True, timeout=600
    )


def test_run_verify_review_apply_rollback(tmp_path: Path) -> None:
    # Partial repairs let the run record the two steps the review below approves and rejects.
    program = tmp_path / "caesar.py"
    shutil.copyfile(SEED, program)
    result = evolve(
        "run", str(BUNDLED_TASKS / "repair" / "caesar"), "--program", str(program),
        "--seed", "2", "--budget", "1500", "--partial-repairs",
        "--runs-dir", str(tmp_path / "runs"), "--json", "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    run_dir, accepted = summary["run_dir"], summary["accepted"]
    assert accepted >= 2

    verified = evolve("verify", run_dir)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith(f"OK: {accepted} record(s)")
    assert "holdout:" in verified.stdout

    # Approve the first change at the prompt, reject the second: the champion is change #1.
    reviewed = evolve("review", run_dir, stdin="a\nr\n")
    assert reviewed.returncode == 0, reviewed.stderr
    assert "champion: change #1" in reviewed.stdout

    applied = evolve("apply", run_dir)
    assert applied.returncode == 0, applied.stderr
    assert "applied change #1" in applied.stdout
    with sqlite3.connect(Path(run_dir) / "run.sqlite") as db:
        [(first,)] = db.execute(
            "SELECT source FROM variants JOIN accepted ON variants.hash = accepted.child"
            " WHERE number = 1"
        ).fetchall()
        layers = [json.loads(text) for (text,) in db.execute("SELECT layers FROM accepted")]
    assert program.read_text() == first != SEED.read_text()
    # Each record names the isolation its child was evaluated under: the fork mode's.
    assert all("rlimits" in names and "subreaper" in names for names in layers), layers

    rolled = evolve("rollback", run_dir, "--to", "0")
    assert rolled.returncode == 0, rolled.stderr
    assert program.read_bytes() == SEED.read_bytes()
    assert evolve("verify", run_dir).returncode == 0
