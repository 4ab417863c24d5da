"""Run one program against one test suite under resource limits.

The sandbox knows nothing about evolution: it takes source text, a suite and limits, and
returns an `Evaluation`. It never imports `evolve`.
"""

from sandbox.compare import outputs_equal
from sandbox.evaluation import (
    Case,
    CaseSuite,
    Evaluation,
    Limits,
    PytestSuite,
    Status,
    Suite,
    TestOutcome,
)
from sandbox.process import evaluate

__all__ = [
    "Case",
    "CaseSuite",
    "Evaluation",
    "Limits",
    "PytestSuite",
    "Status",
    "Suite",
    "TestOutcome",
    "evaluate",
    "outputs_equal",
]
