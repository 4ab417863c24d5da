"""Anti-patterns are read from the code and the answers, whatever operator made them."""

from __future__ import annotations

import pytest

from evolve.acceptance.antipatterns import (
    CONSTANT_CONDITION,
    CONSTANT_RETURN,
    DEAD_CODE,
    DISCARDED_INPUT,
    EARLY_VERDICT,
    IDENTITY_OPERATION,
    NEGATED_RECURSION,
    REMOVED_CONTROL,
    REMOVED_RECURSION,
    SILENCED_CHECK,
    code_anti_patterns,
    result_type_changed,
)

SEED = """\
def find(xs, target):
    for i, x in enumerate(xs):
        if x == target:
            return i
    return -1


def ok(flag):
    while flag:
        flag = False
    return flag
"""


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("    return -1\n", "    return -1\n", []),
        ("            return i\n", "            return 0\n", [CONSTANT_RETURN, DISCARDED_INPUT]),
        ("        if x == target:\n", "        if True:\n", [CONSTANT_CONDITION, DISCARDED_INPUT]),
        ("        if x == target:\n", "        if not 0:\n", [CONSTANT_CONDITION, DISCARDED_INPUT]),
        (
            "        if x == target:\n            return i\n",
            "        pass\n",
            [REMOVED_CONTROL, DISCARDED_INPUT],
        ),
        ("    while flag:\n        flag = False\n", "    flag = False\n", [REMOVED_CONTROL]),
        ("            return i\n", "            return i + 1\n", []),
        ("            return i\n", "            return i / 1\n", [IDENTITY_OPERATION]),
        ("            return i\n", "            return 0 + i\n", [IDENTITY_OPERATION]),
        ("            return i\n", "            return i - 0\n", [IDENTITY_OPERATION]),
        ("        flag = False\n", "        flag *= 1\n", [IDENTITY_OPERATION]),
        # An offset taken back at once; a different one is a change.
        ("            return i\n", "            return i - 1 + 1\n", [IDENTITY_OPERATION]),
        ("            return i\n", "            return i + x - x\n", [IDENTITY_OPERATION]),
        ("            return i\n", "            return i - 1 + 2\n", []),
        # `1 - i` and `i ** 2` are not the identity; `True * i` is not a number literal.
        ("            return i\n", "            return 1 - i\n", []),
        ("            return i\n", "            return True * i\n", []),
        # An exit in front of statements cuts them off; one at the end of a block does not.
        (
            "        if x == target:\n",
            "        return i\n        if x == target:\n",
            [DEAD_CODE],
        ),
        ("        flag = False\n", "        flag = False\n        break\n", []),
        ("    return flag\n", "    return flag\n    flag = True\n", [DEAD_CODE]),
        # A loop variable, or a parameter, the seed reads and the candidate never does.
        ("        if x == target:\n", "        if i == target:\n", [DISCARDED_INPUT]),
        ("        if x == target:\n", "        if x == 3:\n", [DISCARDED_INPUT]),
        ("            return i\n", "            return x\n", [DISCARDED_INPUT]),
        # Still read, though otherwise: nothing thrown away.
        ("        if x == target:\n", "        if x >= target:\n", []),
        ("    while flag:\n", "    while not flag:\n", []),
    ],
)
def test_code_anti_patterns(before: str, after: str, expected: list[str]) -> None:
    assert before in SEED
    candidate = SEED.replace(before, after, 1)
    assert code_anti_patterns({"": SEED}, {"": candidate}) == expected


def test_nested_functions_and_other_files_are_compared_apart() -> None:
    seed = {"a.py": "def f():\n    def g():\n        return 1\n    return g()\n"}
    moved = {"a.py": "def f():\n    def g():\n        return 1\n    return 2\n"}
    assert code_anti_patterns(seed, moved) == [CONSTANT_RETURN]
    assert code_anti_patterns(seed, {"b.py": moved["a.py"]}) == []  # a new file: no baseline


def test_an_input_thrown_away_counts_reads_in_nested_code_and_spares_underscored_names() -> None:
    seed = "def total(rows, scale):\n    return sum(v * scale for _, v in rows)\n"
    assert code_anti_patterns({"": seed}, {"": seed.replace("v * scale", "2 * scale")}) == [
        DISCARDED_INPUT
    ]
    # `scale` read inside a lambda is still read.
    kept = seed.replace("v * scale", "(lambda: scale)() * v")
    assert code_anti_patterns({"": seed}, {"": kept}) == []
    # A name that says it is unused may stay unused.
    underscored = "def total(rows):\n    return sum(v + _ for _, v in rows)\n"
    assert code_anti_patterns({"": underscored}, {"": underscored.replace("v + _", "v")}) == []


def test_a_comprehension_that_stops_reading_its_own_variable_is_flagged() -> None:
    # The variable is read elsewhere, in another comprehension: the sum itself discards it.
    seed = (
        "def check(values):\n"
        "    if sum(v for v in values) > 9:\n"
        "        return False\n"
        "    return sum(i * v for i, v in enumerate(values)) % 11 == 0\n"
    )
    assert code_anti_patterns({"": seed}, {"": seed.replace("i * v", "i * 2")}) == [DISCARDED_INPUT]
    assert code_anti_patterns({"": seed}, {"": seed.replace("i * v", "i + v")}) == []


def test_a_result_of_another_kind_than_the_seeds_is_flagged() -> None:
    seed = ["true", "false", None, "true"]
    assert not result_type_changed(seed, ["false", "true", None, "false"])
    assert result_type_changed(seed, ["true", "[1, 2]", None, "false"])
    # A seed whose answers already vary in kind says nothing.
    assert not result_type_changed(["1", '"a"'], ["[1]", "[2]"])
    # Integers and floats are one kind: numbers.
    assert not result_type_changed(["1", "2"], ["1.5", "2"])


def test_an_identity_operation_the_seed_already_has_is_not_flagged() -> None:
    seed = "def f(n):\n    return n * 1\n"
    assert code_anti_patterns({"": seed}, {"": seed.replace("return", "x = 2\n    return")}) == []


def test_a_check_the_seed_asked_for_and_the_candidate_turns_off_is_flagged() -> None:
    seed = "def apart(a, b):\n    return sum(x != y for x, y in zip(a, b, strict=True)) == 1\n"
    silenced = seed.replace("strict=True", "strict=False")
    assert code_anti_patterns({"": seed}, {"": silenced}) == [SILENCED_CHECK]
    assert code_anti_patterns({"": seed}, {"": seed.replace(", strict=True", "")}) == [
        SILENCED_CHECK
    ]
    # Turning a check on, or a check the seed never had, is no anti-pattern.
    assert code_anti_patterns({"": silenced}, {"": seed}) == []


def test_a_check_that_opens_a_function_is_no_constant_return() -> None:
    seed = 'def count(text, word):\n    """Doc."""\n    return text.count(word)\n'
    checked = seed.replace('"""Doc."""\n', '"""Doc."""\n    if not word:\n        return 0\n')
    assert code_anti_patterns({"": seed}, {"": checked}) == []
    # The same return further down is a result made constant.
    late = seed.replace(
        "    return text", "    n = 1\n    if not word:\n        return 0\n    return text"
    )
    assert code_anti_patterns({"": seed}, {"": late}) == [CONSTANT_RETURN]


PATH_SUM = """\
def has_path(tree, i, target):
    if i >= len(tree) or tree[i] is None:
        return False
    children = [c for c in (2 * i + 1, 2 * i + 2) if c < len(tree)]
    if not children:
        return tree[i] == target
    return any(has_path(tree, c, target - tree[i]) for c in children)
"""


def test_a_recursive_answer_turned_round_or_dropped_is_flagged() -> None:
    negated = PATH_SUM.replace("return any(", "return not any(")
    assert code_anti_patterns({"": PATH_SUM}, {"": negated}) == [NEGATED_RECURSION]
    dropped = PATH_SUM.replace(
        "any(has_path(tree, c, target - tree[i]) for c in children)", "tree[i] is not None"
    )
    assert code_anti_patterns({"": PATH_SUM}, {"": dropped}) == [REMOVED_RECURSION]
    # A method recurses through `self`; a negation the seed already has is its own.
    method = "class Game:\n    def wins(self, n):\n        return n > 0 and not self.wins(n - 1)\n"
    assert code_anti_patterns({"": method}, {"": method.replace("n - 1", "n - 2")}) == []
    assert code_anti_patterns({"": method}, {"": method.replace("not self", "self")}) == []
    # A call of another function is no recursion: negating it is a fix like any other.
    other = "def f(x):\n    return g(x)\n"
    assert code_anti_patterns({"": other}, {"": other.replace("g(x)", "not g(x)")}) == []
    assert code_anti_patterns({"": other}, {"": other.replace("g(x)", "x")}) == []


VALIDATOR = """\
def valid(parts):
    for part in parts:
        if not part.isdigit():
            return False
        if int(part) > 255:
            return False
    return True
"""


@pytest.mark.parametrize(
    ("before", "after", "flagged"),
    [
        # A loop that only rejected now accepts from inside: the first part decides.
        (
            "        if int(part) > 255:\n            return False",
            "        if int(part) <= 255:\n            return True",
            True,
        ),
        (
            "            return False\n    return True",
            "            return len(part) == 3\n    return True",
            True,
        ),
        # Its checks changed, or its answer after the loop: still a check of every part.
        ("        if int(part) > 255:", "        if int(part) >= 255:", False),
        ("    return True\n", "    return len(parts) == 4\n", False),
    ],
)
def test_a_loop_that_answered_one_way_from_inside_and_now_answers_otherwise_is_flagged(
    before: str, after: str, flagged: bool
) -> None:
    candidate = VALIDATOR.replace(before, after, 1)
    assert candidate != VALIDATOR
    assert (EARLY_VERDICT in code_anti_patterns({"": VALIDATOR}, {"": candidate})) is flagged


def test_a_search_loop_that_now_rejects_from_inside_is_flagged() -> None:
    search = (
        "def has(xs, t):\n    for x in xs:\n        if x == t:\n            return True\n"
        "    return False\n"
    )
    assert code_anti_patterns(
        {"": search}, {"": search.replace("return True", "return False", 1)}
    ) == [EARLY_VERDICT]
    # A loop that already answers both ways says nothing by answering otherwise.
    both = search.replace(
        "    return False\n", "        if x > t:\n            return False\n    return False\n"
    )
    assert code_anti_patterns({"": both}, {"": both.replace("return True", "return x < t")}) == []
