"""Program: parsing the seed, its sites, and rendering patches against it."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evolve.errors import UsageError
from evolve.operators import OPERATORS
from evolve.program.patch import Edit, Patch, patch_from_json, patch_to_json
from evolve.program.program import Program, ProgramError

# Realistic seeds: loops, recursion, classes, nested functions, comments, odd layouts.
LISTS = '''\
"""Small list algorithms, some of them wrong."""

import math

SENTINEL = -1  # returned when nothing is found


def largest(xs):
    """Return the largest element."""
    best = xs[0]
    for x in xs[1:]:
        # strict: ties keep the first
        if x > best:
            best = x
    return best


def bubble_sort(xs):
    xs = list(xs)
    n = len(xs)
    for i in range(n):
        swapped = False
        for j in range(0, n - i - 1):
            if xs[j] > xs[j + 1]:
                xs[j], xs[j + 1] = xs[j + 1], xs[j]
                swapped = True
        if not swapped:
            break
    return xs


def binary_search(xs, target):
    lo, hi = 0, len(xs) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if xs[mid] == target:
            return mid
        elif xs[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return SENTINEL


def mean(xs):
    if not xs:
        return math.nan
    return sum(xs) / len(xs)
'''

GRAPH = """\
from collections import deque


class Graph:
    \"\"\"An undirected graph as adjacency sets.\"\"\"

    kind = "undirected"

    def __init__(self):
        self.adj = {}

    def add_edge(self, a, b):
        self.adj.setdefault(a, set()).add(b)
        self.adj.setdefault(b, set()).add(a)

    def neighbours(self, node):
        return sorted(self.adj.get(node, ()))

    def bfs(self, start):
        seen = {start}
        order = []
        queue = deque([start])
        while queue:
            node = queue.popleft()
            order.append(node)
            for other in self.neighbours(node):
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
        return order


def reachable(graph, start, goal):
    def visit(node, seen):
        if node == goal:
            return True
        seen.add(node)
        return any(visit(n, seen) for n in graph.neighbours(node) if n not in seen)

    return visit(start, set())


def build(edges):
    g = Graph()
    for a, b in edges:
        g.add_edge(a, b)
    return g
"""

NUMBERS = """\
# Number theory, recursively and otherwise.
import functools

LIMIT = 1 << 16
counter = 0


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def gcd(a, b):
    while b:
        a, b = b, a % b
    else:
        pass
    return a


@functools.lru_cache(maxsize=None)
def factorial(n: int) -> int:
    return 1 if n <= 1 else n * factorial(n - 1)


def primes(limit=LIMIT):
    sieve = [True] * (limit + 1)
    for p in range(2, limit + 1):
        if not sieve[p]:
            continue
        yield p
        for q in range(p * p, limit + 1, p):
            sieve[q] = False


def bump(step=1):
    global counter
    counter += step
    flags = 0
    flags |= 0x4
    flags ^= step
    try:
        value = counter // step
    except ZeroDivisionError as error:
        raise ValueError(f"bad step {step}") from error
    with open("/dev/null") as sink:
        sink.write(str(value))
    return value if value is not None else flags


def describe(n):
    kind = "even" if n % 2 == 0 else "odd"
    squares = [k * k for k in range(n) if k not in (3, 5)]
    return {"kind": kind, "squares": squares, "f": lambda x: x + n}
"""

# One-line suites, async code, nonlocal, no trailing newline.
ODD = """\
import asyncio


def sign(x):
    if x < 0: return -1
    if x == 0: return 0
    return 1


def one(): return 1


def counter():
    count = 0

    def tick():
        nonlocal count
        count += 1
        return count

    return tick


async def gather(sources):
    results = []
    for source in sources:
        results.append(await source)
    async for item in sources[0]:
        results.append(item)
    await asyncio.sleep(0)
    return results"""

# Speed-up patterns and attribute access: recursion, list membership, loop-invariant work,
# an accumulation loop, methods.
SPEED = '''\
"""Slow but correct programs, waiting for speed-ups."""

from __future__ import annotations

# Counting, recursively.


def ways(n, coins):
    if n == 0:
        return 1
    if n < 0 or not coins:
        return 0
    return ways(n - coins[0], coins) + ways(n, coins[1:])


def common(xs, ys):
    wanted = list(ys)
    seen = []
    out = []
    for x in xs:
        limit = len(ys) * 2
        if x in wanted and x not in seen:
            seen.append(x)
            out.append(x)
        if len(out) > limit:
            break
    return out


def total(xs):
    t = 0
    for x in xs:
        t += x
    return t


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm(self):
        return abs(self.x) + abs(self.y)

    def label(self, sep=","):
        if self.x is None:
            return ""
        return f"{self.x}{sep}{self.y}" if sep else 'origin'
'''

# Windows newlines and tabs.
CRLF = "def total(xs):\r\n\tt = 0\r\n\tfor x in xs:\r\n\t\tt += x\r\n\treturn t\r\n"

SAMPLES = {
    "lists": LISTS,
    "graph": GRAPH,
    "numbers": NUMBERS,
    "odd": ODD,
    "crlf": CRLF,
    "speed": SPEED,
}
PROGRAMS = {name: Program.parse(source, path=f"{name}.py") for name, source in SAMPLES.items()}
# Part of each sample editable, to check that the rest never changes.
EDITABLE = {
    "lists": ["largest", "binary_search"],
    "graph": ["Graph.bfs", "reachable"],
    "numbers": ["gcd", "bump"],
    "odd": ["counter", "sign"],
    "crlf": ["total"],
    "speed": ["ways", "common", "Point.label"],
}
PARTIAL = {
    name: Program.parse(SAMPLES[name], path=f"{name}.py", editable=names)
    for name, names in EDITABLE.items()
}

names = st.sampled_from(sorted(SAMPLES))
seeds = st.integers(min_value=0, max_value=2**32)
sizes = st.integers(min_value=1, max_value=4)


def random_patch(program: Program, seed: int, size: int) -> Patch:
    rng = random.Random(seed)
    edits = (program.random_edit(rng) for _ in range(size))
    return tuple(edit for edit in edits if edit is not None)


# --- parsing -----------------------------------------------------------------------------


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


def test_a_seed_that_does_not_parse_is_one_line_naming_the_file() -> None:
    with pytest.raises(ProgramError) as caught:
        Program.parse("def f(:\n    pass\n", path="seeds/bad.py")
    message = str(caught.value)
    assert message.startswith("seeds/bad.py:") and "does not parse" in message
    assert "\n" not in message
    assert isinstance(caught.value, UsageError) and isinstance(caught.value, ValueError)


def test_an_unknown_editable_function_is_an_error() -> None:
    with pytest.raises(ProgramError, match=r"lists\.py: .*nope, Graph\.x"):
        Program.parse(LISTS, path="lists.py", editable=["largest", "nope", "Graph.x"])


def test_a_single_name_string_means_that_function() -> None:
    program = Program.parse(LISTS, editable="largest")
    assert {site.function for site in program.sites} == {"largest"}


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


def test_site_lookup() -> None:
    program = PROGRAMS["lists"]
    site = program.sites[0]
    assert program.site(site.address) is site
    with pytest.raises(KeyError):
        program.site("body[0]")
    with pytest.raises(KeyError):
        program.edits_at("body[99].body")


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


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_single_edit_compiles(name: str) -> None:
    program = PROGRAMS[name]
    rng = random.Random(0)
    for site in program.sites:
        edits = program.edits_at(site.address)
        # Copies are numerous and alike; a sample of them is enough here.
        for edit in rng.sample(edits, min(len(edits), 40)):
            try:
                compile(program.render((edit,)), f"{name}.py", "exec")
            except SyntaxError as error:
                # Deleting the binding a nested function's nonlocal refers to is no obvious
                # case; the sandbox reports such a variant invalid, as the contract allows.
                assert "no binding for nonlocal" in str(error), program.describe(edit)


# --- rendering ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_empty_patch_renders_the_seed_byte_for_byte(name: str) -> None:
    program = PROGRAMS[name]
    assert program.render(()) == SAMPLES[name]
    assert program.variant(()).code == SAMPLES[name]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_an_inapplicable_patch_renders_the_seed(name: str) -> None:
    program = PROGRAMS[name]
    site = program.sites[0].address
    patch = (
        Edit("no-such-operator", site, None),
        Edit("binary-operator", "body[0]", "-"),
        Edit("integer-constant", "nowhere[3].x", 1),
    )
    assert program.render(patch) == SAMPLES[name]
    assert program.variant(patch).code == SAMPLES[name]


def mask(source: str, editable: Sequence[str]) -> str:
    """`source` with the body and decorators of every editable function blanked out, and
    without `import functools`: memoising an editable function may add both (and nothing
    else outside it, which `test_only_memoise_adds_an_import` checks)."""

    class Mask(cst.CSTTransformer):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            self.stack.append(node.name.value)

        def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
            self.stack.pop()
            return updated

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            self.stack.extend([node.name.value, "<locals>"])

        def leave_FunctionDef(
            self, original: cst.FunctionDef, updated: cst.FunctionDef
        ) -> cst.FunctionDef:
            self.stack[-2:] = []
            qualname = ".".join([*self.stack, original.name.value])
            if qualname in editable:
                return updated.with_changes(
                    body=cst.SimpleStatementSuite([cst.Expr(cst.Ellipsis())]), decorators=()
                )
            return updated

    module = cst.parse_module(source).visit(Mask())
    kept = [
        line
        for line in module.body
        if not (
            isinstance(line, cst.SimpleStatementLine)
            and line.with_changes(leading_lines=()).deep_equals(IMPORT_FUNCTOOLS)
        )
    ]
    return module.with_changes(body=kept).code


IMPORT_FUNCTOOLS = cst.parse_statement("import functools\n")


@settings(max_examples=300, deadline=None)
@given(names, seeds, sizes)
def test_every_rendered_patch_parses(name: str, seed: int, size: int) -> None:
    program = PROGRAMS[name]
    patch = random_patch(program, seed, size)
    assert len(patch) == size
    rendered = program.render(patch)
    assert cst.parse_module(rendered).code == rendered
    # Splicing text of the changed statements into the seed's text is what libcst would print.
    assert rendered == program.variant(patch).code


MASKED = {name: mask(SAMPLES[name], editable) for name, editable in EDITABLE.items()}


@settings(max_examples=150, deadline=None)
@given(names, seeds, sizes)
def test_edits_never_touch_code_outside_editable_functions(name: str, seed: int, size: int) -> None:
    program = PARTIAL[name]
    patch = random_patch(program, seed, size)
    rendered = program.render(patch)
    assert mask(rendered, EDITABLE[name]) == MASKED[name]


@settings(max_examples=100, deadline=None)
@given(names, seeds)
def test_random_edit_is_determined_by_the_rng(name: str, seed: int) -> None:
    program = PROGRAMS[name]
    assert random_patch(program, seed, 10) == random_patch(program, seed, 10)
    weights = {site.address: float(i % 3) for i, site in enumerate(program.sites)}
    first = [program.random_edit(random.Random(seed), weights) for _ in range(3)]
    second = [program.random_edit(random.Random(seed), weights) for _ in range(3)]
    assert first == second


@settings(max_examples=100, deadline=None)
@given(names, seeds, sizes)
def test_patches_round_trip_through_json(name: str, seed: int, size: int) -> None:
    program = PROGRAMS[name]
    patch = random_patch(program, seed, size)
    text = patch_to_json(patch)
    assert patch_from_json(text) == patch
    for edit in patch:
        assert Edit.from_json(json.loads(json.dumps(edit.to_json()))) == edit
    assert program.render(patch_from_json(text)) == program.render(patch)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 40) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)


def junk_patches(name: str) -> st.SearchStrategy[Patch]:
    """Edits a hand-edited or corrupted patch might hold: right sites, wrong everything else."""
    program = PROGRAMS[name]
    addresses = [site.address for site in program.sites]
    copies = [
        edit.payload
        for address in addresses[:3]
        for edit in program.edits_at(address)
        if edit.operator == "copy-statement"
    ][:20]
    payloads = json_values | st.sampled_from([*copies, None])
    edit = st.builds(Edit, st.sampled_from(sorted(OPERATORS)), st.sampled_from(addresses), payloads)
    return st.lists(edit, max_size=4).map(tuple)


JUNK = {name: junk_patches(name) for name in SAMPLES}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(SAMPLES)).flatmap(lambda name: st.tuples(st.just(name), JUNK[name])))
def test_junk_edits_never_raise(case: tuple[str, Patch]) -> None:
    name, patch = case
    program = PROGRAMS[name]
    rendered = program.render(patch)
    cst.parse_module(rendered)
    assert rendered == program.variant(patch).code
    for edit in patch:
        assert "\n" not in program.describe(edit)


def test_weights_steer_the_choice_of_site() -> None:
    program = PROGRAMS["lists"]
    target = program.sites[5].address
    rng = random.Random(7)
    for _ in range(50):
        edit = program.random_edit(rng, {target: 2.0})
        assert edit is not None and edit.site == target
    assert program.random_edit(rng, {}) is None
    assert program.random_edit(rng, {target: 0.0}) is None


def test_no_sites_no_edit() -> None:
    program = Program.parse("X = 1\n")
    assert program.sites == ()
    assert program.random_edit(random.Random(0)) is None


# --- nested and interacting edits --------------------------------------------------------

NESTED = "def f(a, b, c):\n    x = a + b - c\n    return x\n"


def find(program: Program, operator: str, render: str) -> Edit:
    for site in program.sites:
        for edit in program.edits_at(site.address):
            if edit.operator == operator and render in program.render((edit,)):
                return edit
    raise AssertionError(f"no {operator} edit renders {render!r}")


def test_nested_edits_apply_inner_first_whatever_their_order() -> None:
    program = Program.parse(NESTED)
    inner = find(program, "binary-operator", "a * b - c")
    outer = find(program, "binary-operator", "a + b + c")
    assert outer.site in inner.site  # the inner site's address extends the outer's
    for patch in [(inner, outer), (outer, inner)]:
        assert program.render(patch) == "def f(a, b, c):\n    x = a * b + c\n    return x\n"


def test_an_edit_inside_a_deleted_statement_does_not_count() -> None:
    program = Program.parse(NESTED)
    inner = find(program, "binary-operator", "a * b - c")
    delete = find(program, "delete-statement", "def f(a, b, c):\n    return x\n")
    assert program.render((inner, delete)) == "def f(a, b, c):\n    return x\n"
    assert program.render((inner, delete)) == program.render((delete,))


def test_deleting_every_statement_of_a_block_leaves_pass() -> None:
    program = Program.parse("def f(x):\n    if x:\n        x += 1\n        x *= 2\n    return x\n")
    deletes = [
        edit
        for site in program.sites
        for edit in program.edits_at(site.address)
        if edit.operator == "delete-statement" and site.node in site_block_body(program)
    ]
    assert len(deletes) == 2
    assert program.render(tuple(deletes)) == "def f(x):\n    if x:\n        pass\n    return x\n"


def site_block_body(program: Program) -> tuple[cst.CSTNode, ...]:
    function = program.module.body[0]
    assert isinstance(function, cst.FunctionDef)
    branch = function.body.body[0]
    assert isinstance(branch, cst.If)
    return tuple(branch.body.body)


def test_sibling_addresses_survive_a_deletion() -> None:
    source = "def f(x):\n    a = 1\n    b = 2\n    return a + b\n"
    program = Program.parse(source)
    delete_a = find(program, "delete-statement", "def f(x):\n    b = 2\n")
    bump_b = find(program, "integer-constant", "b = 3")
    expected = "def f(x):\n    b = 3\n    return a + b\n"
    assert program.render((delete_a, bump_b)) == expected
    assert program.render((bump_b, delete_a)) == expected


def test_a_block_edit_sees_the_block_its_statements_edits_left() -> None:
    source = "def f(x):\n    a = 1\n    b = 2\n    c = 3\n    return a\n"
    program = Program.parse(source)
    delete_a = find(program, "delete-statement", "def f(x):\n    b = 2\n")
    swap = find(program, "swap-statements", "    a = 1\n    c = 3\n    b = 2\n")
    assert swap.payload == (1, 2)
    # With `a = 1` gone the block's statements 1 and 2 are `c = 3` and `return a`.
    rendered = program.render((delete_a, swap))
    assert rendered == "def f(x):\n    b = 2\n    return a\n    c = 3\n"
    cst.parse_module(rendered)


def test_repeating_an_edit_applies_it_once() -> None:
    program = Program.parse(NESTED)
    edit = find(program, "binary-operator", "a * b - c")
    assert program.render((edit, edit)) == program.render((edit,))


def test_comments_and_formatting_survive() -> None:
    source = "def f(a,b):  # pair\n    # sum them\n    return (a+b)   # done\n"
    program = Program.parse(source)
    edit = find(program, "binary-operator", "(a-b)")
    assert (
        program.render((edit,))
        == "def f(a,b):  # pair\n    # sum them\n    return (a-b)   # done\n"
    )


def test_describe_names_the_line_and_the_change() -> None:
    program = Program.parse(NESTED)
    edit = find(program, "binary-operator", "a * b - c")
    assert program.describe(edit) == "binary-operator at line 2: + -> *"
    unknown = Edit("binary-operator", "body[5]", "*")
    assert program.describe(unknown) == 'binary-operator at body[5]: "*"'
    odd = Edit("binary-operator", edit.site, "+\n")
    assert program.describe(odd) == 'binary-operator at line 2: "+\\n"'
    for sample in PROGRAMS.values():
        for site in sample.sites:
            for edit in sample.edits_at(site.address)[:5]:
                line = sample.describe(edit)
                assert "\n" not in line and line.startswith(f"{edit.operator} at line ")


# --- the one edit outside editable code ------------------------------------------------


def edits_of(program: Program, operator: str) -> list[Edit]:
    return [
        edit
        for site in program.sites
        for edit in program.edits_at(site.address)
        if edit.operator == operator
    ]


def test_memoise_imports_functools_below_the_docstring_and_future_imports() -> None:
    program = PARTIAL["speed"]
    (edit,) = edits_of(program, "memoise")
    rendered = program.render((edit,))
    assert rendered == program.variant((edit,)).code
    head = rendered.split("# Counting")[0]
    assert head.endswith("from __future__ import annotations\n\nimport functools\n\n")
    assert "@functools.cache\ndef ways(n, coins):" in rendered
    compile(rendered, "speed.py", "exec")
    # Applied twice or beside other edits, the import still comes once.
    other = edits_of(program, "set-membership")
    assert program.render((edit, edit, *other)).count("import functools") == 1


def test_memoise_uses_an_existing_import() -> None:
    program = PROGRAMS["numbers"]
    (edit,) = edits_of(program, "memoise")  # fib; factorial is cached already
    rendered = program.render((edit,))
    assert rendered.count("import functools") == 1
    assert "@functools.cache\ndef fib(n):" in rendered


def test_memoise_leaves_impure_recursion_alone() -> None:
    # `visit` mutates the set it is passed; bfs is no recursion; methods are never memoised.
    assert edits_of(PROGRAMS["graph"], "memoise") == []
    shadowed = "functools = None\n\n\ndef f(n):\n    return n if n < 2 else f(n - 1)\n"
    assert edits_of(Program.parse(shadowed), "memoise") == []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_only_memoise_adds_an_import(name: str) -> None:
    program = PROGRAMS[name]
    imports = SAMPLES[name].count("import functools")
    for site in program.sites:
        for edit in program.edits_at(site.address)[:60]:
            added = program.render((edit,)).count("import functools") - imports
            assert added == (1 if edit.operator == "memoise" and imports == 0 else 0), edit
