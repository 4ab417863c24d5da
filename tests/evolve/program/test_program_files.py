"""Programs of several files: sites addressed by (file, site), bundles, diffs across files."""

from __future__ import annotations

import random
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evolve.program.patch import Edit, Patch, patch_from_json, patch_to_json
from evolve.program.program import Program, ProgramError, pack_files, program_diff, unpack_files

ROOT = Path(__file__).resolve().parents[3]
SHOP = ROOT / "seeds" / "packages" / "shop"
FILES = {
    path.relative_to(SHOP.parent).as_posix(): path.read_text(encoding="utf-8")
    for path in sorted(SHOP.rglob("*.py"))
}
PROGRAM = Program.parse_files(FILES, path=str(SHOP.parent))


def random_patch(program: Program, seed: int, size: int) -> Patch:
    rng = random.Random(seed)
    edits = (program.random_edit(rng) for _ in range(size))
    return tuple(edit for edit in edits if edit is not None)


def test_sites_are_addressed_by_file() -> None:
    files = {site.address.partition("::")[0] for site in PROGRAM.sites}
    # __init__.py has no function: no site there.
    assert files == {"shop/orders.py", "shop/pricing.py", "shop/shipping.py"}
    for site in PROGRAM.sites:
        assert PROGRAM.site(site.address) is site
        assert site.file == site.address.partition("::")[0]


def test_an_edit_changes_only_its_file() -> None:
    site = next(s for s in PROGRAM.sites if s.file == "shop/pricing.py")
    edit = PROGRAM.edits_at(site.address)[0]
    files = unpack_files(PROGRAM.render((edit,)))
    assert list(files) == list(FILES)
    changed = [name for name in files if files[name] != FILES[name]]
    assert changed == ["shop/pricing.py"]


def test_the_seed_renders_to_its_bundle() -> None:
    assert PROGRAM.render(()) == PROGRAM.source == pack_files(FILES)
    assert PROGRAM.runnable(PROGRAM.source) == FILES


def test_describe_names_the_file_and_its_line() -> None:
    site = next(s for s in PROGRAM.sites if s.file == "shop/shipping.py")
    edit = PROGRAM.edits_at(site.address)[0]
    assert f"at shop/shipping.py line {site.line}:" in PROGRAM.describe(edit)


def test_lines_are_numbered_across_files_as_the_sandbox_numbers_them() -> None:
    offset = 0
    for name, text in FILES.items():
        for site in (s for s in PROGRAM.sites if s.file == name):
            assert site.lines[0] == offset + site.line
        offset += len(text.splitlines())


def test_the_diff_spans_the_changed_files() -> None:
    fixed = dict(FILES)
    fixed["shop/pricing.py"] = fixed["shop/pricing.py"].replace("> BULK", ">= BULK")
    fixed["shop/shipping.py"] = fixed["shop/shipping.py"].replace("!= ", "== ")
    diff = PROGRAM.diff(PROGRAM.source, pack_files(fixed))
    assert diff.count("--- a/") == 2
    assert "--- a/shop/pricing.py\n+++ b/shop/pricing.py\n" in diff
    assert "--- a/shop/shipping.py\n+++ b/shop/shipping.py\n" in diff
    assert program_diff("x = 1\n", "x = 2\n", path="/a/seed.py", several=False).startswith(
        "--- a/seed.py"
    )


def test_editable_names_select_functions_in_any_file() -> None:
    program = Program.parse_files(FILES, path="p", editable=["shipping_cost"])
    assert {site.file for site in program.sites} == {"shop/shipping.py"}
    with pytest.raises(ProgramError, match="not defined in the program: nowhere"):
        Program.parse_files(FILES, path="p", editable=["nowhere"])


def test_a_file_that_does_not_parse_is_named() -> None:
    with pytest.raises(ProgramError, match=r"shop/tax\.py:1:"):
        Program.parse_files({"shop/tax.py": "def f(:\n"}, path=".")


def test_from_text_rebuilds_the_same_program() -> None:
    again = Program.from_text(PROGRAM.source, path=PROGRAM.path, several=True)
    assert [s.address for s in again.sites] == [s.address for s in PROGRAM.sites]
    with pytest.raises(ProgramError):
        Program.from_text("[1, 2]", path="p", several=True)


def test_an_edit_for_an_unknown_file_does_not_apply() -> None:
    edit = Edit("comparison", "shop/none.py::body[0].body.body[0]", "==")
    assert PROGRAM.render((edit,)) == PROGRAM.source
    assert PROGRAM.describe(edit) == edit.describe()


seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 6)


@settings(deadline=None, max_examples=60)
@given(seeds, sizes)
def test_every_file_of_every_rendered_patch_parses(seed: int, size: int) -> None:
    patch = random_patch(PROGRAM, seed, size)
    files = unpack_files(PROGRAM.render(patch))
    assert list(files) == list(FILES)
    for text in files.values():
        assert cst.parse_module(text).code == text


@settings(deadline=None, max_examples=60)
@given(seeds, sizes)
def test_patches_round_trip_and_replay(seed: int, size: int) -> None:
    patch = random_patch(PROGRAM, seed, size)
    again = patch_from_json(patch_to_json(patch))
    assert again == patch
    assert PROGRAM.render(again) == PROGRAM.render(patch)
