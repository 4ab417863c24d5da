"""`evolve report`: a self-contained HTML file that renders in a real browser without errors,
with every piece of run text escaped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from evolve.cli import main
from evolve.report import REPORT_FILE, RunData, _plausible, operator_counts, render
from evolve.run import RunRequest, start_run
from evolve.store.database import AcceptedChange, EvaluationRow
from tests.doubles import Quiet, SerialExecutor

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def run_dir(add_task: Path, tmp_path: Path) -> Path:
    summary = start_run(
        RunRequest(add_task, seed=1, budget=300, runs_dir=tmp_path / "runs"),
        Quiet(),
        SerialExecutor(),
    )
    assert summary.accepted >= 1
    return Path(summary.run_dir)


def test_report_holds_every_section(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(run_dir)]) == 0
    assert "report written to" in capsys.readouterr().out
    text = (run_dir / REPORT_FILE).read_text()
    for heading in ("Fitness over generations", "Evaluations by status", "Operators"):
        assert heading in text
    assert "Lineage of accepted changes" in text and "change-1" in text
    assert "<span class='del'>-    return a - b</span>" in text
    assert "<span class='add'>+    return a + b</span>" in text
    # plotly.js inline, once, and no script fetched from anywhere: the file works offline.
    assert text.count("plotly.js v") == 1
    assert "<script src" not in text


def test_report_out_and_bad_out(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "elsewhere.html"
    assert main(["report", str(run_dir), "--out", str(out)]) == 0 and out.is_file()
    assert main(["report", str(run_dir), "--out", str(tmp_path / "no" / "x.html")]) == 2
    assert main(["report", "nope", "--runs-dir", str(tmp_path)]) == 2


def test_run_text_is_escaped() -> None:
    hostile = "<script>alert(1)</script>"
    change = AcceptedChange(
        1,
        1,
        5,
        "p" * 64,
        "c" * 64,
        "[]",
        (hostile,),
        f"+{hostile}\n",
        "0/1",
        "1/1",
        (hostile,),
        0.0,
    )
    row = EvaluationRow(1, "ok", 1, 1, None, '[{"operator": "x", "site": "s", "payload": 1}]')
    data = RunData({"task_name": hostile, "goal": "repair"}, [row], [change], [(0, 0.0)])
    text = render(data, hostile)
    assert hostile not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_a_candidates_patterns_of_style_are_marked_as_such() -> None:
    choice = {
        "reason": "r",
        "candidates": [
            {"edits": ["a"], "anti_patterns": ["identity-operation"]},
            {"edits": ["b"], "anti_patterns": ["constant-return"]},
        ],
    }
    text = _plausible(choice)
    assert "identity-operation (style)" in text
    assert "constant-return (style)" not in text and "constant-return" in text


def test_operator_counts_count_a_variant_once_per_operator() -> None:
    edits = [("a", "s"), ("a", "t"), ("b", "s")]
    patch = json.dumps([{"operator": o, "site": s, "payload": 1} for o, s in edits])
    rows = [EvaluationRow(1, "failed", 0, 1, None, patch), EvaluationRow(1, "ok", 1, 1, None, "[]")]
    change = AcceptedChange(1, 1, 2, "p", "c", patch, ("a",), "", "0/1", "1/1", (), 0.0)
    assert operator_counts(RunData({}, rows, [change], [])) == {"a": (1, 1), "b": (1, 0)}


def render_in_chromium(page: Path, profile: Path) -> tuple[str, str]:
    assert CHROMIUM is not None
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # CI runs as root, where Chromium's own sandbox cannot start
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",  # let plotly finish drawing before the DOM is dumped
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, result.stderr


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium); CI installs it and runs this",
)
def test_report_renders_in_chromium_without_console_errors(run_dir: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert main(["report", str(run_dir), "--out", str(page)]) == 0
    dom, log = render_in_chromium(page, tmp_path / "profile")
    # Each drawn plotly figure holds `main-svg` layers; three figures were drawn.
    assert dom.count('class="main-svg"') >= 3
    assert dom.count('class="plot-container plotly"') == 3
    # Chromium logs every console message, error or not, as a CONSOLE line; plotly and the
    # page write none when all is well, so any such line is a problem worth seeing.
    console = [line for line in log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert console == []


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium); CI installs it and runs this",
)
def test_the_console_check_catches_errors(tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text("<html><body><script>undefinedFunction();</script></body></html>")
    _, log = render_in_chromium(page, tmp_path / "profile")
    assert "Uncaught ReferenceError" in log


def test_report_shows_review_decisions_and_evidence(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", str(run_dir), "--approve", "1"]) == 0
    capsys.readouterr()
    assert main(["report", str(run_dir)]) == 0
    text = (run_dir / REPORT_FILE).read_text()
    assert "review: approved by " in text
    assert "<th>search tests</th>" in text and "<th>holdout tests</th>" in text
    assert "<th>generated inputs</th>" in text


def test_report_notes_a_change_that_reverts_another() -> None:
    edit = {"operator": "sum-loop", "site": "f:1", "payload": 1, "description": "line 2"}
    edits = json.dumps([{**edit, "action": "remove", "reverts": 1}])
    change = AcceptedChange(
        2, 3, 50, "p" * 64, "c" * 64, "[]", ("hoist-expression",), "+x\n", "1/1", "1/1",
        (), 0.0, edits=edits,
    )  # fmt: skip
    data = RunData({"task_name": "t", "goal": "speedup"}, [], [change], [(0, 0.0)])
    text = render(data, "t")
    assert "reverts change #1: drops line 2" in text
    assert "undoes an earlier accepted change" in text
