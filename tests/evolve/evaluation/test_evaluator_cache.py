"""The evaluation cache keys on the normalised source: comments and layout do not count."""

from __future__ import annotations

from pathlib import Path

from evolve.evaluation.evaluator import (
    Evaluator,
    Variant,
    _file_hash,
    normalised_hash,
    source_hash,
)
from evolve.run import read_program
from evolve.store.database import RunStore
from evolve.task import load_task
from sandbox import Evaluation, Limits, Status, Suite
from tests.doubles import SerialExecutor


class CountingSandbox:
    def __init__(self) -> None:
        self.sources: list[str] = []

    def evaluate(self, source: str, suite: Suite, limits: Limits, **kwargs: object) -> Evaluation:
        self.sources.append(source)
        return Evaluation(status=Status.OK)

    def close(self) -> None:
        pass


def test_normalised_hash_ignores_comments_and_layout() -> None:
    plain = "def f(x):\n    return x + 1\n"
    noisy = "# a comment\ndef f( x ):\n\n    return (x + 1)  # why\n"
    assert normalised_hash(plain) == normalised_hash(noisy)
    assert normalised_hash(plain) != normalised_hash("def f(x):\n    return x + 2\n")
    assert normalised_hash("def f(:\n") != normalised_hash("def g(:\n")  # no parse: exact text


def test_sources_differing_only_in_comments_run_once(add_task: Path, tmp_path: Path) -> None:
    task = load_task(add_task)
    program = read_program(task)
    store = RunStore.create(tmp_path / "run")
    sandbox = CountingSandbox()
    evaluator = Evaluator(task, program, store, SerialExecutor(), sandbox)  # type: ignore[arg-type]
    other = "# reformatted\n" + program.source.replace("a - b", "(a - b)  # sic")
    variants = [evaluator.variant(()), Variant((), other, source_hash(other))]
    first, second = evaluator.evaluate(variants, 1, 10)
    try:
        assert store.variant_source(variants[0].digest) == program.source
    finally:
        store.close()
    assert sandbox.sources == [program.source]
    assert first is second
    assert evaluator.evaluations == 1 and evaluator.cache_hits == 1
    assert evaluator.cache_hit_rate == 0.5
    assert variants[0].digest != variants[1].digest  # identity stays the exact source


def test_a_package_variant_parses_only_the_files_that_changed() -> None:
    files = {f"pkg/m{i}.py": f"def f{i}(x):\n    return x + {i}\n" for i in range(5)}
    noisy = {**files, "pkg/m3.py": "# why\ndef f3( x ):\n    return (x + 3)\n"}
    changed = {**files, "pkg/m3.py": "def f3(x):\n    return x - 3\n"}
    assert normalised_hash(files) == normalised_hash(noisy) != normalised_hash(changed)
    assert normalised_hash(files) != normalised_hash({**files, "pkg/m9.py": files["pkg/m0.py"]})
    # The unchanged files' hashes are remembered: a sixth variant parses its one new file.
    misses = _file_hash.cache_info().misses
    normalised_hash({**files, "pkg/m1.py": "def f1(x):\n    return 1\n"})
    assert _file_hash.cache_info().misses == misses + 1
