import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox import outputs_equal

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=25,
)


@given(json_values)
def test_a_value_equals_its_json_round_trip(value: object) -> None:
    assert outputs_equal(value, json.loads(json.dumps(value)))
    assert outputs_equal(json.loads(json.dumps(value)), value)


@given(json_values, json_values)
def test_equality_is_symmetric(a: object, b: object) -> None:
    assert outputs_equal(a, b) == outputs_equal(b, a)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (True, 1),
        (False, 0),
        (1, True),
        ([True], [1]),
        ({"a": False}, {"a": 0}),
        (1.0, True),
    ],
)
def test_bool_is_not_a_number(actual: object, expected: object) -> None:
    assert not outputs_equal(actual, expected)
    assert not outputs_equal(actual, expected, rel_tol=0.5)


@pytest.mark.parametrize(
    ("actual", "expected", "rel_tol", "equal"),
    [
        (3, 3.0, 0.0, True),
        (3.0, 3, 0.0, True),
        (0.1 + 0.2, 0.3, 0.0, False),
        (0.1 + 0.2, 0.3, 1e-9, True),
        (100.0, 101.0, 0.001, False),
        (100.0, 101.0, 0.02, True),
        (10**400, 1e308, 0.5, False),
        (10**400, 10**400, 0.0, True),
        (math.inf, math.inf, 0.0, True),
        (math.inf, -math.inf, 0.1, False),
        (math.nan, math.nan, 0.0, True),
        (math.nan, 1.0, 0.1, False),
        ([1, [2.0, {"x": math.nan}]], [1.0, [2, {"x": math.nan}]], 0.0, True),
    ],
)
def test_numbers(actual: object, expected: object, rel_tol: float, equal: bool) -> None:
    assert outputs_equal(actual, expected, rel_tol) is equal


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("1", 1),
        (None, 0),
        (None, []),
        ([1, 2], [1, 2, 3]),
        ([1, 2], [2, 1]),
        ({"a": 1}, {"a": 1, "b": 2}),
        ({"a": 1}, {"b": 1}),
        ([1], {"0": 1}),
        ("abc", "abd"),
    ],
)
def test_mismatches(actual: object, expected: object) -> None:
    assert not outputs_equal(actual, expected)


def test_tuples_equal_lists() -> None:
    assert outputs_equal((1, (2, 3)), [1, [2, 3]])


def test_negative_tolerance_is_a_caller_error() -> None:
    with pytest.raises(ValueError):
        outputs_equal(1.0, 1.0, rel_tol=-0.1)
