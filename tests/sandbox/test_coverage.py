"""The sandbox's coverage option: per case, which lines of the variant ran and how often."""

from __future__ import annotations

from sandbox import Case, CaseSuite, Evaluation, Limits, evaluate

SOURCE = """\
def f(x):
    if x > 0:
        return x
    total = 0
    for _ in range(3):
        total += 1
    return total
"""
SUITE = CaseSuite("f", (Case("pos", (1,), {}, 1), Case("neg", (-1,), {}, 3)))


def test_coverage_lists_lines_and_counts_per_case() -> None:
    evaluation = evaluate(SOURCE, SUITE, Limits(), measure_coverage=True)
    assert evaluation.coverage is not None
    positive, negative = (dict(case) for case in evaluation.coverage)
    assert positive == {2: 1, 3: 1}
    assert negative[2] == 1 and negative[4] == 1 and negative[6] == 3 and 3 not in negative
    assert Evaluation.from_dict(evaluation.to_dict()).coverage == evaluation.coverage


def test_no_coverage_unless_asked() -> None:
    assert evaluate(SOURCE, SUITE, Limits()).coverage is None
