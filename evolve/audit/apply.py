"""`evolve apply` and `evolve rollback`: write a version of the program to the user's file.

Both refuse to overwrite work the run did not produce: the target must hold the seed or a
version this run recorded (so apply after rollback, or apply again after a review, works),
unless --force. Whatever the target held is kept in a backup beside it first, and the new
content replaces the file atomically, so a crash leaves either the old file or the new one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from evolve.errors import UsageError
from evolve.evaluation.evaluator import source_hash
from evolve.program.program import pack_files

BACKUP_INFIX = ".evolve-backup-"


@dataclass(frozen=True)
class Written:
    target: Path
    backup: Path | None  # None: there was nothing to back up, or nothing changed
    unchanged: bool  # the target already held this version
    # A program of several files: the files written, and the backups made beside them.
    files: tuple[Path, ...] = ()
    backups: tuple[Path, ...] = ()


def read_program_text(path: Path) -> str:
    """The file as the run read its seed (universal newlines), so hashes compare equal."""
    with path.open(encoding="utf-8") as handle:
        return handle.read()


def write_version(
    target: Path,
    source: str,
    *,
    run_id: str,
    allowed: Collection[str],
    must_exist: bool,
    force: bool,
    before_write: Callable[[], None] | None = None,
) -> Written:
    """Write `source` to `target` after the checks above; UsageError says why not.
    `before_write` runs once the checks pass and something is to be written; it refuses by
    raising."""
    if target.is_dir():
        raise UsageError(f"{target}: is a directory")
    if target.exists():
        try:
            current = read_program_text(target)
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{target}: cannot read: {exc}") from None
        if not force and source_hash(current) not in allowed:
            raise UsageError(
                f"{target}: changed since run {run_id} started (it holds neither the seed nor"
                " a version this run produced); refusing to overwrite, use --force"
            )
        if current == source and target.read_bytes() == source.encode("utf-8"):
            return Written(target, None, unchanged=True)
    elif must_exist and not force:
        raise UsageError(
            f"{target}: missing, but it held the seed when run {run_id} started;"
            " use --force to write it anyway"
        )
    if before_write is not None:
        before_write()
    backup = _backup(target, run_id) if target.exists() else None
    _replace(target, source.encode("utf-8"))
    return Written(target, backup, unchanged=False)


def _backup(target: Path, run_id: str) -> Path:
    """Copy the target beside itself; an earlier backup is never overwritten."""
    base = target.with_name(f"{target.name}{BACKUP_INFIX}{run_id}")
    backup, suffix = base, 1
    while backup.exists():
        suffix += 1
        backup = base.with_name(f"{base.name}-{suffix}")
    shutil.copy2(target, backup)
    return backup


def _replace(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        if target.exists():
            shutil.copymode(target, temporary)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_files_version(
    directory: Path,
    files: Mapping[str, str],
    *,
    run_id: str,
    allowed: Collection[str],
    must_exist: bool,
    force: bool,
    before_write: Callable[[], None] | None = None,
) -> Written:
    """Write a program of several files below `directory`, with the checks of
    `write_version` made on the program as a whole: the files there, read together, must
    hold the seed or a version this run recorded. Each changed file is backed up beside
    itself and replaced atomically; a crash between two files leaves each file whole, and
    the backups say what each held. `before_write` as for `write_version`."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory}: is not a directory")
    targets = {name: directory.joinpath(*name.split("/")) for name in files}
    current: dict[str, str | None] = {}
    for name, target in targets.items():
        try:
            current[name] = read_program_text(target) if target.exists() else None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{target}: cannot read: {exc}") from None
    missing = [str(targets[name]) for name, text in current.items() if text is None]
    if missing and must_exist and not force:
        raise UsageError(
            f"{missing[0]}: missing, but it held part of the seed when run {run_id} started;"
            " use --force to write it anyway"
        )
    if not missing and not force:
        held = pack_files({name: str(text) for name, text in current.items()})
        if source_hash(held) not in allowed:
            raise UsageError(
                f"{directory}: changed since run {run_id} started (its files hold neither the"
                " seed nor a version this run produced); refusing to overwrite, use --force"
            )
    changed = [
        name
        for name, source in files.items()
        if current[name] != source or targets[name].read_bytes() != source.encode("utf-8")
    ]
    if not changed:
        return Written(directory, None, unchanged=True)
    if before_write is not None:
        before_write()
    backups = tuple(_backup(targets[n], run_id) for n in changed if current[n] is not None)
    for name in changed:
        _replace(targets[name], files[name].encode("utf-8"))
    written = tuple(targets[name] for name in changed)
    return Written(directory, None, unchanged=False, files=written, backups=backups)
