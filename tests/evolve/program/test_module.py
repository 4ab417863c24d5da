"""evolve/program/module.py: one module parsed once, patches rendered against it (nested and
interacting edits, layout kept, descriptions, the import memoise needs)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evolve.errors import UsageError
from evolve.operators import OPERATORS
from evolve.program.patch import Edit, Patch
from evolve.program.program import Program, ProgramError
from tests.evolve.program.samples import (
    EDITABLE,
    NESTED,
    PARTIAL,
    PROGRAMS,
    SAMPLES,
    edits_of,
    find,
    names,
    random_patch,
    seeds,
    sizes,
)
from tests.tiers import examples


def test_a_seed_that_does_not_parse_is_one_line_naming_the_file() -> None:
    with pytest.raises(ProgramError) as caught:
        Program.parse("def f(:\n    pass\n", path="seeds/bad.py")
    message = str(caught.value)
    assert message.startswith("seeds/bad.py:") and "does not parse" in message
    assert "\n" not in message
    assert isinstance(caught.value, UsageError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("source", "where", "said"),
    [
        ("def f(x):\n    for i in range(x)\n        pass\n    return 1\n", ":2:", "expected ':'"),
        ("def f(x):\n    return (x\n\n\ny = 1\n", ":2:", "was never closed"),
        ("return 1\n", ":1:", "'return' outside function"),
    ],
)  # fmt: skip
def test_a_syntax_error_is_reported_where_and_as_python_reports_it(
    source: str, where: str, said: str
) -> None:
    """Python's own position and message, not where libcst's grammar gave up ("line 4,
    expected one of !=, %, &, ...")."""
    try:
        compile(source, "seed.py", "exec")
    except SyntaxError as error:
        assert f":{error.lineno}:" == where and said in error.msg
    with pytest.raises(ProgramError) as caught:
        Program.parse(source, path="seed.py")
    message = str(caught.value)
    assert message.startswith("seed.py" + where) and message.endswith(said), message


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_single_edit_compiles(name: str) -> None:
    program = PROGRAMS[name]
    rng = random.Random(0)
    for site in program.sites:
        edits = program.edits_at(site.address)
        # Copies are numerous and alike; a sample of them is enough here.
        for edit in rng.sample(edits, min(len(edits), examples(40))):
            try:
                compile(program.render((edit,)), f"{name}.py", "exec")
            except SyntaxError as error:
                # Deleting the binding a nested function's nonlocal refers to is no obvious
                # case; the sandbox reports such a variant invalid, as the contract allows.
                assert "no binding for nonlocal" in str(error), program.describe(edit)


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


@settings(max_examples=examples(300), deadline=None)
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


@settings(max_examples=examples(150), deadline=None)
@given(names, seeds, sizes)
def test_edits_never_touch_code_outside_editable_functions(name: str, seed: int, size: int) -> None:
    program = PARTIAL[name]
    patch = random_patch(program, seed, size)
    rendered = program.render(patch)
    assert mask(rendered, EDITABLE[name]) == MASKED[name]


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


@settings(max_examples=examples(300), deadline=None)
@given(st.sampled_from(sorted(SAMPLES)).flatmap(lambda name: st.tuples(st.just(name), JUNK[name])))
def test_junk_edits_never_raise(case: tuple[str, Patch]) -> None:
    name, patch = case
    program = PROGRAMS[name]
    rendered = program.render(patch)
    cst.parse_module(rendered)
    assert rendered == program.variant(patch).code
    for edit in patch:
        assert "\n" not in program.describe(edit)


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


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_only_memoise_adds_an_import(name: str) -> None:
    program = PROGRAMS[name]
    imports = SAMPLES[name].count("import functools")
    for site in program.sites:
        for edit in program.edits_at(site.address)[: examples(60)]:
            added = program.render((edit,)).count("import functools") - imports
            assert added == (1 if edit.operator == "memoise" and imports == 0 else 0), edit
