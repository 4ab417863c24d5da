"""`[search] forbid`: what a variant introduces is denied before it runs; the seed's own uses
are allowed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from evolve.errors import UsageError
from evolve.evaluation.constraints import Allowed, Forbidden
from evolve.evaluation.evaluator import Evaluator, Variant, source_hash
from evolve.run import RunRequest, read_program, start_run
from evolve.store.database import RunStore
from evolve.task import load_task
from sandbox import Evaluation, Limits, Status, Suite
from tests.doubles import SerialExecutor

TaskFactory = Callable[..., Path]

SEED = "def f(x):\n    return x + 1\n"
SEED_WITH_OPEN = "def f(path):\n    return open(path).read()\n"


@pytest.mark.parametrize(
    ("forbid", "variant"),
    [
        ("os", "import os\ndef f(x):\n    return x\n"),
        ("os", "import os.path\ndef f(x):\n    return x\n"),
        ("os", "from os import path\ndef f(x):\n    return x\n"),
        ("os", "from os.path import join\ndef f(x):\n    return x\n"),
        ("os.system", "from os import system\ndef f(x):\n    return x\n"),
        ("os.system", "import os\ndef f(x):\n    return os.system(x)\n"),
        ("system", "def f(x):\n    return x.system()\n"),
        ("system", "from os import system\ndef f(x):\n    return x\n"),
        ("subprocess", "import subprocess as s\ndef f(x):\n    return x\n"),
        ("eval", "def f(x):\n    return eval(x)\n"),
        ("eval", "def f(x):\n    return getattr(__builtins__, 'eval')(x)\n"),
        ("__import__", "def f(x):\n    return __import__('os')\n"),
        ("os", "def f(x):\n    return __import__('os')\n"),
        ("open", "def f(x):\n    g = open\n    return x\n"),
    ],
)
def test_introducing_a_forbidden_name_is_denied(forbid: str, variant: str) -> None:
    denied = Forbidden((forbid,), SEED).check(variant)
    assert denied is not None
    assert denied.status is Status.DENIED
    assert denied.message == f"introduces forbidden {forbid}"


@pytest.mark.parametrize(
    ("forbid", "variant"),
    [
        ("os", "def f(x):\n    return x + 2\n"),
        ("os", "def f(osx):\n    return osx\n"),  # a longer name is another name
        ("os.system", "import os.path\ndef f(x):\n    return x\n"),
        ("eval", "def f(x):\n    return 'evaluate'\n"),
        ("os", "from . import os_helpers\ndef f(x):\n    return x\n"),
        ("eval", "def f(x) return\n"),  # does not parse: the sandbox reports it invalid
    ],
)
def test_other_code_may_run(forbid: str, variant: str) -> None:
    assert Forbidden((forbid,), SEED).check(variant) is None


def test_the_seeds_own_uses_are_allowed_but_not_more() -> None:
    forbidden = Forbidden(("open",), SEED_WITH_OPEN)
    assert forbidden.check(SEED_WITH_OPEN) is None
    assert forbidden.check("def f(path):\n    return open(path).read().strip()\n") is None
    copied = "def f(path):\n    open(path)\n    return open(path).read()\n"
    assert forbidden.check(copied) is not None


def test_a_string_the_seed_holds_is_no_trick() -> None:
    seed = "def f(x):\n    return {'eval': x}\n"
    forbidden = Forbidden(("eval",), seed)
    assert forbidden.check("def f(x):\n    return {'eval': x + 1}\n") is None


def test_nothing_forbidden_checks_nothing() -> None:
    assert Forbidden((), SEED).check("import os\n") is None


class CountingSandbox:
    def __init__(self) -> None:
        self.sources: list[str] = []

    def evaluate(self, source: str, suite: Suite, limits: Limits, **kwargs: object) -> Evaluation:
        self.sources.append(source)
        return Evaluation(status=Status.OK)

    def close(self) -> None:
        pass


def forbid(task: Path, names: list[str]) -> None:
    toml = task / "task.toml"
    toml.write_text(toml.read_text() + f"forbid = {json.dumps(names)}\n")


def test_a_denied_variant_never_reaches_the_sandbox(add_task: Path, tmp_path: Path) -> None:
    forbid(add_task, ["os"])
    task = load_task(add_task)
    program = read_program(task)
    store = RunStore.create(tmp_path / "run")
    sandbox = CountingSandbox()
    evaluator = Evaluator(task, program, store, SerialExecutor(), sandbox)  # type: ignore[arg-type]
    source = "import os\n" + program.source
    bad = Variant((), source, source_hash(source))
    [seed, denied] = evaluator.evaluate([evaluator.variant(()), bad], 1, 10)
    store.close()
    assert seed is not None and seed.status is Status.OK
    assert denied is not None and denied.status is Status.DENIED
    assert sandbox.sources == [program.source]


def test_a_run_counts_denied_variants(add_task: Path, tmp_path: Path) -> None:
    # The seed reads `a` once; `return a - a` and friends introduce a second use.
    forbid(add_task, ["a"])
    summary = start_run(
        RunRequest(add_task, seed=1, budget=300, runs_dir=tmp_path), _Quiet(), SerialExecutor()
    )
    assert summary.denied > 0
    assert summary.statuses["denied"] == summary.denied
    store = RunStore.open(Path(summary.run_dir))
    try:
        accepted = store.accepted()
    finally:
        store.close()
    assert all("a - a" not in change.diff for change in accepted)


def test_forbid_must_be_names(make_task: TaskFactory, tmp_path: Path) -> None:
    task = make_task(tmp_path / "t", SEED, "f", [([1], 2)])
    toml = task / "task.toml"
    toml.write_text(toml.read_text() + 'forbid = ["os", "not a name"]\n')
    with pytest.raises(UsageError, match=r"\[search\] forbid"):
        load_task(task)


class _Quiet:
    def generation(self, stats: object) -> None:
        pass

    def accepted(self, change: object) -> None:
        pass


# -- only what the seed uses (pytest tasks) ------------------------------------------------

SEED = (
    "import math\n\n\ndef f(xs):\n    total = 0\n    for x in xs:\n"
    "        total += math.floor(x)\n    return total\n"
)


@pytest.mark.parametrize(
    ("variant", "introduced"),
    [
        (
            "class A:\n    def __eq__(self, o):\n        return True\n\n\n"
            "def f(xs):\n    return A()\n",
            "dunder __eq__",
        ),
        ("import sys\n\n\ndef f(xs):\n    return sys._getframe(1).f_locals\n", "module sys"),
        ("def f(xs):\n    return open('test_x.py').read()\n", "name open"),
        ("def f(xs):\n    return xs.__class__\n", "dunder __class__"),
        ("def f(xs):\n    return getattr(xs, '__len__')()\n", "name getattr"),
        ("def f(xs):\n    return (x for x in xs).gi_frame.f_back\n", "attribute f_back"),
        ("import os\n\n\ndef f(xs):\n    os.write(3, b'{}')\n", "module os"),
    ],
)
def test_a_pytest_variant_may_use_only_what_the_seed_uses(variant: str, introduced: str) -> None:
    refused = Allowed(SEED).check(variant)
    assert refused is not None and refused.status is Status.DENIED
    assert introduced in refused.message


@pytest.mark.parametrize(
    "variant",
    [
        SEED.replace("total += math.floor(x)", "total -= math.floor(x)"),
        SEED.replace(
            "    for x in xs:", "    hoisted = len(xs)\n    for x in xs:"
        ),  # a fresh local
        "import functools\nimport math\n\n\n@functools.cache\ndef f(xs):\n"
        "    return sum(math.floor(x) for x in xs)\n",
    ],
)
def test_what_operators_make_is_allowed(variant: str) -> None:
    assert Allowed(SEED).check(variant) is None


def test_a_task_may_allow_more() -> None:
    variant = "import sys\n\n\ndef f(xs):\n    return sys.maxsize\n"
    assert Allowed(SEED, ("sys", "maxsize")).check(variant) is None
