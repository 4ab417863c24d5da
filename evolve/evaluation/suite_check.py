"""Refusing a pytest suite that cannot judge the program at all, before any search.

A test module that cannot be collected, a fixture no conftest defines or a selection that
leaves no test would make every variant fail alike: the search would climb nothing. The
seed's evaluation says so (`Evaluation.suite_error`), and the run stops there with one line
naming the file and the error.
"""

from __future__ import annotations

from evolve.errors import UsageError
from evolve.task import TASK_FILE, Task
from sandbox import Evaluation, PytestSuite, Suite


def refuse_unusable(task: Task, suite: Suite | None, evaluation: Evaluation | None) -> None:
    """UsageError naming the file and the problem when `evaluation` of `suite` (the seed's)
    shows the suite cannot be used."""
    if not isinstance(suite, PytestSuite) or evaluation is None or not evaluation.suite_error:
        return
    error = evaluation.suite_error
    if error.startswith("no tests selected"):
        key = "holdout_pytest" if suite is task.holdout else "pytest"
        raise UsageError(f"{task.directory / TASK_FILE}: [tests] {key}: {error}")
    raise UsageError(f"{task.directory / error}")
