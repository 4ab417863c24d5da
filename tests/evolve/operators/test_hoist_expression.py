"""hoist-expression offers only expressions whose value cannot change between iterations."""

from __future__ import annotations

from evolve.program.program import Program


def _payloads(source: str) -> list[object]:
    program = Program.parse(source)
    return [
        edit.payload
        for site in program.sites
        for edit in program.edits_at(site.address)
        if edit.operator == "hoist-expression"
    ]


def test_names_the_loop_binds_or_mutates_pin_the_expression() -> None:
    source = (
        "def f(xs, ys):\n    out = []\n    for x in xs:\n        ys.append(x)\n"
        "        if g(x) > len(ys):\n            out.append(h(xs))\n    return out\n"
    )
    assert _payloads(source) == ["h(xs)"]


def test_generators_nested_functions_and_whole_assigned_values_stay() -> None:
    source = (
        "def f(xs, ys):\n    out = []\n    for x in xs:\n        row = [0 for _ in ys]\n"
        "        row[0] = x\n        out.append(row)\n        t = sum(y for y in ys)\n"
        "        k = lambda: len(ys)\n    return out\n"
    )
    assert _payloads(source) == []


def test_every_occurrence_shares_one_fresh_variable() -> None:
    source = (
        "def f(xs, mean):\n    n = 0\n    for x in xs:\n"
        "        if x > mean(xs) or x < -mean(xs):\n            n += 1\n    return n\n"
    )
    program = Program.parse(source)
    (edit,) = [
        edit
        for site in program.sites
        for edit in program.edits_at(site.address)
        if edit.operator == "hoist-expression"
    ]
    assert program.render((edit,)) == (
        "def f(xs, mean):\n    n = 0\n    mean_value = mean(xs)\n    for x in xs:\n"
        "        if x > mean_value or x < -mean_value:\n            n += 1\n    return n\n"
    )
