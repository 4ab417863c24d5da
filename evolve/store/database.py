"""The run store: one SQLite database per run, the source of truth for audit and reports.

Writes are grouped per generation in one transaction (WAL mode), so a crash loses at most the
generation in flight and never leaves a half-written record. A generation's last transaction
holds its accepted change (if any) and its checkpoint together, so a change is on disk exactly
when the state that produced it is; `rewind` drops what a resumed run will redo.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evolve.errors import RunStateError

if TYPE_CHECKING:  # imported where evaluations are read: `evolve log` needs no sandbox
    from sandbox import Evaluation

DATABASE = "run.sqlite"

# The layout of run.sqlite, as of SCHEMA_VERSION. A database records the version it is at in
# `PRAGMA user_version`; opening one at an earlier version migrates it (`_MIGRATIONS`).
SCHEMA_VERSION = 1

_TABLES = (
    """\
CREATE TABLE IF NOT EXISTS config (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL              -- JSON
)
""",
    """\
CREATE TABLE IF NOT EXISTS variants (
    hash TEXT PRIMARY KEY,           -- sha256 of the variant's source
    source TEXT NOT NULL,
    patch TEXT NOT NULL              -- JSON list of edits against the seed
)
""",
    """\
CREATE TABLE IF NOT EXISTS evaluations (
    id INTEGER PRIMARY KEY,
    variant TEXT NOT NULL REFERENCES variants(hash),
    suite TEXT NOT NULL,             -- 'search' or 'holdout'
    generation INTEGER NOT NULL,
    status TEXT NOT NULL,
    passed INTEGER NOT NULL,
    total INTEGER NOT NULL,
    cost INTEGER,
    cpu_s REAL NOT NULL,
    wall_s REAL NOT NULL,
    detail TEXT NOT NULL,            -- the whole Evaluation as JSON
    UNIQUE (variant, suite)
)
""",
    """\
CREATE TABLE IF NOT EXISTS accepted (
    number INTEGER PRIMARY KEY,      -- 1, 2, ... in order of acceptance
    generation INTEGER NOT NULL,
    evaluations INTEGER NOT NULL,    -- search evaluations spent when it was accepted
    parent TEXT NOT NULL REFERENCES variants(hash),
    child TEXT NOT NULL REFERENCES variants(hash),
    patch TEXT NOT NULL,             -- JSON: the child's edits against the seed
    operators TEXT NOT NULL,         -- JSON list
    diff TEXT NOT NULL,              -- unified diff parent -> child
    fitness_before TEXT NOT NULL,
    fitness_after TEXT NOT NULL,
    tests_gained TEXT NOT NULL,      -- JSON list of test names
    created_at REAL NOT NULL,
    edits TEXT NOT NULL DEFAULT '[]',         -- JSON: the new edits, with a description each
    evidence TEXT NOT NULL DEFAULT '{}',      -- JSON: per suite, tests fixed/broken/passing
    layers TEXT NOT NULL DEFAULT '[]',        -- JSON: sandbox layers in force for the child
    engine_version TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL DEFAULT '',       -- the previous record's hash (evolve.store.chain)
    hash TEXT NOT NULL DEFAULT ''             -- sha256 of this record's canonical content
)
""",
    """\
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,          -- append-only: the latest decision on a change counts
    number INTEGER NOT NULL,         -- the accepted change decided on
    decision TEXT NOT NULL,          -- 'approved' or 'rejected'
    decided_at REAL NOT NULL,
    who TEXT NOT NULL
)
""",
    """\
CREATE TABLE IF NOT EXISTS checkpoints (
    generation INTEGER PRIMARY KEY,  -- the search state at the end of this generation
    state TEXT NOT NULL,             -- JSON (evolve.store.checkpoint)
    created_at REAL NOT NULL
)
""",
)

# Columns `accepted` gained after the first release (the audit record). An unversioned
# database may predate them: migrating it adds them, so its records open and fail
# `evolve verify` as unsealed rather than crashing every reader.
_AUDIT_COLUMNS = {
    "edits": "'[]'",
    "evidence": "'{}'",
    "layers": "'[]'",
    "engine_version": "''",
    "prev_hash": "''",
    "hash": "''",
}


def _version_1(connection: sqlite3.Connection) -> None:
    """From an empty or unversioned database (version 0): every table, and the audit
    columns an unversioned `accepted` may lack. (An unversioned database may also hold a
    `lineage` table that nothing reads any more; it is left as it is.)"""
    for statement in _TABLES:
        connection.execute(statement)
    present = {row[1] for row in connection.execute("PRAGMA table_info(accepted)")}
    for column, default in _AUDIT_COLUMNS.items():
        if column not in present:
            connection.execute(
                f"ALTER TABLE accepted ADD COLUMN {column} TEXT NOT NULL DEFAULT {default}"
            )


# _MIGRATIONS[n] takes a database from version n to n + 1.
_MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_version_1,)
assert len(_MIGRATIONS) == SCHEMA_VERSION


def schema_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def _migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Bring the database to SCHEMA_VERSION, all steps in one transaction; RunStateError if
    it is at a later version than this engine knows."""
    if schema_version(connection) == SCHEMA_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")  # a concurrent opener waits, then finds it done
    try:
        version = schema_version(connection)
        if version > SCHEMA_VERSION:
            raise RunStateError(
                f"{path}: schema version {version} is newer than this engine's"
                f" ({SCHEMA_VERSION}); open the run with the engine that made it"
            )
        for step in _MIGRATIONS[version:]:
            step(connection)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


_ACCEPTED_COLUMNS = (
    "number, generation, evaluations, parent, child, patch, operators, diff, fitness_before,"
    " fitness_after, tests_gained, created_at, edits, evidence, layers, engine_version,"
    " prev_hash, hash"
)


@dataclass(frozen=True)
class EvaluationRow:
    generation: int
    status: str
    passed: int
    total: int
    cost: int | None
    patch: str  # JSON list of edits against the seed


@dataclass(frozen=True)
class AcceptedChange:
    number: int
    generation: int
    evaluations: int
    parent: str
    child: str
    patch: str
    operators: tuple[str, ...]
    diff: str
    fitness_before: str
    fitness_after: str
    tests_gained: tuple[str, ...]
    created_at: float
    edits: str = "[]"  # JSON list of {operator, site, payload, description}
    evidence: str = "{}"  # JSON {suite: {fixed, broken, passing, total, status}}
    layers: tuple[str, ...] = ()
    engine_version: str = ""
    prev_hash: str = ""
    hash: str = ""


@dataclass(frozen=True)
class Review:
    number: int
    decision: str  # 'approved', 'rejected', or 'answered' (review --ask settled a tie)
    decided_at: float
    who: str


class RunStore:
    """Reads and writes one run's database."""

    def __init__(
        self, connection: sqlite3.Connection, path: Path, *, readonly: bool = False
    ) -> None:
        self._db = connection
        self.path = path
        self.readonly = readonly

    @classmethod
    def create(cls, run_dir: Path) -> RunStore:
        run_dir.mkdir(parents=True, exist_ok=False)
        return cls._connect(run_dir / DATABASE)

    @classmethod
    def open(cls, run_dir: Path) -> RunStore:
        """The store of an existing run; RunStateError if its database cannot be read."""
        path = run_dir / DATABASE
        if not path.is_file():
            raise FileNotFoundError(path)
        try:
            return cls._connect(path)
        except sqlite3.OperationalError:
            raise  # locked, out of space, ...: nothing wrong with the run itself
        except sqlite3.DatabaseError as exc:  # not a database, or a damaged one
            raise RunStateError(f"{path}: cannot be read as a run database ({exc})") from None

    @classmethod
    def read(cls, run_dir: Path) -> RunStore:
        """The store of an existing run, for reading only: no file in the run directory is
        created, grown or changed, whatever the file holds.

        SQLite opens a WAL database read-only by creating its `-wal` and `-shm` files when
        they are missing, and leaves them behind. They are missing exactly when no connection
        is open and the last one closed cleanly, having folded the log into the database; so
        the database is then opened as immutable (no locking, no side files). When the log
        is there (a run in progress, or one killed) it is read through as usual. A database
        at an older schema version is copied into memory and migrated there, never on disk.
        RunStateError if the file is not a run database."""
        path = run_dir / DATABASE
        if not path.is_file():
            raise FileNotFoundError(path)
        wal = path.with_name(path.name + "-wal")
        uri = path.resolve().as_uri() + "?mode=ro" + ("" if wal.exists() else "&immutable=1")
        try:
            connection = sqlite3.connect(uri, uri=True, isolation_level=None)
        except sqlite3.Error as exc:
            raise RunStateError(f"{path}: cannot be opened ({exc})") from None
        try:
            version = schema_version(connection)
            if version > SCHEMA_VERSION:
                raise RunStateError(
                    f"{path}: schema version {version} is newer than this engine's"
                    f" ({SCHEMA_VERSION}); open the run with the engine that made it"
                )
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if "config" not in tables:
                raise RunStateError(f"{path}: not a run database (it holds no run tables)")
            if version < SCHEMA_VERSION:
                memory = sqlite3.connect(":memory:", isolation_level=None)
                connection.backup(memory)
                connection.close()
                connection = memory
                _migrate(connection, path)
        except sqlite3.Error as exc:  # not a database, or a damaged one
            connection.close()
            raise RunStateError(f"{path}: cannot be read as a run database ({exc})") from None
        except BaseException:
            connection.close()
            raise
        return cls(connection, path, readonly=True)

    @classmethod
    def _connect(cls, path: Path) -> RunStore:
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            _migrate(connection, path)
        except BaseException:
            connection.close()
            raise
        return cls(connection, path)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        """A transaction of its own, or part of the caller's if one is open."""
        if self._db.in_transaction:
            yield
        else:
            with self.transaction():
                yield

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # configuration -------------------------------------------------------------------------

    def set_config(self, **values: Any) -> None:
        # All or nothing: a run killed while finishing must not look half finished.
        with self._atomic():
            self._db.executemany(
                "INSERT OR REPLACE INTO config (key, value) VALUES (?, ?)",
                [(key, json.dumps(value)) for key, value in values.items()],
            )

    def config(self) -> dict[str, Any]:
        rows = self._db.execute("SELECT key, value FROM config").fetchall()
        return {key: json.loads(value) for key, value in rows}

    # variants and evaluations --------------------------------------------------------------

    def add_variant(self, digest: str, source: str, patch_json: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO variants (hash, source, patch) VALUES (?, ?, ?)",
            (digest, source, patch_json),
        )

    def variant_source(self, digest: str) -> str:
        row = self._db.execute("SELECT source FROM variants WHERE hash = ?", (digest,)).fetchone()
        if row is None:
            raise KeyError(digest)
        return str(row[0])

    def add_evaluation(
        self, digest: str, suite: str, generation: int, evaluation: Evaluation
    ) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO evaluations"
            " (variant, suite, generation, status, passed, total, cost, cpu_s, wall_s, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                digest,
                suite,
                generation,
                evaluation.status.value,
                evaluation.passed,
                evaluation.total,
                evaluation.cost,
                evaluation.cpu_s,
                evaluation.wall_s,
                evaluation.to_json(),
            ),
        )

    def evaluation(self, digest: str, suite: str) -> Evaluation | None:
        row = self._db.execute(
            "SELECT detail FROM evaluations WHERE variant = ? AND suite = ?", (digest, suite)
        ).fetchone()
        from sandbox import Evaluation

        return None if row is None else Evaluation.from_dict(json.loads(row[0]))

    def status_counts(self, suite: str = "search") -> dict[str, int]:
        rows = self._db.execute(
            "SELECT status, COUNT(*) FROM evaluations WHERE suite = ? GROUP BY status", (suite,)
        ).fetchall()
        return {str(status): int(count) for status, count in rows}

    def evaluation_rows(self, suite: str = "search") -> list[EvaluationRow]:
        """Every evaluation of a suite in the order it was recorded, with the variant's patch:
        what reports aggregate by generation, status and operator."""
        rows = self._db.execute(
            "SELECT e.generation, e.status, e.passed, e.total, e.cost, v.patch"
            " FROM evaluations e JOIN variants v ON v.hash = e.variant"
            " WHERE e.suite = ? ORDER BY e.id",
            (suite,),
        ).fetchall()
        return [EvaluationRow(*row) for row in rows]

    # accepted changes ----------------------------------------------------------------------

    def add_accepted(self, change: AcceptedChange) -> None:
        self._db.execute(
            f"INSERT INTO accepted ({_ACCEPTED_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                change.number,
                change.generation,
                change.evaluations,
                change.parent,
                change.child,
                change.patch,
                json.dumps(list(change.operators)),
                change.diff,
                change.fitness_before,
                change.fitness_after,
                json.dumps(list(change.tests_gained)),
                change.created_at,
                change.edits,
                change.evidence,
                json.dumps(list(change.layers)),
                change.engine_version,
                change.prev_hash,
                change.hash,
            ),
        )

    def accepted(self) -> list[AcceptedChange]:
        rows = self._db.execute(
            f"SELECT {_ACCEPTED_COLUMNS} FROM accepted ORDER BY number"
        ).fetchall()
        return [_change(row) for row in rows]

    def accepted_numbers(self) -> list[int]:
        rows = self._db.execute("SELECT number FROM accepted ORDER BY number").fetchall()
        return [int(row[0]) for row in rows]

    def accepted_change(self, number: int) -> AcceptedChange:
        """One record; KeyError if absent, ValueError or sqlite3.Error if it cannot be read
        (a record altered by hand may no longer decode), so an auditor can name it."""
        row = self._db.execute(
            f"SELECT {_ACCEPTED_COLUMNS} FROM accepted WHERE number = ?", (number,)
        ).fetchone()
        if row is None:
            raise KeyError(number)
        return _change(row)

    # checkpoints and rewinding -------------------------------------------------------------

    def add_checkpoint(self, generation: int, state: dict[str, Any], created_at: float) -> None:
        """Record the state at the end of `generation`. It supersedes the ones before (tens of
        kilobytes each): a resumed run needs only the last."""
        self._db.execute("DELETE FROM checkpoints WHERE generation < ?", (generation,))
        self._db.execute(
            "INSERT OR REPLACE INTO checkpoints (generation, state, created_at) VALUES (?, ?, ?)",
            (generation, json.dumps(state, sort_keys=True, allow_nan=False), created_at),
        )

    def last_checkpoint(self) -> tuple[int, dict[str, Any]] | None:
        row = self._db.execute(
            "SELECT generation, state FROM checkpoints ORDER BY generation DESC LIMIT 1"
        ).fetchone()
        return None if row is None else (int(row[0]), json.loads(row[1]))

    def stored_evaluations(self) -> list[tuple[str, str, str, Evaluation]]:
        """(variant hash, its source, suite, evaluation) for every evaluation, in the order
        recorded: what a resumed run's cache is rebuilt from."""
        rows = self._db.execute(
            "SELECT e.variant, v.source, e.suite, e.detail"
            " FROM evaluations e JOIN variants v ON v.hash = e.variant ORDER BY e.id"
        ).fetchall()
        from sandbox import Evaluation

        return [
            (str(digest), str(source), str(suite), Evaluation.from_dict(json.loads(detail)))
            for digest, source, suite, detail in rows
        ]

    def rewind(self, generation: int, forget: Sequence[str] = ()) -> int:
        """Delete everything recorded after `generation` (-1: everything but the
        configuration) and the config keys `forget`, in one transaction; the number of
        evaluations dropped. A resumed run redoes the generations after its checkpoint, and
        they must find the store as the checkpoint left it."""
        with self.transaction():
            dropped = self._db.execute(
                "DELETE FROM evaluations WHERE generation > ?", (generation,)
            ).rowcount
            for table in ("accepted", "checkpoints"):
                self._db.execute(f"DELETE FROM {table} WHERE generation > ?", (generation,))
            # Variants are written with their evaluations; drop those nothing refers to now.
            self._db.execute(
                "DELETE FROM variants WHERE hash NOT IN (SELECT variant FROM evaluations)"
                " AND hash NOT IN (SELECT parent FROM accepted)"
                " AND hash NOT IN (SELECT child FROM accepted)"
            )
            self._db.executemany("DELETE FROM config WHERE key = ?", [(key,) for key in forget])
        return int(dropped)

    # reviews -------------------------------------------------------------------------------

    def add_review(self, review: Review) -> None:
        self._db.execute(
            "INSERT INTO reviews (number, decision, decided_at, who) VALUES (?, ?, ?, ?)",
            (review.number, review.decision, review.decided_at, review.who),
        )

    def reviews(self) -> list[Review]:
        """Every decision, oldest first."""
        rows = self._db.execute(
            "SELECT number, decision, decided_at, who FROM reviews ORDER BY id"
        ).fetchall()
        return [Review(int(n), str(d), float(at), str(who)) for n, d, at, who in rows]


def _change(row: Sequence[Any]) -> AcceptedChange:
    return AcceptedChange(
        number=row[0],
        generation=row[1],
        evaluations=row[2],
        parent=row[3],
        child=row[4],
        patch=row[5],
        operators=tuple(json.loads(row[6])),
        diff=row[7],
        fitness_before=row[8],
        fitness_after=row[9],
        tests_gained=tuple(json.loads(row[10])),
        created_at=row[11],
        edits=row[12],
        evidence=row[13],
        layers=tuple(json.loads(row[14])),
        engine_version=row[15],
        prev_hash=row[16],
        hash=row[17],
    )
