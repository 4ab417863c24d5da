"""`evolve tune` from the command line, on a suite of tiny tasks evaluated in process: bad
input, a whole tuning run, its profile used by `evolve run` and `evolve bench` and recorded
for `evolve resume`, `--show` and `evolve report` of it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from evolve.cli import main
from evolve.resume import settings_from_config
from evolve.search import Algorithm, SearchSettings
from evolve.store.database import RunStore
from evolve.tune import command as tune_command
from evolve.tune.profile import load_profile, write_profile

SEEDS = {
    "add": ("def add(a, b):\n    return a - b\n", [([1, 2], 3), ([5, 0], 5), ([2, 2], 4)]),
    "biggest": (
        "def biggest(a, b):\n    if a < b:\n        return a\n    return b\n",
        [([1, 2], 2), ([5, 3], 5), ([4, 4], 4)],
    ),
    "double": ("def double(x):\n    return x + 1\n", [([1], 2), ([3], 6), ([0], 0)]),
}


@pytest.fixture
def suite(tmp_path: Path, make_task: Callable[..., Path]) -> Path:
    root = tmp_path / "suite"
    for name, (seed, cases) in SEEDS.items():
        make_task(root / name, seed, name, cases, cases[:1], budget=200)
    return root


def tune(*args: str) -> int:
    return main(["tune", *args])


def test_bad_input_is_one_line_and_exit_2(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = tmp_path / "one"
    (one / "add").mkdir(parents=True)
    for path in (suite / "add").iterdir():
        (one / "add" / path.name).write_bytes(path.read_bytes())
    cases = [
        [],
        [str(tmp_path / "nowhere")],
        [str(one)],
        [str(suite), "--population", "1"],
        [str(suite), "--held-out", "1.5"],
        [str(suite), "--budget", "0"],
        [str(suite), "--show", "x"],
        [str(suite), "--executor", "carrier-pigeon"],
        [str(suite), "--out", str(tmp_path / "no" / "such" / "profile.toml")],
        ["--show", str(tmp_path / "nowhere")],
    ]
    for args in cases:
        assert tune(*args) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("evolve: error: ") and len(err.strip().splitlines()) == 1, args


def test_a_tuning_run_writes_a_profile_that_runs_use(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    out = tmp_path / "tuned.toml"
    code = tune(
        str(suite), "--population", "3", "--generations", "2", "--run-budget", "150",
        "--budget", "5000", "--held-out", "0.3", "--runs-dir", str(runs), "--out", str(out),
        "--json", "--quiet",
    )  # fmt: skip
    assert code == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["stop_reason"] == "generations" and summary["generations"] == 2
    assert len(summary["train"]) == 2 and len(summary["held_out"]) == 1  # a third held out
    held = summary["held_out_scores"]
    assert held["default"]["runs"] == 2 and held["tuned"]["runs"] == 2
    run_dir = Path(summary["run_dir"])
    profile = load_profile(run_dir / "profile.toml")
    assert load_profile(out) == profile
    assert profile.to_json() == summary["best_settings"]

    # --show and evolve report read it; resuming a finished tuning run does nothing.
    assert tune("--show", str(run_dir)) == 0
    shown = capsys.readouterr().out
    assert "settings tried" in shown and "held out" in shown and "generation" in shown
    assert main(["report", str(run_dir)]) == 0
    page = (run_dir / "report.html").read_text()
    assert "Settings tried" in page and "Train vs held out" in page
    assert "Scores per generation" in page
    for resume in (["resume", str(run_dir)], ["tune", "--resume", str(run_dir)]):
        assert main(resume) == 0
        assert "nothing to resume" in capsys.readouterr().out
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    kinds = [event["type"] for event in events]
    assert kinds[0] == "run_started" and kinds[-1] == "run_stopped"
    assert kinds.count("generation_finished") == 2 and "trial_scored" in kinds


def custom_profile(tmp_path: Path) -> tuple[Path, SearchSettings]:
    settings = SearchSettings(
        population=12, algorithm=Algorithm.TOURNAMENT, max_edits=2, crossover_rate=0.1,
        template_weight=0.4, localisation_floor=0.2, bandit_learning_rate=0.5,
        bandit_p_min=0.01, operator_priors={"delete-statement": 0.25},
    )  # fmt: skip
    path = tmp_path / "profile.toml"
    write_profile(path, settings, {"suite": "by hand"})
    return path, settings


def test_a_profile_becomes_the_runs_settings_and_resume_reads_them(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, settings = custom_profile(tmp_path)
    runs = tmp_path / "runs"
    code = main(
        ["run", str(suite / "add"), "--profile", str(path), "--budget", "60",
         "--runs-dir", str(runs), "--json", "--quiet"]
    )  # fmt: skip
    assert code == 0
    run_dir = Path(json.loads(capsys.readouterr().out.splitlines()[-1])["run_dir"])
    store = RunStore.open(run_dir)
    try:
        recorded = store.config()["settings"]
    finally:
        store.close()
    assert settings_from_config(recorded) == settings
    # Flags given on the command line win over the profile.
    code = main(
        ["run", str(suite / "add"), "--profile", str(path), "--population", "6",
         "--algorithm", "lexicase", "--budget", "30", "--runs-dir", str(runs), "--json",
         "--quiet"]
    )  # fmt: skip
    assert code == 0
    run_dir = Path(json.loads(capsys.readouterr().out.splitlines()[-1])["run_dir"])
    store = RunStore.open(run_dir)
    try:
        recorded = settings_from_config(store.config()["settings"])
    finally:
        store.close()
    assert (recorded.population, recorded.algorithm) == (6, Algorithm.LEXICASE)
    assert recorded.template_weight == 0.4 and not recorded.partial_repairs
    # --partial-repairs turns partial steps on over the profile's settings.
    code = main(
        ["run", str(suite / "add"), "--profile", str(path), "--partial-repairs",
         "--budget", "30", "--runs-dir", str(runs), "--json", "--quiet"]
    )  # fmt: skip
    assert code == 0
    run_dir = Path(json.loads(capsys.readouterr().out.splitlines()[-1])["run_dir"])
    store = RunStore.open(run_dir)
    try:
        recorded = settings_from_config(store.config()["settings"])
    finally:
        store.close()
    assert recorded.partial_repairs and recorded.template_weight == 0.4


def test_bench_takes_a_profile(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, settings = custom_profile(tmp_path)
    assert main(["bench", str(suite), "--profile", str(path), "--runs", "1", "--budget", "60",
                 "--json"]) == 0  # fmt: skip
    document = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert document["settings"] == settings.to_json()
    assert [row["algorithm"] for row in document["algorithms"]] == ["tournament"]
    assert main(["bench", str(suite), "--profile", str(path), "--runs", "1", "--budget", "30",
                 "--partial-repairs", "--json"]) == 0  # fmt: skip
    document = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert document["settings"] == {**settings.to_json(), "partial_repairs": True}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[settings\n", "not a profile"),
        ("[profile]\nsuite = 'x'\n", "no [settings] table"),
        ("[settings]\npopulaton = 3\n", "unknown to this engine"),
        ("[settings]\npopulation = 'many'\n", "not of type int"),
        ("[settings]\ntemplate_weight = 0.0\n", "template_weight"),
        ("[settings]\nbandit_p_min = 1.5\n", "bandit_p_min"),
        ("[settings]\noperator_priors = 3\n", "not a table"),
        ("[settings.operator_priors]\nteleport = 0.5\n", "no operator named"),
        ("[settings.operator_priors]\ndelete-statement = 2\n", "in [0, 1]"),
    ],
)
def test_a_bad_profile_is_one_line_and_exit_2(
    suite: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["run", str(suite / "add"), "--profile", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert main(["bench", str(suite), "--profile", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read profile" in capsys.readouterr().err


def test_a_stopped_tuning_run_resumes_to_the_same_end(
    suite: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from evolve.search.stop import StopReason, StopSwitch
    from evolve.tune.store import TuneStore

    args = ["--population", "2", "--generations", "2", "--run-budget", "100", "--held-out",
            "0.3", "--held-out-runs", "1", "--json", "--quiet"]  # fmt: skip

    def run(name: str) -> dict[str, object]:
        assert tune(str(suite), "--runs-dir", str(tmp_path / name), *args) == 0
        found: dict[str, object] = json.loads(capsys.readouterr().out.splitlines()[-1])
        return found

    def trials(run_dir: object) -> list[tuple[int, str, str]]:
        store = TuneStore.open(Path(str(run_dir)))
        try:
            return [(t.generation, t.label, t.key) for t in store.trials()]
        finally:
            store.close()

    reference = run("reference")
    asked = iter([StopReason.STOPPED])

    class StopOnce(StopSwitch):
        # The tuning run's own switch only: each bench run has one of its own.
        def requested(self) -> StopReason | None:
            return next(asked, None)

    monkeypatch.setattr(tune_command, "StopSwitch", StopOnce)
    stopped = run("stopped")
    assert stopped["stop_reason"] == "stopped" and stopped["held_out_scores"] is None
    assert stopped["profile"] is None
    run_dir = Path(str(stopped["run_dir"]))
    assert main(["tune", "--show", str(run_dir)]) == 0
    assert "stopped" in capsys.readouterr().out
    assert main(["resume", str(run_dir), "--json", "--quiet"]) == 0
    resumed = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert resumed["resumed"] is True
    for key in ("stop_reason", "best_settings", "held_out_scores", "spent", "trials"):
        assert resumed[key] == reference[key], key
    assert trials(run_dir) == trials(reference["run_dir"])
