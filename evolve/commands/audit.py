"""The audit verbs: `evolve verify | review | apply | rollback`.

All four check the record first (`evolve.audit.verify.check_chain`): nothing is reviewed or
written from a record that does not verify (one line, exit status 1). `verify`, `apply` and
`rollback` read the store read-only; `review` writes only its decisions.

They read alike: `apply RUN [--to PATH]` and `rollback RUN N [--to PATH]`. The older
`rollback RUN --to N [--to-path PATH]` still works and says it is the older form.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from evolve.audit.apply import Written, write_files_version, write_version
from evolve.audit.review import (
    apply_flags,
    ask_walk,
    current_plan,
    latest_reviews,
    settled,
    summary,
    walk,
)
from evolve.audit.verify import Chain, Tampered, check_chain, rerun_evidence
from evolve.audit.verify_command import run_verify_command, verified
from evolve.commands.render import change_dict, print_json
from evolve.errors import UsageError
from evolve.program.diff import unpack_files
from evolve.store.database import RunStore
from evolve.store.runs import open_run, read_run, resolve_run

EXIT_OK, EXIT_FAILED = 0, 1

Command = Callable[[argparse.Namespace], int]


def _failing_on_tamper(command: Command) -> Command:
    """Nothing is reviewed or written from a record that does not verify: one line, exit 1
    (with --json, a JSON object saying so on stdout as well)."""

    def guarded(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except Tampered as exc:
            if getattr(args, "json", False):
                print_json({"ok": False, "error": str(exc)})
            print(f"evolve: verify failed: {exc}", file=sys.stderr)
            return EXIT_FAILED

    guarded.__doc__ = command.__doc__
    return guarded


@contextmanager
def _verified(
    args: argparse.Namespace, opener: Callable[[Path], AbstractContextManager[RunStore]]
) -> Iterator[tuple[Path, RunStore, Chain]]:
    run_dir = resolve_run(args.run, args.runs_dir)
    with opener(run_dir) as store:
        yield run_dir, store, check_chain(store, run_dir)


# verify --------------------------------------------------------------------------------------


@_failing_on_tamper
def cmd_verify(args: argparse.Namespace) -> int:
    with _verified(args, read_run) as (_, store, chain):
        rerun = rerun_evidence(store, chain)
        plan = current_plan(store)
    # The re-run is of the search's last champion; once a review rejected it (as `--ask` does
    # a repair that answered otherwise), apply writes an earlier change and the failure is
    # settled already.
    failing = (
        rerun.failing_added if chain.changes and plan.champion == chain.changes[-1].number else 0
    )
    standings = [s.value for s in plan.standings.values()]
    tally = {s: standings.count(s) for s in dict.fromkeys(standings)}
    what = f"change #{plan.champion}" if plan.champion else "the seed"
    if args.json:
        print_json(
            {
                "ok": True,
                "records": len(chain.changes),
                "chain_head": chain.head,
                "evidence": rerun.lines,
                "failing_added_tests": failing,
                "reviews": tally,
                "apply_writes": plan.champion,
                "review_mode": plan.mode.value,
            }
        )
        return EXIT_FAILED if failing else EXIT_OK
    print(
        f"OK: {len(chain.changes)} record(s) chained and matching their sources, diffs and"
        f" patches; chain head {chain.head[:16]}"
    )
    for line in rerun.lines:
        print(line)
    if rerun.failing_added and not failing:
        print(f"(the change that fails them is rejected: apply would write {what} instead)")
    counts = ", ".join(f"{count} {name}" for name, count in tally.items())
    print(f"reviews: {counts or 'none'}; apply would write {what} ({plan.mode.value} mode)")
    if failing:
        # The records are sound, but the champion is not a repair of the task as it stands.
        print(
            f"evolve: the champion fails {failing} test(s) added to the task since"
            " its record; run the task again to repair them",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


# review --------------------------------------------------------------------------------------


@_failing_on_tamper
def cmd_review(args: argparse.Namespace) -> int:
    deciding = bool(args.approve or args.reject or args.approve_all or args.ask)
    # `review --json` only reads; decisions, given as flags or in the walk, are written.
    opener = open_run if deciding or not args.json else read_run
    with _verified(args, opener) as (run_dir, store, _chain):
        if args.ask:
            ask_walk(store, run_dir.name, _read_line, _write)
        elif deciding:
            apply_flags(store, args.approve, args.reject, args.approve_all)
        elif not args.json:
            walk(store, _read_line, _write)
        if args.json:
            plan = current_plan(store)
            reviews = store.reviews()
            decisions, answered = latest_reviews(reviews), settled(reviews)
            changes = []
            for change in store.accepted():
                data = change_dict(change, with_diff=False, settled=answered)
                data["standing"] = plan.standings[change.number].value
                decided = decisions.get(change.number)
                data["decided_by"] = None if decided is None else decided.who
                data["decided_at"] = None if decided is None else decided.decided_at
                changes.append(data)
            print_json(
                {
                    "changes": changes,
                    "champion": plan.champion,
                    "review_mode": plan.mode.value,
                    "pending": list(plan.pending),
                }
            )
            return EXIT_OK
        for line in summary(store):
            print(line)
    return EXIT_OK


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _read_line() -> str:
    """A line of the reviewer's answers. Piped answers are echoed after their prompt, as a
    terminal would show them, so the transcript reads one question and answer per line."""
    line = sys.stdin.readline()
    if line and not sys.stdin.isatty():
        _write(line if line.endswith("\n") else line + "\n")
    return line


# apply and rollback --------------------------------------------------------------------------


@_failing_on_tamper
def cmd_apply(args: argparse.Namespace) -> int:
    with _verified(args, read_run) as (run_dir, store, chain):
        plan = current_plan(store)
        plan.require_approved(plan.champion)
        written = _write_version(
            run_dir, store, chain, plan.champion, args.to, args.force, verb="apply"
        )
    _report("applied", plan.champion, written)
    return EXIT_OK


@_failing_on_tamper
def cmd_rollback(args: argparse.Namespace) -> int:
    number, target, older = _rollback_arguments(args)
    with _verified(args, read_run) as (run_dir, store, chain):
        count = len(chain.changes)
        if not 0 <= number <= count:
            label = "--to" if older else "N"
            raise UsageError(f"{label} must be between 0 (the seed) and {count}, not {number}")
        current_plan(store).require_approved(number)
        written = _write_version(run_dir, store, chain, number, target, args.force, verb="rollback")
    _report("rolled back to", number, written)
    if older:
        print(
            "evolve: note: `rollback RUN --to N [--to-path PATH]` is the older form;"
            " write `rollback RUN N [--to PATH]`",
            file=sys.stderr,
        )
    return EXIT_OK


def _rollback_arguments(args: argparse.Namespace) -> tuple[int, Path | None, bool]:
    """(change number, target or None, whether the older form was used). With N given,
    `--to` is a path, as for `apply`; without it, `--to` is the older form's number."""
    if args.number is not None:
        if args.to_path is not None:
            raise UsageError("rollback RUN N: give the target as --to PATH")
        return args.number, None if args.to is None else Path(args.to), False
    if args.to is None:
        raise UsageError("rollback: say which change: `rollback RUN N` (0: the seed)")
    try:
        number = int(args.to)
    except ValueError:
        raise UsageError(
            f"rollback: --to {args.to} names a path, but no change N is given:"
            " `rollback RUN N --to PATH`"
        ) from None
    return number, args.to_path, True


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
    program = Path(config["program"])
    several = bool(config.get("program_files"))
    target = to if to is not None else program
    if to is not None and not several and to.is_dir():
        target = to / program.name  # as `cp FILE DIR`: the program's own name inside DIR
    verify = run_verify_command(config)
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
