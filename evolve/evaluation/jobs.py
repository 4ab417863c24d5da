"""One evaluation as plain data, so it can run wherever an executor sends it.

A job holds everything a sandbox needs and nothing that lives only in the engine's process:
the source, the suite (with a pytest file's text, since its path means nothing on another
machine), the limits, the module name, whether to measure cost and which sandbox mode to use.
It pickles, so a Dask worker can run it; the engine keeps the cache, the forbid checks and the
store, so a denied variant never becomes a job.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from sandbox import (
    Evaluation,
    Limits,
    ProgramSource,
    PytestSuite,
    Sandbox,
    Suite,
    make_sandbox,
)

SandboxMode = Literal["fork", "process"]


@dataclass(frozen=True)
class EvaluationJob:
    source: ProgramSource  # one module's text, or a program's files by relative path
    suite: Suite
    limits: Limits
    module_name: str
    measure_cost: bool = False
    sandbox: SandboxMode = "fork"
    # (file name, text) of a pytest suite's file; empty for case suites.
    test_files: tuple[tuple[str, str], ...] = ()

    def run(self, sandbox: Sandbox) -> Evaluation:
        """Evaluate in `sandbox`, with the suite as given (its paths valid in this process)."""
        return sandbox.evaluate(
            self.source,
            self.suite,
            self.limits,
            module_name=self.module_name,
            measure_cost=self.measure_cost,
        )


def portable_files(suite: Suite) -> tuple[tuple[str, str], ...]:
    """The files a suite needs beside the variant, as text that travels with a job."""
    if isinstance(suite, PytestSuite):
        return ((suite.test_file.name, suite.test_file.read_text(encoding="utf-8")),)
    return ()


class LazySandbox:
    """A sandbox of one mode, started on first use: a run whose evaluations all go to a
    cluster never starts local workers, and a worker process that is never sent work of a
    mode never starts that mode's workers."""

    def __init__(self, mode: SandboxMode, workers: int | None = None) -> None:
        self.mode: SandboxMode = mode
        self._workers = workers
        self._sandbox: Sandbox | None = None
        self._lock = threading.Lock()
        self._closed = False

    def _get(self) -> Sandbox:
        with self._lock:
            if self._closed:
                raise RuntimeError("the sandbox is closed")
            if self._sandbox is None:
                self._sandbox = make_sandbox(self.mode, workers=self._workers)
            return self._sandbox

    def evaluate(
        self,
        source: ProgramSource,
        suite: Suite,
        limits: Limits,
        *,
        module_name: str = "variant",
        measure_cost: bool = False,
    ) -> Evaluation:
        return self._get().evaluate(
            source, suite, limits, module_name=module_name, measure_cost=measure_cost
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            sandbox, self._sandbox = self._sandbox, None
        if sandbox is not None:
            sandbox.close()


class JobRunner:
    """Runs jobs that came from elsewhere: one sandbox per mode for the whole process, and a
    scratch directory where each job's test files are written once, by content."""

    def __init__(self, workers: int | None = None) -> None:
        self._workers = workers
        self._sandboxes: dict[str, LazySandbox] = {}
        self._lock = threading.Lock()
        self._scratch = tempfile.mkdtemp(prefix="evolve-jobs-")

    def run(self, job: EvaluationJob) -> Evaluation:
        with self._lock:
            sandbox = self._sandboxes.get(job.sandbox)
            if sandbox is None:
                sandbox = self._sandboxes[job.sandbox] = LazySandbox(job.sandbox, self._workers)
        return self.localise(job).run(sandbox)

    def localise(self, job: EvaluationJob) -> EvaluationJob:
        """The job with its pytest suite pointing at a copy of the file in this process."""
        if not isinstance(job.suite, PytestSuite):
            return job
        [(name, text)] = job.test_files
        folder = Path(self._scratch) / hashlib.sha256(f"{name}\0{text}".encode()).hexdigest()
        path = folder / os.path.basename(name)
        with self._lock:
            if not path.is_file():
                folder.mkdir(exist_ok=True)
                path.write_text(text, encoding="utf-8")
        return replace(job, suite=replace(job.suite, test_file=path))

    def close(self) -> None:
        with self._lock:
            sandboxes = list(self._sandboxes.values())
            self._sandboxes.clear()
        for sandbox in sandboxes:
            sandbox.close()
        shutil.rmtree(self._scratch, ignore_errors=True)
