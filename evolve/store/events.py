"""The run's event log: `events.jsonl` in the run directory, one JSON object a line.

Append-only and flushed per event, so `tail -f` shows a run as it happens and a run that
dies still leaves every event up to the moment it died. Every line has `time` (Unix seconds)
and `type`: run_started, generation_finished, change_accepted, holdout_rejected, run_stopped;
`evolve apply` and `rollback` add verify_command (`[review] verify`).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from evolve.store.database import AcceptedChange

EVENTS_FILE = "events.jsonl"


class EventLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: TextIO = path.open("a", encoding="utf-8")

    def emit(self, type_: str, **fields: Any) -> None:
        line = json.dumps({"time": round(time.time(), 6), "type": type_, **fields}, default=str)
        self._file.write(line + "\n")
        self._file.flush()

    def accepted(self, change: AcceptedChange) -> None:
        self.emit("change_accepted", **asdict(change))

    def close(self) -> None:
        self._file.close()
