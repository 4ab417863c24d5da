"""The verbs that read runs: `evolve runs`, `log`, `diff`, `report`.

They open the store read-only (`evolve.store.runs.read_run`) and never create or change a
file in a run directory; `report` writes only its report, and only for a run. Imports stay
light (the store, the chain's JSON): `evolve log RUN` answers in a few tenths of a second.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from evolve.audit.review import Standing, current_plan, settled
from evolve.commands.render import (
    change_dict,
    chosen_new_failures,
    plausible_reason,
    print_json,
    undecided_inputs,
    verdict,
)
from evolve.errors import RunStateError, UsageError
from evolve.program.diff import program_diff
from evolve.store.chain import reverts_text
from evolve.store.database import DATABASE, RunStore
from evolve.store.runs import check_runs_dir, is_running, read_run, resolve_run

EXIT_OK = 0


# evolve runs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    """One line of `evolve runs`."""

    id: str
    path: str
    task: str
    goal: str
    started_at: float | None
    status: str  # running, finished, stopped (resumable), unfinished (resumable), unreadable
    stop_reason: str | None
    accepted: int | None
    solved: bool | None
    improved: bool | None
    outcome: str  # the verdict in words, or why the run cannot be read
    evaluations: int | None


def cmd_runs(args: argparse.Namespace) -> int:
    runs_dir = check_runs_dir(args.runs_dir)
    found = sorted(
        (path for path in _children(runs_dir) if (path / DATABASE).is_file()),
        key=lambda path: path.name,
    )
    infos = [_run_info(path) for path in found]
    infos.sort(key=lambda info: (info.started_at or 0.0, info.id))
    if args.json:
        print_json([asdict(info) for info in infos])
        return EXIT_OK
    if not infos:
        print(f"no runs in {runs_dir}")
        return EXIT_OK
    width = max(len(info.id) for info in infos)
    for info in infos:
        when = _when(info.started_at)
        accepted = "-" if info.accepted is None else str(info.accepted)
        print(
            f"{info.id:<{width}}  {info.task:<20} {when:<16}  {info.status:<12}"
            f" {accepted:>3} accepted  {info.outcome}"
        )
    return EXIT_OK


def _children(runs_dir: Path) -> list[Path]:
    try:
        return [path for path in runs_dir.iterdir() if path.is_dir()]
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise UsageError(f"--runs-dir {runs_dir}: cannot be listed: {exc}") from None


def _run_info(run_dir: Path) -> RunInfo:
    try:
        with read_run(run_dir) as store:
            config = store.config()
            accepted = len(store.accepted_numbers())
    except RunStateError as exc:
        return RunInfo(
            run_dir.name, str(run_dir), "?", "?", None, "unreadable", None, None, None, None,
            str(exc), None,
        )  # fmt: skip
    summary = config.get("summary") if isinstance(config.get("summary"), dict) else None
    goal = str(config["goal"])
    if is_running(run_dir):
        status, outcome = "running", "in progress"
    elif summary is None:
        status, outcome = "unfinished", "killed before it finished: evolve resume goes on"
    elif summary.get("stop_reason") in ("stopped", "interrupted", "aborted"):
        status, outcome = "stopped", f"{verdict(summary, goal)}; evolve resume goes on"
    else:
        status, outcome = "finished", verdict(summary, goal)
    return RunInfo(
        id=run_dir.name,
        path=str(run_dir),
        task=str(config.get("task_name", "?")),
        goal=goal,
        started_at=config.get("started_at"),
        status=status,
        stop_reason=None if summary is None else summary.get("stop_reason"),
        accepted=accepted,
        solved=None if summary is None or goal != "repair" else bool(summary.get("solved")),
        improved=None if summary is None else accepted > 0,
        outcome=outcome,
        evaluations=None if summary is None else summary.get("evaluations"),
    )


def _when(stamp: float | None) -> str:
    return "?" if stamp is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


# evolve log ----------------------------------------------------------------------------------


def cmd_log(args: argparse.Namespace) -> int:
    with read_run(resolve_run(args.run, args.runs_dir)) as store:
        changes = store.accepted()
        answered = settled(store.reviews())
        if args.json:
            print_json([change_dict(change, settled=answered) for change in changes])
            return EXIT_OK
        standings = current_plan(store).standings
        lines = []
        for change in changes:
            # A rejection (or a change built on one) is said on the change's own line: the
            # run's record keeps the change, but `apply` will not write it.
            standing = standings.get(change.number)
            dropped = standing in (Standing.REJECTED, Standing.EXCLUDED)
            marker = f"  [{standing.value}]" if standing is not None and dropped else ""
            lines.append(
                f"#{change.number:<3} gen {change.generation:<4} evals {change.evaluations:<6}"
                f" {', '.join(change.operators) or 'edits dropped':<36}"
                f" +{len(change.tests_gained)} tests"
                f"  {change.fitness_before} -> {change.fitness_after}{marker}"
            )
            reverts = reverts_text(change.edits)
            if reverts:
                lines.append(f"     {reverts}")
            reason = plausible_reason(change)
            if reason:
                lines.append(f"     {reason}")
            undecided = 0 if dropped else undecided_inputs(change)
            if undecided and change.number in answered:
                lines.append("     tests could not decide: settled by answers to review --ask")
            elif undecided:
                lines.append(
                    f"     tests could not decide: the candidates answer differently on"
                    f" {undecided} generated input(s) (evolve review RUN --ask)"
                )
            crashes = chosen_new_failures(change)
            if crashes:
                lines.append(
                    f"     raises or hangs on {crashes} generated input(s) the seed answers"
                )
    print("\n".join(lines) if lines else "no accepted changes")
    return EXIT_OK


# evolve diff ---------------------------------------------------------------------------------


def cmd_diff(args: argparse.Namespace) -> int:
    run_dir = resolve_run(args.run, args.runs_dir)
    with read_run(run_dir) as store:
        text, rejected = _diff(store, args.number)
    if rejected is not None:  # said on stderr: stdout stays the diff
        print(
            f"{run_dir.name}: change #{rejected} was rejected; this is the seed against what"
            " `evolve apply` writes, not against the run's champion",
            file=sys.stderr,
        )
    if args.json:
        print_json({"run": run_dir.name, "number": args.number, "diff": text})
    elif text:
        print(text, end="")
    else:  # said on stderr: stdout stays an empty diff for a pipe (`| git apply`)
        print(f"{run_dir.name}: no change, the champion is the seed", file=sys.stderr)
    return EXIT_OK


def _diff(store: RunStore, number: int | None) -> tuple[str, int | None]:
    """Change `number`'s diff, or without a number the seed's against the champion's (the
    last accepted change's, for a run that has not finished), with the rejected change that
    made the champion the one the reviews leave (what `evolve apply` writes), if any."""
    if number is not None:
        numbers = store.accepted_numbers()
        if number not in numbers:
            raise UsageError(f"run has no change #{number} (it has {len(numbers)})")
        return store.accepted_change(number).diff, None
    config = store.config()
    changes = store.accepted()
    last = changes[-1].child if changes else config["seed_hash"]
    seed = store.variant_source(config["seed_hash"])
    champion_hash = str(config.get("champion_hash", last))
    plan = current_plan(store)
    if plan.rejected is not None:
        kept = plan.champion
        champion_hash = store.accepted_change(kept).child if kept else config["seed_hash"]
    champion = store.variant_source(champion_hash)
    several = bool(config.get("program_files"))
    text = program_diff(seed, champion, path=str(config["program"]), several=several)
    return text, plan.rejected


# evolve report -------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    run_dir = resolve_run(args.run, args.runs_dir)
    out: Path | None = args.out
    if out is not None and not out.parent.is_dir():
        raise UsageError(f"--out {out}: no such directory {out.parent}")
    if out is not None and out.is_dir():
        raise UsageError(f"--out {out}: is a directory")
    from evolve.report import write_report  # plotly: only for a report

    print(f"report written to {write_report(run_dir, out)}")
    return EXIT_OK
