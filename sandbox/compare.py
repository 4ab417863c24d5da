"""Compare a variant's output with the expected one, by value, as JSON would see them.

Both sides are JSON-decoded values (the supervisor round-trips the expected ones too), so
tuples have become lists and dictionary keys strings. Runs in the supervisor only: the child
never sees an expected value.
"""

from __future__ import annotations

import math
from typing import Any


def outputs_equal(actual: Any, expected: Any, rel_tol: float = 0.0) -> bool:
    """Whether `actual` equals `expected`, recursively through lists and dictionaries.

    `True` is not `1`: a function that should return a count must not pass by returning a
    flag. An int and a float compare as numbers (`3 == 3.0`); with `rel_tol > 0`, numbers
    compare with that relative tolerance; NaN equals NaN, since a test that expects NaN can
    be met in no other way.
    """
    if rel_tol < 0:
        raise ValueError("rel_tol must not be negative")
    return _equal(actual, expected, rel_tol)


def _equal(actual: Any, expected: Any, rel_tol: float) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if _is_number(actual) and _is_number(expected):
        return _numbers_equal(actual, expected, rel_tol)
    if isinstance(actual, list | tuple) and isinstance(expected, list | tuple):
        return len(actual) == len(expected) and all(
            _equal(a, e, rel_tol) for a, e in zip(actual, expected, strict=True)
        )
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            _equal(actual[key], expected[key], rel_tol) for key in actual
        )
    if isinstance(actual, str) or isinstance(expected, str):
        return isinstance(actual, str) and isinstance(expected, str) and actual == expected
    if actual is None or expected is None:
        return actual is expected
    return type(actual) is type(expected) and bool(actual == expected)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers_equal(actual: int | float, expected: int | float, rel_tol: float) -> bool:
    if isinstance(actual, int) and isinstance(expected, int):
        return actual == expected  # exact, however large
    actual_nan, expected_nan = _is_nan(actual), _is_nan(expected)
    if actual_nan or expected_nan:
        return actual_nan and expected_nan
    if rel_tol == 0 or actual == expected:
        return actual == expected
    try:
        return math.isclose(actual, expected, rel_tol=rel_tol)
    except OverflowError:  # an int too large for a float cannot be close to a finite float
        return False


def _is_nan(value: int | float) -> bool:
    return isinstance(value, float) and math.isnan(value)
