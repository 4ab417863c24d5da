"""hoist-invariant leaves a statement that reads the loop's own target where it is."""

from __future__ import annotations

from evolve.program.program import Program


def test_the_loop_target_pins_a_statement() -> None:
    source = (
        "def f(xs, ys):\n    out = []\n    for x in xs:\n        d = x * 2\n        n = len(ys)\n"
        "        out.append(d + n)\n    return out\n"
    )
    program = Program.parse(source)
    payloads = [
        edit.payload
        for site in program.sites
        for edit in program.edits_at(site.address)
        if edit.operator == "hoist-invariant"
    ]
    assert payloads == [1]
