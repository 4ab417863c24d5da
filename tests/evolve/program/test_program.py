"""evolve/program/program.py: the program as the engine sees it: editable functions, site
look-up, random edits, patches that survive JSON."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings

from evolve.program.patch import Edit, patch_from_json, patch_to_json
from evolve.program.program import Program, ProgramError
from tests.evolve.program.samples import (
    LISTS,
    PROGRAMS,
    names,
    random_patch,
    seeds,
    sizes,
)
from tests.tiers import examples


def test_an_unknown_editable_function_is_an_error() -> None:
    with pytest.raises(ProgramError, match=r"lists\.py: .*nope, Graph\.x"):
        Program.parse(LISTS, path="lists.py", editable=["largest", "nope", "Graph.x"])


def test_a_single_name_string_means_that_function() -> None:
    program = Program.parse(LISTS, editable="largest")
    assert {site.function for site in program.sites} == {"largest"}


def test_site_lookup() -> None:
    program = PROGRAMS["lists"]
    site = program.sites[0]
    assert program.site(site.address) is site
    with pytest.raises(KeyError):
        program.site("body[0]")
    with pytest.raises(KeyError):
        program.edits_at("body[99].body")


@settings(max_examples=examples(100), deadline=None)
@given(names, seeds)
def test_random_edit_is_determined_by_the_rng(name: str, seed: int) -> None:
    program = PROGRAMS[name]
    assert random_patch(program, seed, 10) == random_patch(program, seed, 10)
    weights = {site.address: float(i % 3) for i, site in enumerate(program.sites)}
    first = [program.random_edit(random.Random(seed), weights) for _ in range(3)]
    second = [program.random_edit(random.Random(seed), weights) for _ in range(3)]
    assert first == second


@settings(max_examples=examples(100), deadline=None)
@given(names, seeds, sizes)
def test_patches_round_trip_through_json(name: str, seed: int, size: int) -> None:
    program = PROGRAMS[name]
    patch = random_patch(program, seed, size)
    text = patch_to_json(patch)
    assert patch_from_json(text) == patch
    for edit in patch:
        assert Edit.from_json(json.loads(json.dumps(edit.to_json()))) == edit
    assert program.render(patch_from_json(text)) == program.render(patch)


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
