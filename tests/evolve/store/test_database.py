"""The run store keeps configuration, evaluations and accepted changes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from evolve.errors import RunStateError
from evolve.store.database import (
    DATABASE,
    SCHEMA_VERSION,
    AcceptedChange,
    RunStore,
    schema_version,
)
from sandbox import Evaluation, Status, TestOutcome


def test_round_trips_everything(tmp_path: Path) -> None:
    store = RunStore.create(tmp_path / "run")
    store.set_config(seed=3, task_name="t", settings={"population": "40"})
    evaluation = Evaluation(
        status=Status.FAILED,
        tests=(TestOutcome("a", "passed"), TestOutcome("b", "failed", "expected 1, got 2")),
        cpu_s=0.01,
        layers=("rlimits",),
        cost=12,
    )
    with store.transaction():
        store.add_variant("h1", "x = 1\n", "[]")
        store.add_variant("h2", "x = 2\n", '[["integer-constant", "body[0]", 2]]')
        store.add_evaluation("h1", "search", 0, evaluation)
    change = AcceptedChange(
        1, 1, 10, "h1", "h2", "[]", ("integer-constant",), "diff\n", "1/2", "2/2", ("b",), 123.0
    )
    with store.transaction():
        store.add_accepted(change)
    store.close()

    again = RunStore.open(tmp_path / "run")
    assert again.config() == {"seed": 3, "task_name": "t", "settings": {"population": "40"}}
    assert again.variant_source("h2") == "x = 2\n"
    assert again.evaluation("h1", "search") == evaluation
    assert again.evaluation("h1", "holdout") is None
    assert again.status_counts() == {"failed": 1}
    assert again.accepted() == [change]
    again.close()


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    store = RunStore.create(tmp_path / "run")
    with pytest.raises(RuntimeError), store.transaction():
        store.add_variant("h1", "x = 1\n", "[]")
        raise RuntimeError("crash mid-generation")
    with pytest.raises(KeyError):
        store.variant_source("h1")
    store.close()


def test_open_missing_run(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        RunStore.open(tmp_path)


# The first release's layout, as an unversioned database holds it: `accepted` without the
# audit columns, and a `lineage` table that nothing writes any more.
UNVERSIONED = """
CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE variants (hash TEXT PRIMARY KEY, source TEXT NOT NULL, patch TEXT NOT NULL);
CREATE TABLE evaluations (
    id INTEGER PRIMARY KEY, variant TEXT NOT NULL, suite TEXT NOT NULL,
    generation INTEGER NOT NULL, status TEXT NOT NULL, passed INTEGER NOT NULL,
    total INTEGER NOT NULL, cost INTEGER, cpu_s REAL NOT NULL, wall_s REAL NOT NULL,
    detail TEXT NOT NULL, UNIQUE (variant, suite)
);
CREATE TABLE lineage (
    child TEXT NOT NULL, parent TEXT NOT NULL, generation INTEGER NOT NULL,
    origin TEXT NOT NULL, PRIMARY KEY (child, parent)
);
CREATE TABLE accepted (
    number INTEGER PRIMARY KEY, generation INTEGER NOT NULL, evaluations INTEGER NOT NULL,
    parent TEXT NOT NULL, child TEXT NOT NULL, patch TEXT NOT NULL, operators TEXT NOT NULL,
    diff TEXT NOT NULL, fitness_before TEXT NOT NULL, fitness_after TEXT NOT NULL,
    tests_gained TEXT NOT NULL, created_at REAL NOT NULL
);
INSERT INTO config VALUES ('seed', '3');
INSERT INTO variants VALUES ('h1', 'x = 1\n', '[]'), ('h2', 'x = 2\n', '[]');
INSERT INTO lineage VALUES ('h2', 'h1', 1, 'mutation');
INSERT INTO accepted VALUES
    (1, 1, 10, 'h1', 'h2', '[]', '["integer-constant"]', 'diff', '1/2', '2/2', '["b"]', 5.0);
"""


def test_a_new_database_is_at_the_current_schema_version(tmp_path: Path) -> None:
    RunStore.create(tmp_path / "run").close()
    with sqlite3.connect(tmp_path / "run" / DATABASE) as db:
        assert schema_version(db) == SCHEMA_VERSION


def test_an_unversioned_database_opens_and_is_migrated(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    with sqlite3.connect(tmp_path / "run" / DATABASE) as db:
        db.executescript(UNVERSIONED)
        assert schema_version(db) == 0
    store = RunStore.open(tmp_path / "run")
    [change] = store.accepted()
    assert (change.number, change.child, change.operators) == (1, "h2", ("integer-constant",))
    assert (change.edits, change.evidence, change.hash) == ("[]", "{}", "")  # unsealed
    assert store.config() == {"seed": 3}
    assert store.last_checkpoint() is None and store.reviews() == []  # tables it lacked
    with store.transaction():
        store.add_checkpoint(1, {"generation": 1}, 6.0)
    assert store.rewind(0) == 0 and store.accepted() == []
    store.close()
    with sqlite3.connect(tmp_path / "run" / DATABASE) as db:
        assert schema_version(db) == SCHEMA_VERSION
        assert db.execute("SELECT COUNT(*) FROM lineage").fetchone() == (1,)  # left alone
    RunStore.open(tmp_path / "run").close()  # already migrated: opens as it is


def test_a_database_from_a_newer_engine_is_refused(tmp_path: Path) -> None:
    RunStore.create(tmp_path / "run").close()
    with sqlite3.connect(tmp_path / "run" / DATABASE) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RunStateError, match=f"schema version {SCHEMA_VERSION + 1} is newer"):
        RunStore.open(tmp_path / "run")
