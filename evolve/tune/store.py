"""A tuning run's store: the run store (configuration, checkpoints, one SQLite file in WAL
mode) with two tables of its own, every setting tried and every bench run behind its score.

`trials` holds one row per setting scored: on the training tasks during the search (split
`train`), and the defaults and the tuned setting on the held-out tasks at the end (split
`held-out`). `trial_runs` holds each bench run's outcome. A trial and its runs are written in
one transaction; a generation ends with its checkpoint, and a resumed tuning run drops what
the generation in flight had written (`rewind`), as a resumed run does.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from evolve.bench import Outcome
from evolve.errors import RunStateError
from evolve.store.database import RunStore
from evolve.tune.scoring import Score

TRAIN, HELD_OUT = "train", "held-out"
KIND = "tune"  # the `kind` a tuning run records in its configuration

_TABLES = (
    """\
CREATE TABLE IF NOT EXISTS trials (
    id INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL,     -- the tuning generation that scored it
    split TEXT NOT NULL,             -- 'train' or 'held-out'
    label TEXT NOT NULL,             -- 'trial', or on the held-out tasks 'default' / 'tuned'
    key TEXT NOT NULL,               -- the settings as canonical JSON
    genome TEXT NOT NULL,            -- JSON list of gene indices
    score TEXT NOT NULL,             -- JSON (evolve.tune.scoring.Score)
    created_at REAL NOT NULL
)
""",
    """\
CREATE TABLE IF NOT EXISTS trial_runs (
    id INTEGER PRIMARY KEY,
    trial INTEGER NOT NULL REFERENCES trials(id),
    generation INTEGER NOT NULL,
    task TEXT NOT NULL,
    seed INTEGER NOT NULL,
    solved INTEGER NOT NULL,
    evaluations INTEGER NOT NULL,
    outcome TEXT NOT NULL            -- JSON (evolve.bench.Outcome)
)
""",
)


@dataclass(frozen=True)
class Trial:
    id: int
    generation: int
    split: str
    label: str
    key: str
    genome: tuple[int, ...]
    score: Score

    @property
    def settings(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.key)
        return data


class TuneStore(RunStore):
    @classmethod
    def create(cls, run_dir: Path) -> TuneStore:
        store = super().create(run_dir)
        assert isinstance(store, TuneStore)
        store._tables()
        return store

    @classmethod
    def open(cls, run_dir: Path) -> TuneStore:
        store = super().open(run_dir)
        assert isinstance(store, TuneStore)
        store._tables()
        return store

    def _tables(self) -> None:
        for statement in _TABLES:
            self._db.execute(statement)

    def add_trial(
        self,
        generation: int,
        split: str,
        label: str,
        key: str,
        genome: Sequence[int],
        score: Score,
        outcomes: Sequence[Outcome],
    ) -> int:
        """Record a scored setting and its runs, all or nothing; the trial's id."""
        with self.transaction():
            cursor = self._db.execute(
                "INSERT INTO trials (generation, split, label, key, genome, score, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    generation,
                    split,
                    label,
                    key,
                    json.dumps(list(genome)),
                    json.dumps(score.to_json(), sort_keys=True),
                    time.time(),
                ),
            )
            trial = int(cursor.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO trial_runs"
                " (trial, generation, task, seed, solved, evaluations, outcome)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        trial,
                        generation,
                        o.task,
                        o.seed,
                        int(o.solved),
                        o.evaluations,
                        json.dumps(asdict(o), sort_keys=True),
                    )
                    for o in outcomes
                ],
            )
        return trial

    def trials(self, split: str | None = None) -> list[Trial]:
        query = "SELECT id, generation, split, label, key, genome, score FROM trials"
        rows = (
            self._db.execute(query + " ORDER BY id").fetchall()
            if split is None
            else self._db.execute(query + " WHERE split = ? ORDER BY id", (split,)).fetchall()
        )
        return [
            Trial(
                int(row[0]),
                int(row[1]),
                str(row[2]),
                str(row[3]),
                str(row[4]),
                tuple(int(i) for i in json.loads(row[5])),
                Score.from_json(json.loads(row[6])),
            )
            for row in rows
        ]

    def trial_outcomes(self, trial: int) -> list[Outcome]:
        rows = self._db.execute(
            "SELECT outcome FROM trial_runs WHERE trial = ? ORDER BY id", (trial,)
        ).fetchall()
        return [Outcome(**json.loads(row[0])) for row in rows]

    def rewind_trials(self, generation: int, forget: Sequence[str] = ()) -> int:
        """Delete every trial, run and checkpoint after `generation` and the config keys
        `forget`, in one transaction; the number of trials dropped."""
        with self.transaction():
            self._db.execute("DELETE FROM trial_runs WHERE generation > ?", (generation,))
            dropped = self._db.execute(
                "DELETE FROM trials WHERE generation > ?", (generation,)
            ).rowcount
            self._db.execute("DELETE FROM checkpoints WHERE generation > ?", (generation,))
            self._db.executemany("DELETE FROM config WHERE key = ?", [(key,) for key in forget])
        return int(dropped)


def is_tuning_run(run_dir: Path) -> bool:
    """Whether `run_dir` holds a tuning run (its configuration says so). Read-only, and
    False for whatever cannot be read: what it is then is for the run's reader to say."""
    try:
        store = RunStore.read(run_dir)
    except (OSError, sqlite3.Error, RunStateError):
        return False
    try:
        return store.config().get("kind") == KIND
    except (sqlite3.Error, ValueError, RunStateError):
        return False
    finally:
        store.close()
