"""One interface over both modes, so the engine can offer `--sandbox fork|process`."""

from __future__ import annotations

from types import TracebackType
from typing import Literal, Protocol

from sandbox.evaluation import Evaluation, Limits, Suite
from sandbox.fork.server import ForkServer
from sandbox.process import evaluate
from sandbox.program_files import ProgramSource


class Sandbox(Protocol):
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
    ) -> Evaluation: ...

    def close(self) -> None: ...


class ProcessSandbox:
    """The fresh-process mode behind the pool's interface; there is nothing to close."""

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
        return evaluate(
            source,
            suite,
            limits,
            module_name=module_name,
            measure_cost=measure_cost,
            measure_coverage=measure_coverage,
            record_calls=record_calls,
        )

    def close(self) -> None:
        return None

    def __enter__(self) -> ProcessSandbox:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def make_sandbox(mode: Literal["fork", "process"], *, workers: int | None = None) -> Sandbox:
    if mode == "fork":
        return ForkServer(workers)
    if mode == "process":
        return ProcessSandbox()
    raise ValueError(f"unknown sandbox mode {mode!r}: use 'fork' or 'process'")
