"""`evolve report RUN`: one self-contained HTML file about a run, read from its store.

Plots are plotly figures with plotly.js embedded once, inline, so the file opens offline and
can be mailed or archived with the run. Everything that comes from the run (names, diffs,
test names) is HTML-escaped: a diff is untrusted text, it may hold `<script>`.
"""

from __future__ import annotations

import html
import json
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evolve.acceptance.antipatterns import STYLE
from evolve.audit.review import Plan, Standing, plan
from evolve.store.chain import CHECKS, reverts_text
from evolve.store.database import AcceptedChange, EvaluationRow, Review
from evolve.store.runs import read_run as open_run
from evolve.task import ReviewMode
from evolve.tune.store import is_tuning_run
from sandbox import Status

if TYPE_CHECKING:
    import plotly.graph_objects as go

REPORT_FILE = "report.html"

# Statuses in the order the sandbox ranks them, best first, so stacks read the same way.
_STATUS_ORDER = [status.value for status in Status]


@dataclass(frozen=True)
class RunData:
    config: dict[str, Any]
    rows: list[EvaluationRow]
    accepted: list[AcceptedChange]
    champion_steps: list[tuple[int, float]]  # (generation, fitness) at the seed and each change
    reviews: tuple[Review, ...] = ()  # every decision, oldest first

    @property
    def speedup(self) -> bool:
        return self.config.get("goal") == "speedup"


def read_run(run_dir: Path) -> RunData:
    """Everything the report shows, read from the store read-only."""
    with open_run(run_dir) as store:
        config = store.config()
        accepted = store.accepted()
        steps = []
        for generation, digest in [(0, config.get("seed_hash", ""))] + [
            (c.generation, c.child) for c in accepted
        ]:
            evaluation = store.evaluation(str(digest), "search")
            if evaluation is not None:
                value = evaluation.cost if config.get("goal") == "speedup" else evaluation.passed
                if value is not None:
                    steps.append((generation, float(value)))
        rows = store.evaluation_rows("search")
        return RunData(config, rows, accepted, steps, tuple(store.reviews()))


def write_report(run_dir: Path, out: Path | None = None) -> Path:
    target = out if out is not None else run_dir / REPORT_FILE
    if is_tuning_run(run_dir):
        # A tuning run: the settings tried, scores per generation, train vs held out.
        from evolve.tune.show import render_html

        target.write_text(render_html(run_dir), encoding="utf-8")
        return target
    target.write_text(render(read_run(run_dir), run_dir.name), encoding="utf-8")
    return target


def render(data: RunData, run_name: str) -> str:
    figures = [_fitness_figure(data), _status_figure(data.rows), _operator_figure(data)]
    # plotly.js (about 4 MB) goes in once, with the first figure; the others reuse it.
    plots = [
        figure.to_html(full_html=False, include_plotlyjs=index == 0, config={"responsive": True})
        for index, figure in enumerate(figures)
    ]
    sections = [
        _header(data, run_name),
        "<h2>Fitness over generations</h2>",
        plots[0],
        "<h2>Evaluations by status</h2>",
        plots[1],
        "<h2>Operators</h2>",
        plots[2],
        _operator_table(data),
        "<h2>Lineage of accepted changes</h2>",
        _lineage(data),
        "<h2>Accepted changes: review, evidence and diff</h2>",
        _changes(data),
    ]
    title = html.escape(f"evolve report: {run_name}")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{_CSS}</style></head><body>"
        f"<h1>{title}</h1>{''.join(sections)}</body></html>\n"
    )


# figures --------------------------------------------------------------------------------


def _fitness_figure(data: RunData) -> go.Figure:
    import plotly.graph_objects as go  # about 0.5 s to import: only for a report

    best: dict[int, float] = {}
    for row in data.rows:
        if data.speedup:
            if row.status == Status.OK.value and row.cost is not None:
                best[row.generation] = min(best.get(row.generation, row.cost), row.cost)
        else:
            best[row.generation] = max(best.get(row.generation, row.passed), row.passed)
    generations = sorted(best)
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=generations,
            y=[best[g] for g in generations],
            mode="markers+lines",
            name="best new variant of the generation",
        )
    )
    if data.champion_steps:
        last = max(generations, default=data.champion_steps[-1][0])
        xs = [g for g, _ in data.champion_steps] + [max(last, data.champion_steps[-1][0])]
        ys = [v for _, v in data.champion_steps] + [data.champion_steps[-1][1]]
        figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line_shape="hv", name="champion"))
    figure.update_layout(
        xaxis_title="generation",
        yaxis_title="cost (lower is better)" if data.speedup else "tests passed",
        height=380,
        margin={"t": 30},
    )
    return figure


def _status_figure(rows: Sequence[EvaluationRow]) -> go.Figure:
    import plotly.graph_objects as go  # about 0.5 s to import: only for a report

    counts: dict[str, Counter[int]] = defaultdict(Counter)
    for row in rows:
        counts[row.status][row.generation] += 1
    generations = sorted({row.generation for row in rows})
    figure = go.Figure()
    # Statuses this engine does not know (an older or newer store) go last.
    order = {status: index for index, status in enumerate(_STATUS_ORDER)}
    for status in sorted(counts, key=lambda s: (order.get(s, len(order)), s)):
        figure.add_trace(
            go.Bar(x=generations, y=[counts[status][g] for g in generations], name=status)
        )
    figure.update_layout(
        barmode="stack",
        xaxis_title="generation",
        yaxis_title="evaluations",
        height=380,
        margin={"t": 30},
    )
    return figure


def operator_counts(data: RunData) -> dict[str, tuple[int, int]]:
    """Per operator: evaluated variants whose patch uses it, and accepted changes that added
    it. A variant counts once per operator however many of its edits use that operator."""
    evaluated: Counter[str] = Counter()
    for row in data.rows:
        evaluated.update({edit["operator"] for edit in json.loads(row.patch)})
    accepted: Counter[str] = Counter()
    for change in data.accepted:
        accepted.update(set(change.operators))
    names = sorted(set(evaluated) | set(accepted))
    return {name: (evaluated[name], accepted[name]) for name in names}


def _operator_figure(data: RunData) -> go.Figure:
    import plotly.graph_objects as go  # about 0.5 s to import: only for a report

    counts = operator_counts(data)
    names = list(counts)
    figure = go.Figure()
    figure.add_trace(go.Bar(x=names, y=[counts[n][0] for n in names], name="in evaluated"))
    figure.add_trace(go.Bar(x=names, y=[counts[n][1] for n in names], name="in accepted"))
    figure.update_layout(
        barmode="group", yaxis_type="log", yaxis_title="variants", height=380, margin={"t": 30}
    )
    return figure


# html -------------------------------------------------------------------------------------


def _header(data: RunData, run_name: str) -> str:
    config = data.config
    summary = config.get("summary") or {}
    started = config.get("started_at")
    facts = [
        ("task", config.get("task_name", "?")),
        ("goal", config.get("goal", "?")),
        ("program", config.get("program", "?")),
        ("random seed", config.get("seed", "?")),
        ("budget", config.get("budget", "?")),
        (
            "started",
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)) if started else "?",
        ),
        ("stop reason", summary.get("stop_reason", "not finished")),
        ("evaluations", summary.get("evaluations", len(data.rows))),
        ("cache hits", summary.get("cache_hits", "?")),
        ("denied by forbid", summary.get("denied", "?")),
        ("accepted changes", len(data.accepted)),
        ("best", summary.get("best", "?")),
        ("solved", summary.get("solved", "?")),
        ("engine", config.get("engine_version", "?")),
    ]
    rows = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(str(value))}</td></tr>"
        for name, value in facts
    )
    return f"<p>Run <code>{html.escape(run_name)}</code></p><table class='facts'>{rows}</table>"


def _operator_table(data: RunData) -> str:
    rows = []
    for name, (evaluated, accepted) in operator_counts(data).items():
        rate = f"{accepted / evaluated:.2%}" if evaluated else "-"
        rows.append(
            f"<tr><td>{html.escape(name)}</td><td>{evaluated}</td><td>{accepted}</td>"
            f"<td>{rate}</td></tr>"
        )
    if not rows:
        return "<p>No variants were evaluated.</p>"
    return (
        "<table><tr><th>operator</th><th>in evaluated variants</th>"
        f"<th>in accepted changes</th><th>success rate</th></tr>{''.join(rows)}</table>"
    )


def _lineage(data: RunData) -> str:
    if not data.accepted:
        return "<p>No accepted changes: the champion is the seed.</p>"
    seed = str(data.config.get("seed_hash", ""))[:12]
    rows = [f"<tr><td>seed</td><td>0</td><td></td><td><code>{html.escape(seed)}</code></td>"]
    rows[0] += "<td></td><td></td><td></td></tr>"
    for change in data.accepted:
        rows.append(
            f"<tr><td><a href='#change-{change.number}'>#{change.number}</a></td>"
            f"<td>{change.generation}</td><td>{change.evaluations}</td>"
            f"<td><code>{html.escape(change.parent[:12])}</code> &rarr; "
            f"<code>{html.escape(change.child[:12])}</code></td>"
            f"<td>{_operators(change)}</td>"
            f"<td>{html.escape(change.fitness_before)} &rarr; "
            f"{html.escape(change.fitness_after)}</td>"
            f"<td>{html.escape(', '.join(change.tests_gained))}</td></tr>"
        )
    return (
        "<table><tr><th>change</th><th>generation</th><th>evaluations</th>"
        "<th>parent &rarr; child</th><th>operators</th><th>fitness</th><th>tests gained</th>"
        f"</tr>{''.join(rows)}</table>"
    )


def _operators(change: AcceptedChange) -> str:
    # A change that only drops edits from its parent's patch adds no operator.
    text = ", ".join(change.operators) or "edits dropped"
    reverts = reverts_text(change.edits)
    return html.escape(f"{text} ({reverts})" if reverts else text)


def _diff_line(line: str) -> str:
    kind = "ctx"
    if line.startswith(("+++", "---")):
        kind = "file"
    elif line.startswith("@@"):
        kind = "hunk"
    elif line.startswith("+"):
        kind = "add"
    elif line.startswith("-"):
        kind = "del"
    return f"<span class='{kind}'>{html.escape(line)}</span>"


def _changes(data: RunData) -> str:
    if not data.accepted:
        return "<p>No accepted changes.</p>"
    numbers = [change.number for change in data.accepted]
    mode = ReviewMode(data.config.get("review_mode", ReviewMode.AUTO.value))
    standings = plan(numbers, data.reviews, mode)
    decided = {review.number: review for review in data.reviews}
    parts = []
    for change in data.accepted:
        lines = "\n".join(_diff_line(line) for line in change.diff.splitlines())
        parts.append(
            f"<h3 id='change-{change.number}'>#{change.number}: {_operators(change)}</h3>"
            f"{_review(standings.standings[change.number], decided.get(change.number), standings)}"
            f"{_edits(change)}{_evidence(change)}"
            f"<pre class='diff'>{lines}</pre>"
        )
    return "".join(parts)


def _review(standing: Standing, review: Review | None, current: Plan) -> str:
    text = f"review: {standing.value}"
    if standing is Standing.EXCLUDED:
        text += f" (built on rejected change #{current.rejected})"
    elif review is not None and standing is not Standing.PENDING:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(review.decided_at))
        text += f" by {review.who} at {when}"
    return f"<p class='review {html.escape(standing.value)}'>{html.escape(text)}</p>"


def _edits(change: AcceptedChange) -> str:
    try:
        entries = json.loads(change.edits)
    except ValueError:
        return ""
    items = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        description = str(entry.get("description", entry.get("operator", "?")))
        if entry.get("action") == "remove":
            number = entry.get("reverts", "?")
            items.append(f"reverts change #{number}: drops {description}")
        else:
            items.append(f"adds {description}")
    if not items:
        return ""
    note = ""
    if reverts_text(change.edits):
        note = (
            "<p class='note'>This change undoes an earlier accepted change's edit: the"
            " earlier change's own evidence no longer describes the champion.</p>"
        )
    rows = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return f"{note}<ul class='edits'>{rows}</ul>"


def _evidence(change: AcceptedChange) -> str:
    """Why the change was accepted: the suites it fixed, the checks beyond them (generated
    inputs, minimising, timing) and, for a repair chosen among plausible ones, the choice."""
    try:
        evidence = json.loads(change.evidence)
    except ValueError:
        return ""
    if not isinstance(evidence, dict):
        return ""
    facts: list[tuple[str, str]] = []
    for suite in ("search", "holdout"):
        record = evidence.get(suite)
        if isinstance(record, dict):
            fixed = record.get("fixed") or []
            facts.append(
                (
                    f"{suite} tests",
                    f"{len(record.get('passing') or [])}/{record.get('total', '?')} pass;"
                    f" fixed {len(fixed)}: {', '.join(map(str, fixed[:8]))}"
                    + (" ..." if len(fixed) > 8 else ""),
                )
            )
    checks = evidence.get(CHECKS)
    choice = None
    if isinstance(checks, dict):
        facts.append(("generated inputs", str(checks.get("generated_inputs", 0))))
        minimised = checks.get("minimised")
        if isinstance(minimised, dict):
            facts.append(
                (
                    "edits minimised",
                    f"{minimised.get('edits_before')} -> {minimised.get('edits_after')}",
                )
            )
        timing = checks.get("timing")
        if isinstance(timing, dict):
            facts.append(
                (
                    "timing",
                    f"{timing.get('ratio')}x faster, p = {timing.get('p_value')}"
                    f" ({timing.get('test', 'one-sided test')}, {timing.get('runs')} runs each;"
                    f" medians {timing.get('parent_median_s')} s ->"
                    f" {timing.get('child_median_s')} s)",
                )
            )
        choice = checks.get("plausible")
    table = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>"
        for name, value in facts
    )
    text = f"<table class='evidence'>{table}</table>" if facts else ""
    if isinstance(choice, dict):
        text += _plausible(choice)
    return text


def _plausible(choice: dict[str, Any]) -> str:
    rows = []
    for rank, candidate in enumerate(choice.get("candidates") or [], start=1):
        if not isinstance(candidate, dict):
            continue
        edits = "; ".join(map(str, candidate.get("edits") or []))
        # Patterns of style rank after new failures, those of shape before everything: say
        # which is which, or a chosen candidate with `identity-operation` reads as a mistake.
        anti = ", ".join(
            f"{name} (style)" if name in STYLE else str(name)
            for name in candidate.get("anti_patterns") or []
        )
        anti = anti or "none"
        rows.append(
            f"<tr><td>{rank}{' (chosen)' if rank == 1 else ''}</td><td>{html.escape(edits)}</td>"
            f"<td>{html.escape(anti)}</td>"
            f"<td>{html.escape(str(candidate.get('behaviour_change', '?')))}</td>"
            f"<td>{html.escape(str(candidate.get('found_at', '?')))}</td></tr>"
        )
    disagreements = choice.get("disagreements") or []
    where = (
        f"<p>The candidates answer differently on {len(disagreements)} generated input(s):"
        " where the tests could not decide.</p>"
        if disagreements
        else ""
    )
    return (
        f"<p class='choice'>{html.escape(str(choice.get('reason', '')))}</p>"
        "<table class='plausible'><tr><th>rank</th><th>edits</th><th>anti-patterns</th>"
        "<th>behaviour change</th><th>found at</th></tr>"
        f"{''.join(rows)}</table>{where}"
    )


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ddd; padding: .3em .6em; text-align: left; vertical-align: top; }
table.facts th { background: #f5f5f5; }
pre.diff { background: #fafafa; border: 1px solid #ddd; padding: .6em; overflow-x: auto; }
pre.diff span { display: block; }
.add { background: #e6ffec; color: #116329; }
.del { background: #ffebe9; color: #82071e; }
.hunk { color: #0550ae; }
.file { font-weight: bold; }
p.review { font-weight: bold; }
p.review.rejected, p.review.excluded { color: #82071e; }
p.review.approved { color: #116329; }
p.note { background: #fff8c5; padding: .3em .6em; }
"""
