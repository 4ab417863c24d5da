"""A program of several files end to end through the command line (marked slow): a package
whose pytest suite imports it, a bug in each of two modules, then diff, verify, apply and
rollback across the files, and the bundled package task on its cases."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evolve.cli import BUNDLED_TASKS

pytestmark = pytest.mark.slow

EVOLVE = [sys.executable, "-m", "evolve.cli"]

PACKAGE = {
    "calc/__init__.py": '"""A calculator."""\n\nfrom calc.ops import add, scale\n',
    "calc/ops.py": (
        "from calc.scaling import scale\n\n\ndef add(a, b):\n    return a - b\n\n\n"
        '__all__ = ["add", "scale"]\n'
    ),
    "calc/scaling.py": "def scale(x, factor):\n    return x + factor\n",
}
TESTS = """\
import calc
from calc.scaling import scale


def test_add():
    assert calc.add(2, 3) == 5


def test_add_negative():
    assert calc.add(-4, 1) == -3


def test_scale():
    assert scale(3, 4) == 12


def test_scale_by_one():
    assert calc.scale(7, 1) == 7


def test_zero():
    assert calc.add(0, 0) == 0 and scale(0, 0) == 0
"""
TASK = """\
[task]
program = "calc"
goal = "repair"

[tests]
pytest = "test_calc.py"

[search]
budget = 400
"""


def evolve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EVOLVE, *args], capture_output=True, text=True, timeout=600)


def files_under(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text()
        for path in sorted((root / "calc").glob("*.py"))
    }


def test_a_package_is_repaired_across_files(tmp_path: Path) -> None:
    task = tmp_path / "task"
    for name, text in PACKAGE.items():
        (task / name).parent.mkdir(parents=True, exist_ok=True)
        (task / name).write_text(text)
    (task / "test_calc.py").write_text(TESTS)
    (task / "task.toml").write_text(TASK)

    evaluated = evolve("eval", str(task), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    outcomes = {t["name"]: t["outcome"] for t in json.loads(evaluated.stdout)["tests"]}
    assert outcomes["test_calc.py::test_zero"] == "passed"
    assert outcomes["test_calc.py::test_add"] == "failed"

    runs = tmp_path / "runs"
    ran = evolve("run", str(task), "--seed", "1", "--runs-dir", str(runs), "--json", "--quiet")
    assert ran.returncode == 0, ran.stderr
    summary = json.loads(ran.stdout.splitlines()[-1])
    assert summary["solved"], summary
    run_dir = Path(summary["run_dir"])
    champion = json.loads((run_dir / "champion.json").read_text())
    assert set(champion) == set(PACKAGE)
    assert "return a + b" in champion["calc/ops.py"]
    assert "x * factor" in champion["calc/scaling.py"]

    diff = evolve("diff", str(run_dir))
    assert diff.returncode == 0, diff.stderr
    assert "--- a/calc/ops.py" in diff.stdout and "--- a/calc/scaling.py" in diff.stdout
    assert "calc/__init__.py" not in diff.stdout  # unchanged files are not in the diff

    verified = evolve("verify", str(run_dir))
    assert verified.returncode == 0, verified.stderr

    # apply writes the champion's files into the task's package; rollback restores the seed.
    applied = evolve("apply", str(run_dir))
    assert applied.returncode == 0, applied.stderr
    assert files_under(task) == champion
    backups = sorted(p.name for p in (task / "calc").iterdir() if ".evolve-backup-" in p.name)
    assert [b.split(".evolve-backup-")[0] for b in backups] == ["ops.py", "scaling.py"]
    rolled = evolve("rollback", str(run_dir), "--to", "0")
    assert rolled.returncode == 0, rolled.stderr
    assert files_under(task) == PACKAGE

    # A file changed by hand since the run: apply refuses and writes nothing.
    (task / "calc" / "scaling.py").write_text("def scale(x, factor):\n    return 0\n")
    refused = evolve("apply", str(run_dir))
    assert refused.returncode == 2 and "changed since run" in refused.stderr
    assert (task / "calc" / "ops.py").read_text() == PACKAGE["calc/ops.py"]


def test_the_bundled_package_task_gains_in_both_files(tmp_path: Path) -> None:
    ran = evolve(
        "run", str(BUNDLED_TASKS / "repair" / "order_total"), "--seed", "3", "--budget", "600",
        "--runs-dir", str(tmp_path), "--json", "--quiet",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    summary = json.loads(ran.stdout.splitlines()[-1])
    log = evolve("diff", summary["run_dir"])
    assert "--- a/shop/pricing.py" in log.stdout and "--- a/shop/shipping.py" in log.stdout


def test_a_package_run_killed_and_resumed_ends_like_an_uninterrupted_one(tmp_path: Path) -> None:
    task = str(BUNDLED_TASKS / "repair" / "order_total")
    common = ("--seed", "3", "--budget", "300", "--json", "--quiet")
    whole = evolve("run", task, *common, "--runs-dir", str(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr
    whole_dir = json.loads(whole.stdout.splitlines()[-1])["run_dir"]

    runs = tmp_path / "killed"
    process = subprocess.Popen(
        [*EVOLVE, "run", task, *common, "--runs-dir", str(runs)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        logs = list(runs.glob("*/events.jsonl"))
        if logs and logs[0].read_text().count('"generation_finished"') >= 3:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait()
    [killed_dir] = runs.iterdir()
    assert process.returncode == -signal.SIGKILL  # killed mid-run, not finished first
    resumed = evolve("resume", str(killed_dir), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    for verb in ("log", "diff"):
        assert evolve(verb, str(killed_dir)).stdout == evolve(verb, whole_dir).stdout
    assert evolve("verify", str(killed_dir)).returncode == 0
