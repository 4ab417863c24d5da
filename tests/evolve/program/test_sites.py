"""evolve/program/sites.py: which nodes of the seed are editable sites, in which functions,
and which edits each offers."""

from __future__ import annotations

import libcst as cst

from evolve.program.program import Program
from tests.evolve.program.samples import (
    EDITABLE,
    PARTIAL,
    PROGRAMS,
    edits_of,
)


def test_functions_are_qualified_names_in_source_order() -> None:
    assert PROGRAMS["graph"].functions == (
        "Graph.__init__",
        "Graph.add_edge",
        "Graph.neighbours",
        "Graph.bfs",
        "reachable",
        "reachable.<locals>.visit",
        "build",
    )


def test_sites_lie_only_in_editable_functions() -> None:
    for name, program in PARTIAL.items():
        functions = {site.function for site in program.sites}
        editable = set(EDITABLE[name])
        assert functions, name
        # A site in a nested function belongs to an editable one around it.
        assert all(any(f == e or f.startswith(f"{e}.") for e in editable) for f in functions)


def test_module_level_code_is_never_a_site() -> None:
    program = PROGRAMS["numbers"]
    lines = {site.line for site in program.sites}
    assert 4 not in lines and 5 not in lines  # LIMIT = ..., counter = 0
    graph = PROGRAMS["graph"]
    assert all(site.line != 7 for site in graph.sites)  # kind = "undirected" in the class body


def test_no_site_offers_nothing() -> None:
    for program in PROGRAMS.values():
        for site in program.sites:
            assert program.edits_at(site.address)


def test_only_names_being_read_are_replaced() -> None:
    source = (
        "def f(a, b):\n"
        "    c = a.real\n"
        "    d, e = g(key=b), c\n"
        "    for i in range(c):\n"
        "        c += i\n"
        "    del d\n"
        "    return e\n"
        "\n"
        "\n"
        "def g(key):\n"
        "    return key\n"
    )
    program = Program.parse(source)
    replaced = [
        (site.line, site.node.value)
        for site in program.sites
        if isinstance(site.node, cst.Name)
        and any(edit.operator == "replace-name" for edit in program.edits_at(site.address))
    ]
    assert replaced == [
        (2, "a"),
        (3, "g"),
        (3, "b"),
        (3, "c"),
        (4, "range"),
        (4, "c"),
        (5, "i"),
        (7, "e"),
    ]  # not `key` on line 11: g binds no other name to put there


def test_copies_never_put_break_outside_a_loop_or_await_outside_async() -> None:
    source = (
        "async def pump(xs):\n"
        "    for x in xs:\n"
        "        if x is None:\n"
        "            break\n"
        "        await x\n"
        "    else:\n"
        "        continue_with = xs\n"
        "    return xs\n"
        "\n"
        "\n"
        "def drain(ys):\n"
        "    while ys:\n"
        "        if ys[-1]:\n"
        "            continue\n"
        "        ys.pop()\n"
        "    return ys\n"
    )
    program = Program.parse(source)
    copies = 0
    for site in program.sites:
        for edit in program.edits_at(site.address):
            if edit.operator == "copy-statement":
                compile(program.render((edit,)), "copies.py", "exec")
                copies += 1
    assert copies > 50


def test_memoise_leaves_impure_recursion_alone() -> None:
    # `visit` mutates the set it is passed; bfs is no recursion; methods are never memoised.
    assert edits_of(PROGRAMS["graph"], "memoise") == []
    shadowed = "functools = None\n\n\ndef f(n):\n    return n if n < 2 else f(n - 1)\n"
    assert edits_of(Program.parse(shadowed), "memoise") == []
