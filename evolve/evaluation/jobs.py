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
    SuiteFiles,
    make_sandbox,
    read_suite_files,
    write_suite_files,
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
    # (relative name, content) of a pytest suite's files; empty for case suites.
    test_files: SuiteFiles = ()
    measure_coverage: bool = False  # per case or test, the lines it ran
    record_calls: bool = False  # a pytest suite's calls of the program's functions

    def run(self, sandbox: Sandbox) -> Evaluation:
        """Evaluate in `sandbox`, with the suite as given (its paths valid in this process)."""
        if self.measure_coverage or self.record_calls:
            return sandbox.evaluate(
                self.source,
                self.suite,
                self.limits,
                module_name=self.module_name,
                measure_cost=self.measure_cost,
                measure_coverage=self.measure_coverage,
                record_calls=self.record_calls,
            )
        return sandbox.evaluate(
            self.source,
            self.suite,
            self.limits,
            module_name=self.module_name,
            measure_cost=self.measure_cost,
        )


def portable_files(suite: Suite | None) -> SuiteFiles:
    """The files a suite needs beside the variant (tests, conftests, configuration, data), as
    content that travels with a job: their paths mean nothing on another machine."""
    if isinstance(suite, PytestSuite):
        return read_suite_files(suite)
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
        measure_coverage: bool = False,
        record_calls: bool = False,
    ) -> Evaluation:
        return self._get().evaluate(
            source,
            suite,
            limits,
            module_name=module_name,
            measure_cost=measure_cost,
            measure_coverage=measure_coverage,
            record_calls=record_calls,
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
        """The job with its pytest suite pointing at a copy of its files in this process,
        written once per content."""
        if not isinstance(job.suite, PytestSuite):
            return job
        digest = hashlib.sha256()
        for name, data in job.test_files:
            digest.update(f"{len(name)}:{name}{len(data)}:".encode())
            digest.update(data)
        folder = Path(self._scratch) / digest.hexdigest()
        with self._lock:
            if not folder.is_dir():
                partial = Path(tempfile.mkdtemp(dir=self._scratch))
                write_suite_files(str(partial), job.test_files)
                os.rename(partial, folder)
        return replace(job, suite=replace(job.suite, test_file=None, root=folder))

    def close(self) -> None:
        with self._lock:
            sandboxes = list(self._sandboxes.values())
            self._sandboxes.clear()
        for sandbox in sandboxes:
            sandbox.close()
        shutil.rmtree(self._scratch, ignore_errors=True)
