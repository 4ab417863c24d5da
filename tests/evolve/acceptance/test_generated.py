"""Generated inputs: strategies inferred from the cases, drawn deterministically, checked."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from evolve.acceptance.generated import generate_inputs, infer, recorded_input_suite
from evolve.acceptance.overfitting import GeneratedCheck, differential_suite, input_suite
from evolve.evaluation.evaluator import Evaluator, Variant, source_hash
from evolve.run import read_program
from evolve.store.database import RunStore
from evolve.task import load_task
from sandbox import Case, Evaluation, Status
from tests.doubles import InProcessSandbox, SerialExecutor


def cases(*args: tuple[Any, ...]) -> list[Case]:
    return [Case(name=f"c{i}", args=a, expected=None) for i, a in enumerate(args)]


def test_infers_kinds_from_sample_values() -> None:
    assert infer([1, 5, 9]).kind == "int"
    assert infer([1.5, 2]).kind == "float"
    assert infer(["ab", "ba"]).kind == "str"
    assert infer([True, False]).kind == "bool"
    assert infer([[1, 2], [3]]).kind == "list[int]"
    assert infer([{"a": 1}, {}]).kind == "dict[int]"
    assert infer([None, 3]).kind == "int|none"


def test_generation_is_deterministic_and_new() -> None:
    sample = cases(([1, 3, 5], 4), ([2, 4, 6, 8], 1), ([], 0), ([0, 7, 9], 9))
    first = generate_inputs(sample, 20, run_seed=3)
    assert first == generate_inputs(sample, 20, run_seed=3)
    assert first != generate_inputs(sample, 20, run_seed=4)
    assert len(first) == 20
    known = {json.dumps([list(c.args), c.kwargs]) for c in sample}
    assert all(json.dumps([list(a), k]) not in known for a, k in first)


def test_inputs_keep_the_shape_of_the_cases() -> None:
    # Every observed list is sorted and no count is negative: generated ones are the same.
    sample = cases(([1, 3, 5], 4), ([2, 4, 6, 8], 1), ([0, 7, 9], 9))
    for args, kwargs in generate_inputs(sample, 30, run_seed=0):
        xs, target = args
        assert kwargs == {}
        assert xs == sorted(xs) and 3 <= len(xs) <= 4
        assert isinstance(target, int) and 0 <= target <= 10


def test_lists_that_are_records_are_drawn_position_by_position() -> None:
    # A cost tree, `[cost, [children]]`: pooled items would give `[6, 0]` or `[[2, []], 4]`.
    trees = [[6, [[2, []], [3, [[1, []]]]]], [4, []], [9, [[5, []]]]]
    assert infer(trees).kind == "record[int, list[record[int, list[record[int, list]]]]]"

    def well_formed(tree: Any, depth: int = 0) -> bool:
        return (
            isinstance(tree, list)
            and len(tree) == 2
            and isinstance(tree[0], int)
            and isinstance(tree[1], list)
            and depth <= 3
            and all(well_formed(child, depth + 1) for child in tree[1])
        )

    drawn = generate_inputs(cases(*((tree,) for tree in trees)), 30, run_seed=1)
    assert len(drawn) == 30
    assert all(well_formed(args[0]) for args, _ in drawn)
    # Pairs keep their positions' kinds; tuples stay tuples. Lists of one kind of item, or of
    # lengths that vary, are not records.
    assert infer([("ann", 3), ("bo", 5)]).kind == "record[str, int]"
    pairs = generate_inputs(cases(*(([("ann", 3), ("bo", 5)],), ([("cy", 1)],))), 10)
    assert all(isinstance(n, str) and isinstance(k, int) for args, _ in pairs for n, k in args[0])
    assert infer([[1, 2], [3, 4]]).kind == "list[int]"
    assert infer([[1, "a"], [2]]).kind == "list[int|str]"


@given(
    st.lists(st.lists(st.integers(-50, 50), max_size=6), min_size=1, max_size=5),
    st.data(),
)
def test_drawn_values_match_the_inferred_type(
    observed: list[list[int]], data: st.DataObject
) -> None:
    value = data.draw(infer(observed).strategy)
    assert isinstance(value, list)
    assert min(map(len, observed)) <= len(value) <= max(map(len, observed))
    items = [x for xs in observed for x in xs]
    for x in value:
        assert isinstance(x, int) and not isinstance(x, bool)
        # Widened by a tenth of the span (at least 1), never across zero.
        margin = max(1.0, (max(items) - min(items)) * 0.1)
        assert min(items) - margin <= x <= max(items) + margin
        assert not (min(items) >= 0 and x < 0)


@given(st.lists(st.text("abc", max_size=4), min_size=1, max_size=6), st.data())
def test_drawn_strings_use_the_observed_alphabet(observed: list[str], data: st.DataObject) -> None:
    value = data.draw(infer(observed).strategy)
    assert isinstance(value, str)
    assert set(value) <= set("".join(observed))
    assert min(map(len, observed)) <= len(value) <= max(map(len, observed))


def test_differential_suite_takes_the_reference_answers() -> None:
    inputs = input_suite("f", [((1,), {}), ((2,), {}), ((3,), {})])
    reference = Evaluation(status=Status.FAILED, outputs=("10", None, "[1, 2]"))
    suite = differential_suite(inputs, reference, 0.0)
    assert [(c.args, c.expected) for c in suite.cases] == [((1,), 10), ((3,), [1, 2])]


SEED = "def f(x):\n    return x\n"
# Right on every case (0, 1, 2, 5, 10), wrong between them.
CRASHES = "def f(x):\n    return x if x < 3 or x in (5, 10) else 1 // 0\n"
DIFFERS = "def f(x):\n    return x if x < 3 or x in (5, 10) else 0\n"


def _checked(tmp_path: Path, make_task: Callable[..., Path], goal: str) -> tuple[Any, ...]:
    cases: list[tuple[list[object], object]] = [([x], x) for x in (0, 1, 2, 5, 10)]
    task = load_task(make_task(tmp_path / "f", SEED, "f", cases, goal=goal))
    store = RunStore.create(tmp_path / "run")
    sandbox = InProcessSandbox()
    return task, store, sandbox


def test_a_speedup_right_only_on_the_cases_is_caught(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    task, store, sandbox = _checked(tmp_path, make_task, "speedup")
    try:
        evaluator = Evaluator(task, read_program(task), store, SerialExecutor(), sandbox)
        seed = evaluator.variant(())
        check = GeneratedCheck(task, evaluator, seed, run_seed=0)
        same_source = "def f(x):\n    return x  # the same program\n"
        same = check.verdict(seed, Variant((), same_source, source_hash(same_source)), 1)
        wrong = check.verdict(seed, Variant((), DIFFERS, source_hash(DIFFERS)), 1)
    finally:
        sandbox.close()
        store.close()
    assert same.accepted, same.reason
    assert not wrong.accepted and "differs from the seed" in wrong.reason
    assert check.inputs >= 5


def test_a_repair_records_what_each_program_answers_on_the_inputs(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    task, store, sandbox = _checked(tmp_path, make_task, "repair")
    try:
        evaluator = Evaluator(task, read_program(task), store, SerialExecutor(), sandbox)
        seed = evaluator.variant(())
        [seed_evaluation] = evaluator.evaluate([seed], 0, 10)
        assert seed_evaluation is not None
        check = GeneratedCheck(task, evaluator, seed, run_seed=0)
        crashes = Variant((), CRASHES, source_hash(CRASHES))
        [crash_evaluation] = evaluator.evaluate([crashes], 1, 10)
        assert crash_evaluation is not None and crash_evaluation.failed == 0
        seed_outputs = check.seed_outputs(1)
        outputs = check.outputs(crashes, crash_evaluation, 1)
        suite = check.suite
    finally:
        sandbox.close()
        store.close()
    assert suite is not None and len(seed_outputs) == len(outputs) == len(suite.cases) >= 5
    assert all(output is not None for output in seed_outputs)
    # Right on the cases, it raises on some generated inputs, and answers as the seed elsewhere.
    assert any(output is None for output in outputs)
    assert all(o is None or o == s for o, s in zip(outputs, seed_outputs, strict=True))


def test_sorted_lists_of_mixed_kinds_are_not_sorted() -> None:
    # Every observed list is sorted, but numbers and strings cannot be ordered together.
    cases = (
        Case("a", ([1, 2, 3],)),
        Case("b", (["a", "b", "c"],)),
        Case("c", ([4, 5, 6],)),
    )
    inputs = generate_inputs(cases, 20, run_seed=1)
    assert inputs


def test_a_pytest_task_gets_inputs_shaped_like_what_its_tests_passed() -> None:
    calls = {
        "add": [[[1, 2], {}], [[5, 7], {}], [[0, 0], {}]],
        "scale": [[[2], {"factor": 3}], [[4], {"factor": 1}]],
        "unused": [],
    }
    suite = recorded_input_suite(calls, None, count=20, run_seed=3)
    assert suite is not None and suite.keep_outputs
    entries = {case.entry for case in suite.cases}
    assert entries == {"add", "scale"}
    for case in suite.cases:
        if case.entry == "add":
            assert len(case.args) == 2 and all(isinstance(a, int) for a in case.args)
        else:
            assert len(case.args) == 1 and set(case.kwargs) == {"factor"}
    again = recorded_input_suite(calls, None, count=20, run_seed=3)
    assert again == suite  # the same seed, the same inputs
    assert recorded_input_suite(calls, ["unused"], count=20) is None
    only = recorded_input_suite(calls, ["scale"], count=20)
    assert only is not None and {case.entry for case in only.cases} == {"scale"}
