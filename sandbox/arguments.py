"""What a caller of `evaluate` must get right, checked before anything runs.

These are the caller's mistakes, not the variant's: a module name that is no identifier or
would shadow a module the harness imports, program files that would, a malformed suite. Both
modes raise ValueError or TypeError for them; anything the variant does is an `Evaluation`.
"""

from __future__ import annotations

import keyword
import sys

from sandbox.evaluation import CaseSuite, PytestSuite, Suite
from sandbox.program_files import ProgramSource, check_files, compile_files
from sandbox.suite_files import check_suite_name


def check_compiles(source: ProgramSource, module_name: str) -> None:
    if isinstance(source, str):
        compile(source, f"{module_name}.py", "exec", dont_inherit=True)
    else:
        compile_files(source)


def check_arguments(suite: Suite, module_name: str, source: ProgramSource = "") -> None:
    parts = module_name.split(".")
    if not all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
        raise ValueError(f"module_name {module_name!r} is not a Python identifier")
    if parts[0] in sys.stdlib_module_names or parts[0] in ("pytest", "_pytest"):
        raise ValueError(f"module_name {module_name!r} would shadow a module the harness uses")
    if isinstance(source, str):
        if len(parts) > 1:
            raise ValueError(f"module_name {module_name!r}: a single source is a plain module")
    else:
        check_files(source, module_name)
        tops = {name.split("/")[0].removesuffix(".py") for name in source}
        clashes = {top for top in tops if top in sys.stdlib_module_names or "pytest" in top}
        if isinstance(suite, PytestSuite):
            clashes |= set(suite.files) & set(source)
        if clashes:
            raise ValueError(f"program files would shadow the harness's modules: {sorted(clashes)}")
    if isinstance(suite, CaseSuite):
        if suite.float_tolerance < 0:
            raise ValueError("float_tolerance must not be negative")
        if suite.plan is not None:
            suite.plan.check(len(suite.cases))
    elif isinstance(suite, PytestSuite):
        _check_pytest_suite(suite, module_name)
    else:
        raise TypeError(f"not a suite: {suite!r}")


def _check_pytest_suite(suite: PytestSuite, module_name: str) -> None:
    for name in suite.files:
        check_suite_name(name)
    reserved = {f"{module_name.replace('.', '/')}.py"}
    if suite.config is None:
        reserved.add("pytest.ini")  # the harness writes one
    elif suite.config not in suite.files:
        raise ValueError(f"the pytest configuration {suite.config!r} is not among the files")
    clashes = reserved & set(suite.files)
    if clashes:
        raise ValueError(f"test file name {sorted(clashes)[0]!r} clashes with the variant")
    if not suite.targets:
        raise ValueError("a pytest suite needs at least one target")
    for target in suite.targets:
        check_suite_name(target)
        inside = target + "/"
        if target not in suite.files and not any(n.startswith(inside) for n in suite.files):
            raise ValueError(f"pytest target {target!r} is none of the suite's files")
