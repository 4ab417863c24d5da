"""The audit verbs on the command line: `evolve verify | review | apply | rollback`.

`register` adds them to `evolve/cli.py`'s parser. Usage errors raise UsageError (one line,
exit 2, printed by the CLI edge); a record that does not verify prints one line and exits 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from evolve.audit.apply import Written, write_files_version, write_version
from evolve.audit.review import apply_flags, ask_walk, current_plan, summary, walk
from evolve.audit.verify import Chain, Tampered, check_chain, rerun_evidence
from evolve.audit.verify_command import run_verify_command, verified
from evolve.errors import UsageError
from evolve.program.program import unpack_files
from evolve.run import resolve_run
from evolve.store.database import RunStore

EXIT_OK, EXIT_FAILED = 0, 1

Command = Callable[[argparse.Namespace], int]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = commands.add_parser(
        "verify", help="check a run's hash-chained record and re-run the champion's evidence"
    )
    _run_argument(verify)
    verify.set_defaults(command=_failing_on_tamper(cmd_verify))

    review = commands.add_parser("review", help="approve or reject a run's accepted changes")
    _run_argument(review)
    review.add_argument(
        "--approve", type=int, action="append", default=[], metavar="N", help="repeatable"
    )
    review.add_argument(
        "--reject", type=int, action="append", default=[], metavar="N", help="repeatable"
    )
    review.add_argument("--approve-all", action="store_true", help="approve every pending change")
    review.add_argument(
        "--ask",
        action="store_true",
        help="settle what the tests could not decide: pick the right answer where the"
        " plausible repairs disagree (added to the task's cases)",
    )
    review.set_defaults(command=_failing_on_tamper(cmd_review))

    apply = commands.add_parser("apply", help="write the approved champion to the program file")
    _run_argument(apply)
    apply.add_argument("--to", type=Path, metavar="PATH", help="write here instead")
    _force(apply)
    apply.set_defaults(command=_failing_on_tamper(cmd_apply))

    rollback = commands.add_parser(
        "rollback", help="write the program as it was after change N (0: the seed)"
    )
    _run_argument(rollback)
    rollback.add_argument("--to", type=int, required=True, metavar="N", dest="number")
    rollback.add_argument("--to-path", type=Path, metavar="PATH", help="write here instead")
    _force(rollback)
    rollback.set_defaults(command=_failing_on_tamper(cmd_rollback))


def _run_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", help="run id or run directory")
    parser.add_argument("--runs-dir", type=Path, default=Path("runs"), help="default: ./runs")


def _force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true", help="overwrite a target that changed (a backup is kept)"
    )


def _failing_on_tamper(command: Command) -> Command:
    """Nothing is reviewed or written from a record that does not verify: one line, exit 1."""

    def guarded(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except Tampered as exc:
            print(f"evolve: verify failed: {exc}", file=sys.stderr)
            return EXIT_FAILED

    return guarded


@contextmanager
def _verified(args: argparse.Namespace) -> Iterator[tuple[Path, RunStore, Chain]]:
    run_dir = resolve_run(args.run, args.runs_dir)
    store = RunStore.open(run_dir)
    try:
        yield run_dir, store, check_chain(store, run_dir)
    finally:
        store.close()


# commands ------------------------------------------------------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    with _verified(args) as (_, store, chain):
        evidence = rerun_evidence(store, chain)
        plan = current_plan(store)
    count = len(chain.changes)
    print(
        f"OK: {count} record(s) chained and matching their sources, diffs and patches;"
        f" chain head {chain.head[:16]}"
    )
    for line in evidence:
        print(line)
    standings = [s.value for s in plan.standings.values()]
    tally = ", ".join(f"{standings.count(s)} {s}" for s in dict.fromkeys(standings))
    what = f"change #{plan.champion}" if plan.champion else "the seed"
    print(f"reviews: {tally or 'none'}; apply would write {what} ({plan.mode.value} mode)")
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    with _verified(args) as (run_dir, store, _chain):
        if args.ask:
            ask_walk(store, run_dir.name, sys.stdin.readline, _write)
        elif args.approve or args.reject or args.approve_all:
            apply_flags(store, args.approve, args.reject, args.approve_all)
        else:
            walk(store, sys.stdin.readline, _write)
        for line in summary(store):
            print(line)
    return EXIT_OK


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def cmd_apply(args: argparse.Namespace) -> int:
    with _verified(args) as (run_dir, store, chain):
        plan = current_plan(store)
        plan.require_approved(plan.champion)
        written = _write_version(
            run_dir, store, chain, plan.champion, args.to, args.force, verb="apply"
        )
    _report("applied", plan.champion, written)
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace) -> int:
    with _verified(args) as (run_dir, store, chain):
        count = len(chain.changes)
        if not 0 <= args.number <= count:
            raise UsageError(f"--to must be between 0 (the seed) and {count}, not {args.number}")
        current_plan(store).require_approved(args.number)
        written = _write_version(
            run_dir, store, chain, args.number, args.to_path, args.force, verb="rollback"
        )
    _report("rolled back to", args.number, written)
    return EXIT_OK


def _write_version(
    run_dir: Path,
    store: RunStore,
    chain: Chain,
    number: int,
    to: Path | None,
    force: bool,
    *,
    verb: str,
) -> Written:
    allowed = {chain.seed_hash, *(change.child for change in chain.changes)}
    config = store.config()
    target = to if to is not None else Path(config["program"])
    verify = run_verify_command(config)
    several = bool(config.get("program_files"))
    source = chain.source_after(number)
    files = unpack_files(source) if several else {}
    located = (
        {target.joinpath(*name.split("/")): text for name, text in files.items()}
        if several
        else {target: source}
    )

    def before_write() -> None:
        if verify is not None:  # refuses (UsageError) unless it passes on a copy
            start = target if several else target.parent
            verified(verify, start, located, run_dir=run_dir, verb=verb, number=number)

    if several:
        return write_files_version(
            target,
            files,
            run_id=run_dir.name,
            allowed=allowed,
            must_exist=to is None,
            force=force,
            before_write=before_write,
        )
    return write_version(
        target,
        source,
        run_id=run_dir.name,
        allowed=allowed,
        must_exist=to is None,
        force=force,
        before_write=before_write,
    )


def _report(verb: str, number: int, written: Written) -> None:
    what = f"change #{number}" if number else "the seed"
    if written.unchanged:
        print(f"{written.target} already holds {what}; nothing written")
        return
    if written.files:
        print(f"{verb} {what}: wrote {len(written.files)} file(s) in {written.target}")
        for file in written.files:
            print(f"  {file}")
        for backup_path in written.backups:
            print(f"  backup at {backup_path}")
        return
    backup = f"; backup at {written.backup}" if written.backup else ""
    print(f"{verb} {what}: wrote {written.target}{backup}")
