"""`evolve verify`: recompute the hash chain, cross-check it against the stored sources, and
re-run the final champion's evidence in the sandbox.

Every check names the first record it fails on, so one changed byte anywhere in the record
(a diff, a fitness, a source, a hash) is reported as one line pointing at where it is.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from evolve.evaluation.evaluator import HOLDOUT, SEARCH, source_hash
from evolve.program.patch import Patch, patch_from_json
from evolve.program.program import Program, ProgramError, unpack_files
from evolve.run import CHAMPION_FILE, SEED_FILE, record_file
from evolve.store.chain import CHECKS, GENESIS, edit_actions, record_hash
from evolve.store.database import AcceptedChange, RunStore
from evolve.task import Goal, load_task
from sandbox import Evaluation, make_sandbox


class Tampered(Exception):
    """The record does not hold together; the message is one line naming where."""


@dataclass(frozen=True)
class Chain:
    """A chain that checked out: its records in order and the seed they start from."""

    seed_source: str
    seed_hash: str
    changes: tuple[AcceptedChange, ...]
    sources: dict[str, str]  # hash -> source, for the seed and every record's child

    @property
    def head(self) -> str:
        return self.changes[-1].hash if self.changes else GENESIS

    def source_after(self, number: int) -> str:
        """The program as it was after change `number` (0: the seed)."""
        if number == 0:
            return self.seed_source
        return self.sources[self.changes[number - 1].child]


def check_chain(store: RunStore, run_dir: Path) -> Chain:
    """The verified chain, or Tampered naming the first thing that does not hold."""
    config = store.config()
    seed_hash = str(config.get("seed_hash", ""))
    seed_source = _source(store, seed_hash, "seed")
    if source_hash(seed_source) != seed_hash:
        raise Tampered("seed: stored source does not match the seed hash")
    several = bool(config.get("program_files"))
    _same_file(run_dir / record_file(SEED_FILE, several), seed_source, "seed")
    try:
        program = Program.from_text(
            seed_source,
            path=str(config.get("program", SEED_FILE)),
            several=several,
            editable=config.get("editable"),
        )
    except ProgramError as exc:
        raise Tampered(f"seed: no longer parses ({exc})") from None

    changes: list[AcceptedChange] = []
    sources = {seed_hash: seed_source}
    previous_hash, parent_hash, parent_source = GENESIS, seed_hash, seed_source
    parent_patch: Patch = ()
    for position, number in enumerate(store.accepted_numbers(), start=1):
        where = f"record #{number}"
        if number != position:
            raise Tampered(f"{where}: out of sequence (expected #{position})")
        change = _read(store, number)
        if not change.hash:
            raise Tampered(f"{where}: not sealed (written before the audit chain existed)")
        if record_hash(change) != change.hash:
            raise Tampered(f"{where}: content does not match its hash (the record was altered)")
        if change.prev_hash != previous_hash:
            raise Tampered(f"{where}: does not link to the record before it")
        if change.parent != parent_hash:
            first = "the seed" if number == 1 else f"record #{number - 1}'s child"
            raise Tampered(f"{where}: parent is not {first}")
        child_source = _source(store, change.child, where + " child")
        if source_hash(child_source) != change.child:
            raise Tampered(f"{where}: stored child source does not match the child hash")
        if program.diff(parent_source, child_source) != change.diff:
            raise Tampered(f"{where}: diff does not match the stored parent and child sources")
        try:
            patch = patch_from_json(change.patch)
        except ValueError as exc:
            raise Tampered(f"{where}: patch is not valid ({exc})") from None
        if program.render(patch) != child_source:
            raise Tampered(f"{where}: replaying the patch on the seed does not give the child")
        _check_edits(change, parent_patch, patch, where)
        changes.append(change)
        sources[change.child] = child_source
        previous_hash, parent_hash, parent_source = change.hash, change.child, child_source
        parent_patch = patch

    _check_run_end(config, run_dir, changes, parent_hash, parent_source)
    return Chain(seed_source, seed_hash, tuple(changes), sources)


def _check_edits(change: AcceptedChange, parent: Patch, child: Patch, where: str) -> None:
    """The recorded edits, applied to the parent's patch, give the child's: every edit the
    change added and every earlier edit it dropped is named, and nothing else changed."""
    try:
        added, removed = edit_actions(change.edits)
    except (ValueError, KeyError, TypeError) as exc:
        raise Tampered(f"{where}: edits are not valid ({exc})") from None
    dropped = Counter(edit for edit, _ in removed)
    if dropped - Counter(parent):
        raise Tampered(f"{where}: names a removed edit its parent does not have")
    for _, number in removed:
        if not 0 < number < change.number:
            raise Tampered(f"{where}: reverts #{number}, which is not an earlier change")
    expected = Counter(parent) - dropped + Counter(added)
    if expected != Counter(child):
        unnamed = Counter(parent) - Counter(child) - dropped
        detail = f" (drops {sum(unnamed.values())} edit(s) it does not name)" if unnamed else ""
        raise Tampered(f"{where}: its edits, applied to its parent, do not give its child{detail}")


def _check_run_end(
    config: dict[str, Any],
    run_dir: Path,
    changes: Sequence[AcceptedChange],
    final_hash: str,
    final_source: str,
) -> None:
    """A finished run names its champion and count: dropping trailing records shows here."""
    where = f"record #{len(changes)}" if changes else "run"
    champion = config.get("champion_hash")
    if champion is not None and champion != final_hash:
        raise Tampered(f"{where}: the run's champion is not the last record's child")
    summary = config.get("summary")
    if isinstance(summary, dict) and summary.get("accepted") not in (None, len(changes)):
        raise Tampered(
            f"{where}: the run accepted {summary['accepted']} changes, not {len(changes)}"
        )
    if champion is not None:
        several = bool(config.get("program_files"))
        _same_file(run_dir / record_file(CHAMPION_FILE, several), final_source, "champion")


def _read(store: RunStore, number: int) -> AcceptedChange:
    try:
        return store.accepted_change(number)
    except (ValueError, sqlite3.Error) as exc:  # altered so that it no longer decodes
        raise Tampered(f"record #{number}: cannot be read ({exc})") from None


def _source(store: RunStore, digest: str, what: str) -> str:
    try:
        return store.variant_source(digest)
    except KeyError:
        raise Tampered(f"{what}: no stored source for hash {digest[:12]}") from None
    except (ValueError, sqlite3.Error) as exc:
        raise Tampered(f"{what}: stored source cannot be read ({exc})") from None


def _same_file(path: Path, source: str, what: str) -> None:
    if path.is_file() and path.read_bytes() != source.encode("utf-8"):
        raise Tampered(f"{what}: {path.name} in the run directory differs from the stored source")


# evidence ------------------------------------------------------------------------------------


def _sandbox_mode(config: dict[str, Any]) -> Literal["fork", "process"]:
    # The run's own mode, so the evidence is re-run under the isolation it was gathered in.
    return "process" if config.get("sandbox") == "process" else "fork"


@dataclass(frozen=True)
class Rerun:
    """What re-running the champion showed: a line per suite for the summary, and how many
    of the tests the task gained since the record (answers to `review --ask`) it fails."""

    lines: list[str]
    failing_added: int = 0


def rerun_evidence(store: RunStore, chain: Chain) -> Rerun:
    """Run the final champion again; every test its record says it passes must still pass.

    Tampered names the first recorded test that fails.
    """
    if not chain.changes:
        return Rerun(["no accepted changes: nothing to re-run"])
    config = store.config()
    last = chain.changes[-1]
    where = f"record #{last.number}"
    try:
        evidence = json.loads(last.evidence)
    except ValueError as exc:
        raise Tampered(f"{where}: evidence is not JSON ({exc})") from None
    task = load_task(Path(config["task_dir"]))
    suites = {SEARCH: task.suite, HOLDOUT: task.holdout}
    text = chain.sources[last.child]
    source = unpack_files(text) if config.get("program_files") else text
    lines = []
    failing_added = 0
    with closing(make_sandbox(_sandbox_mode(config), workers=1)) as box:
        for name, recorded in sorted(evidence.items(), key=lambda item: item[0] != SEARCH):
            if name == CHECKS:
                continue  # timings and generated inputs are not a suite of the task
            suite = suites.get(name)
            if suite is None:
                raise Tampered(f"{where}: the task no longer has a {name} suite to re-run")
            result: Evaluation = box.evaluate(
                source,
                suite,
                task.limits,
                module_name=task.module_name,
                measure_cost=task.goal is Goal.SPEEDUP,
            )
            lost = sorted(set(recorded["passing"]) - result.passed_names)
            if lost:
                raise Tampered(
                    f"{where}: champion no longer passes {name} test {lost[0]}"
                    f" ({len(lost)} recorded as passing now fail; status {result.status.value})"
                )
            lines.append(
                f"{name}: {len(recorded['passing'])} recorded passing tests still pass"
                f" ({result.passed}/{result.total}; layers {', '.join(result.layers)})"
            )
            grown = _grown(name, recorded, result)
            if grown:
                lines.append(grown[0])
                failing_added += grown[1]
    return Rerun(lines, failing_added)


def _grown(name: str, recorded: dict[str, Any], result: Evaluation) -> tuple[str, int] | None:
    """A line for tests the task has gained since the record (answers to `review --ask` are
    added to its cases), and how many of those the champion fails: the record is intact, but
    it vouches only for the tests it knew."""
    total = recorded.get("total")
    if not isinstance(total, int) or result.total <= total:
        return None
    failing = [test.name for test in result.tests if not test.passed]
    verdict = (
        "the champion passes all of them"
        if not failing
        else f"the champion fails {len(failing)} of them (first {failing[0]})"
    )
    # Every test recorded as passing still passes (or Tampered was raised), so the failures
    # beyond those the record already counted are among the new tests.
    failing_added = max(0, len(failing) - (total - len(recorded["passing"])))
    line = f"{name}: the task has {result.total} tests now, {total} when recorded; {verdict}"
    return line, failing_added
