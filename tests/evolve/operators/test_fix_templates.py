"""The fix templates on every seed under `seeds/`: every payload renders code that parses,
describes itself on one line, stays within its cap and comes out the same on every parse;
and compound edits (two edits at one site) render both when both still fit."""

from __future__ import annotations

import ast
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evolve.operators.edit_collection import MAX_PAYLOADS as COLLECTION_CAP
from evolve.operators.edit_string import MAX_PAYLOADS as STRING_CAP
from evolve.operators.edited_copy import MAX_PAYLOADS as COPY_CAP
from evolve.operators.extend_expression import MAX_PAYLOADS as EXTEND_CAP
from evolve.operators.return_condition import MAX_PAYLOADS as RETURN_CONDITION_CAP
from evolve.operators.synthesise_expression import MAX_PAYLOADS as SYNTHESIS_CAP
from evolve.operators.wrap_call import MAX_PAYLOADS as WRAP_CAP
from evolve.program.patch import Edit, Patch
from evolve.program.program import Program
from evolve.search import variation

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "seeds"
PACKAGES = SEEDS / "packages"

NEW = (
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
)
CAPS = {
    "extend-expression": EXTEND_CAP,
    "synthesise-expression": SYNTHESIS_CAP,
    "wrap-call": WRAP_CAP,
    "edit-collection": COLLECTION_CAP,
    "edit-string": STRING_CAP,
    "edited-copy": COPY_CAP,
    "return-condition": RETURN_CONDITION_CAP,
}


def _programs() -> dict[str, Program]:
    programs = {}
    for path in sorted(SEEDS.rglob("*.py")):
        if PACKAGES not in path.parents:
            name = str(path.relative_to(SEEDS))
            programs[name] = Program.parse(path.read_text(), path=name)
    for package in sorted(p for p in PACKAGES.iterdir() if p.is_dir()):
        files = {str(f.relative_to(PACKAGES)): f.read_text() for f in sorted(package.rglob("*.py"))}
        programs[package.name + "/"] = Program.parse_files(files, path=str(PACKAGES))
    return programs


PROGRAMS = _programs()


def new_edits(program: Program) -> list[Edit]:
    return [
        edit
        for site in program.sites
        for edit in program.edits_at(site.address)
        if edit.operator in NEW
    ]


EDITS = {name: new_edits(program) for name, program in PROGRAMS.items()}


def parses(program: Program, patch: Patch) -> None:
    text = program.render(patch)
    runnable = program.runnable(text)
    for source in runnable.values() if isinstance(runnable, dict) else [runnable]:
        ast.parse(source)


def test_every_new_operator_has_edits_on_the_seeds() -> None:
    offered = {edit.operator for edits in EDITS.values() for edit in edits}
    assert offered == set(NEW)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(PROGRAMS)), st.randoms(use_true_random=False))
def test_a_new_operator_edit_renders_code_that_parses(name: str, rng: random.Random) -> None:
    program = PROGRAMS[name]
    edit = rng.choice(EDITS[name])
    parses(program, (edit,))
    assert program.render((edit,)) != program.source, program.describe(edit)
    line = program.describe(edit)
    assert "\n" not in line and line.startswith(edit.operator)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_payload_of_every_new_operator_renders_code_that_parses(name: str) -> None:
    program = PROGRAMS[name]
    for edit in EDITS[name]:
        parses(program, (edit,))
        assert "\n" not in program.describe(edit)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(PROGRAMS)), st.randoms(use_true_random=False))
def test_two_edits_at_one_site_render_code_that_parses(name: str, rng: random.Random) -> None:
    program = PROGRAMS[name]
    site = rng.choice(program.sites).address
    edits = program.edits_at(site)
    patch = (rng.choice(edits), rng.choice(edits), rng.choice(edits))
    parses(program, patch)


def test_payloads_stay_within_their_caps() -> None:
    for program in PROGRAMS.values():
        for site in program.sites:
            for name, payloads in program.operators_at(site.address):
                assert len(payloads) <= CAPS.get(name, 10**6), (name, site.address)


def test_payloads_do_not_depend_on_the_hash_seed() -> None:
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from evolve.program.program import Program\n"
        "p = Program.parse(Path(sys.argv[1]).read_text())\n"
        "print(json.dumps([e.to_json() for s in p.sites for e in p.edits_at(s.address)]))\n"
    )
    seed = str(SEEDS / "strings" / "compress.py")
    outputs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", script, seed],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    assert any(edit["operator"] == "edited-copy" for edit in outputs[0])


# --- what the templates offer ------------------------------------------------------------

LISTS = (
    "def f(xs, n):\n"
    "    total = 0\n"
    "    for i in range(n):\n"
    "        total += xs[i]\n"
    "    xs.append(total)\n"
    "    return xs\n"
)


def offered(source: str, operator: str) -> dict[str, list[str]]:
    """Site code -> the renders of `operator`'s edits there."""
    program = Program.parse(source)
    found: dict[str, list[str]] = {}
    for site in program.sites:
        for edit in program.edits_at(site.address):
            if edit.operator == operator:
                code = program.module.code_for_node(site.node)
                found.setdefault(code, []).append(program.render((edit,)))
    return found


def test_a_name_used_only_as_a_list_gets_no_arithmetic() -> None:
    extended = offered(LISTS, "extend-expression")
    assert "xs" not in extended
    assert "n" in extended and "total" in extended
    assert not any("xs +" in render or "xs -" in render for render in extended["n"])
    wrapped = offered(LISTS, "wrap-call")
    assert any("return len(xs)" in render for render in wrapped["xs"])
    assert not any("abs(xs)" in render for renders in wrapped.values() for render in renders)


def test_a_call_to_a_function_that_returns_truth_values_gets_no_arithmetic() -> None:
    source = (
        "def has(tree, i, target):\n"
        "    if i >= len(tree):\n"
        "        return False\n"
        "    return any(has(tree, c, target) for c in (2 * i + 1, 2 * i + 2))\n\n\n"
        "def size(tree, i):\n"
        "    if i >= len(tree):\n"
        "        return 0\n"
        "    return 1 + size(tree, 2 * i + 1)\n"
    )
    extended = offered(source, "extend-expression")
    # `has` returns `False` or `any(...)`: `has(...) - 1` is no number.
    assert "has(tree, c, target)" not in extended
    # `size` returns numbers: its result is extended as any number is.
    assert "size(tree, 2 * i + 1)" in extended
    # The arguments of the call are numbers still.
    assert "target" in extended


def test_a_value_may_wrap_around_a_period_the_program_names() -> None:
    source = (
        "def hand_angle(hours, minutes):\n"
        "    return hours * 30 + minutes * 0.5\n\n\n"
        "def angle(hours, minutes):\n"
        "    diff = abs(hand_angle(hours, minutes) - minutes * 6)\n"
        "    return min(diff, 360 - diff)\n"
    )
    extended = offered(source, "extend-expression")
    # 360 and 30, the two largest constants above 2, as moduli of a value returned or
    # stored whole: an hour past 12 wraps.
    returned = "".join(extended["hours * 30 + minutes * 0.5"])
    assert "    return (hours * 30 + minutes * 0.5) % 360\n" in returned
    renders = "".join(extended["abs(hand_angle(hours, minutes) - minutes * 6)"])
    assert "diff = abs(hand_angle(hours, minutes) - minutes * 6) % 360\n" in renders
    assert "% 30\n" in renders and "% 6\n" not in renders
    # Not by a constant the value holds (`... % 30` would drop the hours), nor of a part.
    assert "% 30\n" not in returned
    assert not any("% 360" in render for render in extended["hours * 30"])


def test_only_strings_are_offered_string_methods() -> None:
    source = (
        "def f(lines, n):\n"
        "    out = []\n"
        "    for line in lines:\n"
        "        text = line\n"
        "        if text.startswith('#'):\n"
        "            out.append(text)\n"
        "    return out[:n]\n"
    )
    wrapped = offered(source, "wrap-call")
    # `line` says nothing of itself; its copy `text` is a string, so `line` is one too.
    assert "        text = line.strip()\n" in "".join(wrapped["line"])
    assert any("out.append(text.lower())" in render for render in wrapped["text"])
    everything = "".join(render for renders in wrapped.values() for render in renders)
    assert "n.strip()" not in everything and "out.strip()" not in everything
    assert "lines.lower()" not in everything


def test_a_value_assigned_is_kept_with_its_target_by_max_or_min() -> None:
    source = (
        "def merge(spans):\n"
        "    out = [list(spans[0])]\n"
        "    for start, end in spans[1:]:\n"
        "        last = out[-1]\n"
        "        if start <= last[1]:\n"
        "            last[1] = end\n"
        "    best = 0\n"
        "    for start, end in out:\n"
        "        best = end - start\n"
        "    return best\n"
    )
    wrapped = offered(source, "wrap-call")
    renders = "".join(wrapped["end"])
    assert "last[1] = max(end, last[1])" in renders and "last[1] = min(end, last[1])" in renders
    assert "best = max(end - start, best)" in "".join(wrapped["end - start"])
    # Not a value assigned whole: no target to keep.
    assert not any("max(start, last[1])" in render for render in wrapped.get("start", []))
    # `x = x` offers no `max(x, x)`.
    same = offered("def f(x):\n    x = x\n    return x + 1\n", "wrap-call")
    assert not any("max(x, x)" in render for renders in same.values() for render in renders)


def test_synthesis_draws_on_the_functions_own_expressions_nearest_first() -> None:
    source = (
        "def f(xs, lo, hi):\n"
        "    mid = (lo + hi) // 2\n"
        "    if xs[mid] < 0:\n"
        "        return mid + 1\n"
        "    return lo\n"
    )
    program = Program.parse(source)
    [site] = [s for s in program.sites if s.line == 5 and isinstance(s.node, cst.Name)]
    payloads = dict(program.operators_at(site.address))["synthesise-expression"]
    assert payloads[0] == "mid + 1"  # line 4, the nearest
    assert "lo - hi" in payloads and "len(xs)" in payloads
    assert "lo" not in payloads  # bare names are replace-name's
    # Midpoints only where the seed halves something: there they are the likely fix.
    assert "lo + (hi - lo) // 2" not in payloads
    [halving] = [
        s for s in program.sites if program.module.code_for_node(s.node) == "(lo + hi) // 2"
    ]
    assert (
        "lo + (hi - lo) // 2"
        in dict(program.operators_at(halving.address))["synthesise-expression"]
    )


def test_a_compound_edit_builds_on_the_edit_before_it() -> None:
    source = "def f(a, b):\n    c = a\n    return c\n"
    program = Program.parse(source)
    [site] = [s for s in program.sites if program.module.code_for_node(s.node) == "a"]
    rename = Edit("replace-name", site.address, "b")
    extend = Edit("extend-expression", site.address, ("-", "1", "right"))
    wrap = Edit("wrap-call", site.address, ("abs",))
    assert program.render((rename, extend)) == "def f(a, b):\n    c = b - 1\n    return c\n"
    assert program.render((rename, extend, wrap)) == (
        "def f(a, b):\n    c = abs(b - 1)\n    return c\n"
    )
    # The same template twice is one edit.
    assert program.render((extend, extend)) == program.render((extend,))
    # A template for another kind of node no longer fits once the node has changed kind.
    unwrap = Edit("replace-name", site.address, "a")
    assert program.render((wrap, unwrap)) == program.render((wrap,))


def test_mutate_puts_a_compound_edit_at_the_site_of_an_edit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    program = PROGRAMS["search/bsearch.py"]
    first = program.random_edit(random.Random(0))
    assert first is not None
    monkeypatch.setattr(variation, "COMPOUND_RATE", 1.0)
    rng = random.Random(3)
    grown = 0
    for _ in range(50):
        child = variation.mutate([first], program, rng, 4)
        if len(child) == 2:
            grown += 1
            assert child[1].site == first.site and child[1] != first
    assert grown > 10


def test_fix_templates_weigh_less_than_one_token_mutations() -> None:
    from evolve.operators import OPERATORS
    from evolve.operators.base import TEMPLATE_WEIGHT

    assert {name for name, op in OPERATORS.items() if op.weight != 1.0} == set(NEW)
    assert all(OPERATORS[name].weight == TEMPLATE_WEIGHT < 1.0 for name in NEW)


def test_early_returns_check_degenerate_inputs_and_answer_what_the_function_answers() -> None:
    counting = (
        "def count(text, word, limit=3):\n"
        '    """Times `word` occurs in `text`."""\n'
        "    n = 0\n"
        "    start = text.find(word)\n"
        "    while start != -1 and n < limit:\n"
        "        n += 1\n"
        "        start = text.find(word, start + len(word))\n"
        "    return n\n"
    )
    [renders] = offered(counting, "early-return").values()
    # The answer is the returned counter's starting value; the check goes after the docstring.
    assert '"""\n    if not word:\n        return 0\n    n = 0\n' in "".join(renders)
    everything = "".join(renders)
    assert "not limit" not in everything  # a number is not tested for emptiness
    assert "return True" not in everything  # not a predicate
    predicate = (
        "def apart(a, b):\n"
        "    for x, y in zip(a, b):\n"
        "        if x != y:\n"
        "            return x < y\n"
        "    return False\n"
    )
    [renders] = offered(predicate, "early-return").values()
    assert any("    if len(a) != len(b):\n        return True\n" in r for r in renders)
    assert any("    if not b:\n        return False\n" in r for r in renders)


def test_an_offset_is_dropped_where_off_by_one_does_not_fold_it() -> None:
    source = "def f(xs, hi, n):\n    hi = min(hi, n - 1)\n    return xs[hi - 1] + (n + hi)\n"
    dropped = offered(source, "drop-offset")
    assert dropped == {"n - 1": [source.replace("n - 1", "n")]}  # not `hi - 1`, not `n + hi`


def test_a_plain_assignment_beside_an_accumulation_may_accumulate() -> None:
    source = (
        "def f(items):\n    total = 0\n    for item in items:\n"
        "        if item:\n            total += item\n        else:\n            total = -1\n"
        "    last = total\n    return last\n"
    )
    offers = offered(source, "augmented-assignment")
    assert any("            total += -1\n" in r for r in offers["total = -1"])
    # The start, and names never accumulated into, are left alone.
    assert "total = 0" not in offers and "last = total" not in offers


def test_a_sum_started_empty_and_overwritten_in_a_loop_may_accumulate() -> None:
    source = (
        "def seconds(text, units):\n    total = 0\n    num = 0\n    last = None\n"
        "    for ch in text:\n        if ch.isdigit():\n            num = num * 10 + int(ch)\n"
        "        else:\n            total = num * units[ch]\n            last = ch\n"
        "            num = 0\n    return total\n"
    )
    offers = offered(source, "augmented-assignment")
    assert any(
        "            total += num * units[ch]\n" in r for r in offers["total = num * units[ch]"]
    )
    # Not a name started at something other than empty, nor one outside a loop, nor a
    # reset to a literal, nor an update that reads the name itself.
    assert "last = ch" not in offers and "total = 0" not in offers
    assert "num = 0" not in offers and "num = num * 10 + int(ch)" not in offers
    # Nor a state the loop reads, carried from pass to pass.
    carried = (
        "def add(a, b):\n    carry = 0\n    out = []\n    for x, y in zip(a, b):\n"
        "        total = x + y + carry\n        out.append(total % 10)\n"
        "        carry = total // 10\n    return out\n"
    )
    assert "carry = total // 10" not in offered(carried, "augmented-assignment")


def test_a_name_the_code_does_not_type_is_a_term_where_numbers_are_few() -> None:
    # `cost` is only unpacked and returned: its kind is unknown, and the missing term.
    source = (
        "def cheapest(tree):\n    cost, children = tree\n    if not children:\n"
        "        return cost\n    best = min(cheapest(child) for child in children)\n"
        "    return best\n"
    )
    extended = offered(source, "extend-expression")
    assert any("    return best + cost\n" in r for r in extended["best"])
    # A name the code uses as a sequence is still no term.
    assert not any("best + children" in r for r in extended["best"])
