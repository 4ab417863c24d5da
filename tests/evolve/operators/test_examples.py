"""Every registered operator's examples: the operator alone turns `before` into `after`."""

from __future__ import annotations

import pytest

from evolve.operators import OPERATORS
from evolve.program.program import Program

CASES = [
    pytest.param(name, before, after, id=f"{name}-{number}")
    for name, operator in OPERATORS.items()
    for number, (before, after) in enumerate(operator.examples())
]


@pytest.mark.parametrize(("name", "before", "after"), CASES)
def test_example(name: str, before: str, after: str) -> None:
    program = Program.parse(before)
    edits = [
        edit
        for site in program.sites
        for edit in program.edits_at(site.address)
        if edit.operator == name
    ]
    renders = {program.render((edit,)) for edit in edits}
    assert after in renders, f"{len(edits)} {name} edits, none gives the expected source"
    assert before != after
    compile(after, f"{name}-example.py", "exec")


def test_every_operator_has_examples() -> None:
    for operator in OPERATORS.values():
        assert operator.examples(), operator.name


def test_registry_names_match() -> None:
    assert list(OPERATORS) == [
        "binary-operator",
        "comparison",
        "boolean-operator",
        "augmented-assignment",
        "integer-constant",
        "replace-name",
        "swap-arguments",
        "delete-statement",
        "copy-statement",
        "swap-statements",
        "replace-return",
        "off-by-one",
        "replace-attribute",
        "replace-callee",
        "guard-statement",
        "extend-condition",
        "none-check",
        "negate-condition",
        "insert-jump",
        "move-statement",
        "unary-minus",
        "boolean-constant",
        "none-constant",
        "replace-string",
        "memoise",
        "set-membership",
        "hoist-invariant",
        "sum-loop",
        "hoist-expression",
        "extend-expression",
        "synthesise-expression",
        "wrap-call",
        "unwrap-call",
        "edit-collection",
        "edit-string",
        "range-bounds",
        "return-truth",
        "edited-copy",
        "swap-operands",
        "return-condition",
        "extend-sequence",
        "round-up",
        "flush-after-loop",
        "early-return",
        "drop-offset",
    ]
    # One or more per defect class of the repair benchmarks (benchmarks/README.md), and the
    # speed-ups.
    assert len(OPERATORS) >= 25
    for name, operator in OPERATORS.items():
        assert operator.name == name
