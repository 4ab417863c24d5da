"""What a tuning run tried and found, as text (`evolve tune --show RUN`, and what `evolve tune`
prints at the end) and as a section of `evolve report RUN`'s HTML.

Read from the store alone, so a run that is still going, was stopped or was killed shows
what it has so far.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evolve.tune.scoring import Score, change
from evolve.tune.store import HELD_OUT, TRAIN, Trial, TuneStore

# The settings columns of the table of trials: (header, SearchSettings field).
COLUMNS = (
    ("pop", "population"),
    ("algorithm", "algorithm"),
    ("edits", "max_edits"),
    ("cx", "crossover_rate"),
    ("tmpl", "template_weight"),
    ("stmt", "operator_priors"),
    ("floor", "localisation_floor"),
    ("lr", "bandit_learning_rate"),
    ("pmin", "bandit_p_min"),
)


@dataclass(frozen=True)
class TuneData:
    name: str
    config: dict[str, Any]
    trials: list[Trial]

    @property
    def tune(self) -> dict[str, Any]:
        value: dict[str, Any] = self.config.get("tune") or {}
        return value

    @property
    def summary(self) -> dict[str, Any]:
        value: dict[str, Any] = self.config.get("summary") or {}
        return value

    def train(self) -> list[Trial]:
        return [t for t in self.trials if t.split == TRAIN]

    def held_out(self) -> dict[str, Trial]:
        return {t.label: t for t in self.trials if t.split == HELD_OUT}

    def best_by_generation(self) -> list[tuple[int, int, Trial]]:
        """(generation, settings tried so far, best so far) for every generation scored."""
        out = []
        trials = self.train()
        for generation in sorted({t.generation for t in trials}):
            upto = [t for t in trials if t.generation <= generation]
            best = max(upto, key=lambda t: (t.score.rank(), -t.id))
            out.append((generation, len(upto), best))
        return out


def read_tune(run_dir: Path) -> TuneData:
    store = TuneStore.open(run_dir)
    try:
        return TuneData(run_dir.name, store.config(), store.trials())
    finally:
        store.close()


def _cell(trial: Trial, name: str) -> str:
    value = trial.settings.get(name)
    if name == "operator_priors":
        priors = set((value or {}).values())
        return "1" if not priors else "/".join(f"{p:g}" for p in sorted(priors))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _median(found: Score) -> str:
    return "-" if found.median_evaluations is None else f"{found.median_evaluations:g}"


def show_text(run_dir: Path) -> str:
    data = read_tune(run_dir)
    tune, summary = data.tune, data.summary
    lines = [
        f"tuning run {data.name}: suite {tune.get('suite', '?')}, seed {tune.get('seed', '?')},"
        f" {summary.get('stop_reason', 'not finished')}",
        f"train ({len(tune.get('train', []))}): {', '.join(_names(tune.get('train', [])))}",
        f"held out ({len(tune.get('held_out', []))}):"
        f" {', '.join(_names(tune.get('held_out', [])))}",
        f"runs: seeds 1..{tune.get('runs', '?')} per training task,"
        f" 1..{tune.get('held_out_runs', '?')} per held-out task,"
        f" {tune.get('run_budget', '?')} evaluations each"
        + ("; holdout hidden, judged after each run" if tune.get("hide_holdout") else ""),
        f"spent {sum(t.score.evaluations for t in data.train())}/{tune.get('budget', '?')}"
        " training evaluations" + (f" in {summary['wall_s']:.0f} s" if "wall_s" in summary else ""),
        "",
        "generation  settings tried  best so far",
    ]
    for generation, tried, best in data.best_by_generation():
        lines.append(f"{generation:>10}  {tried:>14}  #{best.id} {best.score.text()}")
    header = f"{'#':>4} {'gen':>3} {'solved':>7} {'median':>7} {'evals':>7}  " + " ".join(
        f"{h:>9}" if h == "algorithm" else f"{h:>5}" for h, _ in COLUMNS
    )
    lines += ["", "settings tried (training tasks):", header]
    for trial in data.train():
        found = trial.score
        cells = " ".join(
            f"{_cell(trial, name):>9}" if h == "algorithm" else f"{_cell(trial, name):>5}"
            for h, name in COLUMNS
        )
        lines.append(
            f"{trial.id:>4} {trial.generation:>3} {f'{found.solved}/{found.runs}':>7}"
            f" {_median(found):>7} {found.evaluations:>7}  {cells}"
        )
    lines += ["", *comparison_lines(data)]
    profile = summary.get("profile")
    if profile:
        lines.append(f"profile: {profile}")
    return "\n".join(lines) + "\n"


def comparison_lines(data: TuneData) -> list[str]:
    """Defaults against the tuned setting, on the training and the held-out tasks."""
    train = data.train()
    if not train:
        return ["no setting scored yet"]
    default = train[0]  # the first trial is always the defaults
    best = max(train, key=lambda t: (t.score.rank(), -t.id))
    rows = [("train", default.score, best.score)]
    held = data.held_out()
    if "default" in held and "tuned" in held:
        rows.append(("held out", held["default"].score, held["tuned"].score))
    lines = [
        f"{'':<9} {'default':>28}   {'tuned (#' + str(best.id) + ')':>28}   median change",
    ]
    for name, before, after in rows:
        cut = change(after.median_evaluations, before.median_evaluations)
        lines.append(
            f"{name:<9} {_short(before):>28}   {_short(after):>28}"
            f"   {'-' if cut is None else f'{cut:+.0%}'}"
        )
    verdict = data.summary.get("held_out_scores")
    if isinstance(verdict, dict):
        met = verdict.get("target_met")
        lines.append(
            "held-out target (>= 20% fewer median evaluations at an equal or better solve"
            f" rate): {'met' if met else 'NOT met'}"
        )
    return lines


def _short(found: Score) -> str:
    return f"{found.solved}/{found.runs} ({found.solve_rate:.0%}), median {_median(found)}"


def _names(tasks: list[str]) -> list[str]:
    return [str(t).rstrip("/").rsplit("/", 1)[-1] for t in tasks]


# html ------------------------------------------------------------------------------------


def render_html(run_dir: Path) -> str:
    """`evolve report` for a tuning run: one self-contained page."""
    data = read_tune(run_dir)
    tune = data.tune
    title = html.escape(f"evolve report: tuning run {data.name}")
    facts = [
        ("suite", tune.get("suite", "?")),
        ("seed", tune.get("seed", "?")),
        ("stop reason", data.summary.get("stop_reason", "not finished")),
        ("training tasks", ", ".join(_names(tune.get("train", [])))),
        ("held-out tasks", ", ".join(_names(tune.get("held_out", [])))),
        ("budget", tune.get("budget", "?")),
        ("evaluations spent", sum(t.score.evaluations for t in data.train())),
        ("settings tried", len(data.train())),
        ("profile", data.summary.get("profile") or "-"),
        ("engine", data.config.get("engine_version", "?")),
    ]
    fact_rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in facts
    )
    generations = "".join(
        f"<tr><td>{g}</td><td>{tried}</td><td>#{best.id}</td><td>{best.score.solved}/"
        f"{best.score.runs}</td><td>{_median(best.score)}</td></tr>"
        for g, tried, best in data.best_by_generation()
    )
    heads = "".join(f"<th>{html.escape(name)}</th>" for _, name in COLUMNS)
    trials = "".join(
        f"<tr><td>#{t.id}</td><td>{t.generation}</td><td>{t.score.solved}/{t.score.runs}</td>"
        f"<td>{_median(t.score)}</td><td>{t.score.evaluations}</td>"
        + "".join(f"<td>{html.escape(_cell(t, name))}</td>" for _, name in COLUMNS)
        + "</tr>"
        for t in data.train()
    )
    comparison = html.escape("\n".join(comparison_lines(data)))
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{_CSS}</style></head><body><h1>{title}</h1>"
        f"<table class='facts'>{fact_rows}</table>"
        "<h2>Train vs held out</h2>"
        f"<pre>{comparison}</pre>"
        "<h2>Scores per generation</h2>"
        "<table><tr><th>generation</th><th>settings tried so far</th><th>best</th>"
        f"<th>solved</th><th>median evaluations</th></tr>{generations}</table>"
        "<h2>Settings tried</h2>"
        "<table><tr><th>trial</th><th>generation</th><th>solved</th><th>median evaluations</th>"
        f"<th>evaluations</th>{heads}</tr>{trials}</table>"
        "</body></html>\n"
    )


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 80em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ddd; padding: .3em .6em; text-align: left; vertical-align: top; }
table.facts th { background: #f5f5f5; }
pre { background: #fafafa; border: 1px solid #ddd; padding: .6em; }
"""
