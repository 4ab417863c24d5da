"""Edits and patches as data: hashing, JSON, descriptions."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evolve.program.patch import Edit, patch_from_json, patch_to_json

payloads = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=10,
)
edits = st.builds(Edit, st.text(min_size=1), st.text(), payloads)


@given(edits)
def test_an_edit_round_trips_through_json(edit: Edit) -> None:
    assert Edit.from_json(json.loads(json.dumps(edit.to_json()))) == edit


@given(st.lists(edits, max_size=5).map(tuple))
def test_a_patch_round_trips_through_json(patch: tuple[Edit, ...]) -> None:
    text = patch_to_json(patch)
    assert patch_from_json(text) == patch
    assert patch_to_json(patch_from_json(text)) == text  # canonical: fit for content hashing


def test_list_payloads_are_held_as_tuples_so_edits_hash() -> None:
    # Lists are not Payloads to the type checker, but code that builds them by hand is fixed up.
    edit = Edit("swap-arguments", "body[0].body.body[0].body[0].value", [0, [1, 2]])  # type: ignore[arg-type]
    assert edit.payload == (0, (1, 2))
    assert edit == Edit("swap-arguments", "body[0].body.body[0].body[0].value", (0, (1, 2)))
    assert len({edit, Edit(edit.operator, edit.site, [0, [1, 2]])}) == 1  # type: ignore[arg-type]
    assert edit.to_json() == {
        "operator": "swap-arguments",
        "site": "body[0].body.body[0].body[0].value",
        "payload": [0, [1, 2]],
    }


def test_the_json_text_is_compact_and_key_sorted() -> None:
    patch = (Edit("integer-constant", "body[0].body.body[0]", 3),)
    assert patch_to_json(patch) == (
        '[{"operator":"integer-constant","payload":3,"site":"body[0].body.body[0]"}]'
    )
    assert patch_to_json(()) == "[]"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{}", "JSON array"),
        ("[1]", "JSON object"),
        ('[{"operator": "x", "site": "y"}]', "exactly the keys"),
        ('[{"operator": "x", "site": "y", "payload": 1, "extra": 2}]', "exactly the keys"),
        ('[{"operator": 1, "site": "y", "payload": 1}]', "strings"),
        ('[{"operator": "x", "site": "y", "payload": {"a": 1}}]', "not a JSON value"),
        ("[", "Expecting"),
    ],
)
def test_malformed_patches_are_value_errors(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        patch_from_json(text)


def test_a_payload_must_be_json() -> None:
    with pytest.raises(ValueError, match="not a JSON value"):
        Edit("x", "y", {"a": 1})  # type: ignore[arg-type]


def test_describe() -> None:
    edit = Edit("binary-operator", "body[1].body.body[0].body[0].value", "-")
    assert edit.describe() == 'binary-operator at body[1].body.body[0].body[0].value: "-"'
    assert edit.describe(line=4, detail="+ -> -") == "binary-operator at line 4: + -> -"
    assert (
        Edit("swap-arguments", "s", (0, 1)).describe(line=2) == "swap-arguments at line 2: [0, 1]"
    )
