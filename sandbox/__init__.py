"""Run one program against one test suite under resource limits.

The sandbox knows nothing about evolution: it takes source text (or a program of several
files), a suite and limits, and returns an `Evaluation`. It never imports `evolve`.

Two modes with one `evaluate` signature:
- `evaluate` (module level): a fresh interpreter per call. Slow (~35 ms) and dependable; no
  state, nothing to close.
- `ForkServer`: a pool of warm workers that fork a child per call, with every isolation layer
  this machine gives (`probe_layers` says which). A few ms per call; close it when done.
`make_sandbox("fork" | "process")` returns either behind the same `.evaluate`.
"""

from sandbox.arguments import check_arguments
from sandbox.compare import outputs_equal
from sandbox.evaluation import (
    Case,
    CasePlan,
    CaseSuite,
    Evaluation,
    Limits,
    PytestSuite,
    Status,
    Suite,
    TestOutcome,
    TestPlan,
)
from sandbox.fork.layers import ALWAYS as ALWAYS_LAYERS
from sandbox.fork.layers import LayerReport
from sandbox.fork.server import ForkServer, probe_layers
from sandbox.modes import ProcessSandbox, Sandbox, make_sandbox
from sandbox.process import evaluate
from sandbox.program_files import ProgramSource, check_name
from sandbox.suite_files import SuiteFiles, check_suite_name, read_suite_files, write_suite_files

__all__ = [
    "ALWAYS_LAYERS",
    "Case",
    "CasePlan",
    "CaseSuite",
    "Evaluation",
    "ForkServer",
    "LayerReport",
    "Limits",
    "ProcessSandbox",
    "ProgramSource",
    "PytestSuite",
    "Sandbox",
    "Status",
    "Suite",
    "SuiteFiles",
    "TestOutcome",
    "TestPlan",
    "check_arguments",
    "check_name",
    "check_suite_name",
    "evaluate",
    "make_sandbox",
    "outputs_equal",
    "probe_layers",
    "read_suite_files",
    "write_suite_files",
]
