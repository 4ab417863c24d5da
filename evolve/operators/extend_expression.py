"""Build on a value: `x` -> `x - lo`, `lo + hi` -> `(lo + hi) // 2`, `n` -> `n - i`,
`hour + n` -> `(hour + n) % 24`.

The missing-term bug: a value that needs one more operand, made of a small constant or a
number the function already has. off-by-one adds and takes one where indices, bounds and
comparisons are; this does the rest, everywhere a number is read: assigned values, call
arguments (the argument of a recursive call), returned values. The value stays whole inside
the new expression, so an edit made to it first (another name, say) carries on. A value
stored, returned or passed whole that should wrap around (an angle past a full turn, an
hour past midnight) is taken modulo one of the program's larger constants.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import libcst as cst

from evolve.operators.analysis import children
from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import binary, replacing
from evolve.operators.ingredients import ANY, NUM, Ingredient
from evolve.operators.operands import NUDGED, is_operand, measurable, names_in
from evolve.program.patch import Payload

_OPERATORS: dict[str, type[cst.BaseBinaryOp]] = {
    "+": cst.Add,
    "-": cst.Subtract,
    "*": cst.Multiply,
    "//": cst.FloorDivide,
    "%": cst.Modulo,
}
_SIDES = ("right", "left")
_NAMES = 4  # numbers of the function to combine with, the function's own first
_EXPRESSIONS = 3  # numeric sub-expressions of the function to combine with, nearest first
_PERIODS = 2  # the program's largest integer constants, as moduli of a wrap-around
# Where a value is whole, not a part of a larger one: a wrap-around is taken of what is
# stored, returned, passed or indexed by (`hour = (hour + n) % 24`), and offering it at every
# sub-expression as well would thin out the edits of every numeric site for one defect class.
_WHOLE_VALUES: frozenset[tuple[type[cst.CSTNode] | None, str]] = frozenset(
    {
        (cst.Assign, "value"),
        (cst.AugAssign, "value"),
        (cst.Return, "value"),
        (cst.Arg, "value"),
        (cst.Index, "value"),
    }
)
MAX_PAYLOADS = 36


def _parse(payload: Payload) -> tuple[str, str, str] | None:
    if not isinstance(payload, tuple) or len(payload) != 3:
        return None
    symbol, operand, side = payload
    if not isinstance(symbol, str) or not isinstance(operand, str) or not isinstance(side, str):
        return None
    return (symbol, operand, side) if symbol in _OPERATORS and side in _SIDES else None


def _repeats(node: cst.CSTNode, payload: Payload, code: Callable[[cst.CSTNode], str]) -> bool:
    """Whether `node` already is the extension `payload` makes: the same extension twice is
    no new edit (`x + 1 + 1` is integer-constant's job)."""
    parsed = _parse(payload)
    if parsed is None or not isinstance(node, cst.BinaryOperation):
        return False
    symbol, text, side = parsed
    if type(node.operator) is not _OPERATORS[symbol]:
        return False
    return code(node.right if side == "right" else node.left) == text


_WITH_NAME = (("+", "right"), ("-", "right"), ("-", "left"))


def _is_number(code: str) -> bool:
    return code.lstrip("-").strip().isdigit()


def _terms(expressions: Sequence[Ingredient], own: str, line: int) -> list[str]:
    """Numeric sub-expressions of the function to add or take away, nearest first: element
    reads and calls (`tree[i]`, `len(word)`, whose kind the seed may not tell) before
    arithmetic, which the names it is made of mostly cover already."""

    def usable(e: Ingredient) -> bool:
        if e.code == own or _is_number(e.code):
            return False
        return e.kind == NUM or (e.kind == ANY and e.code.endswith("]"))

    nearest = sorted((e for e in expressions if usable(e)), key=lambda e: abs(e.line - line))
    reads = [e.code for e in nearest if e.code.endswith(("]", ")"))]
    arithmetic = [e.code for e in nearest if not e.code.endswith(("]", ")"))]
    return reads[:_EXPRESSIONS] + arithmetic[:2]


def _periods(node: cst.CSTNode, context: Context) -> list[str]:
    """The program's largest integer constants above 2, largest first: the periods a value
    may have to wrap around (`360` for an angle, `24` for an hour, `7` for a weekday), as in
    `(hours * 30 + minutes / 2) % 360` where the hours run past 12. Not one the value
    already holds (`hours * 30 % 30` is 0)."""
    held = {context.seed.code(n) for n in _integers(node)}
    values = {int(text) for text in context.seed.facts.numbers if text.isdigit()}
    return [str(v) for v in sorted(values, reverse=True) if v > 2 and str(v) not in held][:_PERIODS]


def _integers(node: cst.CSTNode) -> list[cst.Integer]:
    if isinstance(node, cst.Integer):
        return [node]
    return [i for _, _, child in children(node) for i in _integers(child)]


def _reindexed(node: cst.CSTNode, context: Context) -> list[str]:
    """`xs[i]` read at other names of the function that may be indices: `xs[j]`, `xs[k]`."""
    if not isinstance(node, cst.Subscript) or len(node.slice) != 1:
        return []
    index = node.slice[0].slice
    if not isinstance(index, cst.Index) or not isinstance(index.value, cst.Name):
        return []
    base = context.seed.code(node.value)
    kinds = context.scope.ingredients.kinds
    others = [
        name
        for name in context.scope.names
        if name not in (index.value.value, base) and kinds.get(name, ANY) in (NUM, ANY)
    ]
    return [f"{base}[{name}]" for name in others[:_NAMES]]


class ExtendExpression(Operator):
    """Payload [operator, operand, side]: `value <operator> operand` when side is "right",
    `operand <operator> value` when "left"."""

    name = "extend-expression"
    node_types = (
        cst.Name,
        cst.Attribute,
        cst.Subscript,
        cst.Call,
        cst.BinaryOperation,
        cst.Integer,
    )
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        slot = (context.parent, context.slot)
        ingredients = context.scope.ingredients
        own = names_in(node)
        names = [n for n in ingredients.numbers if n not in own][:_NAMES]
        # Where the function has fewer numbers, names whose kind its code does not tell, after
        # every other payload: `cost, children = tree` ... `return best` where `cost + best`
        # was meant, `cost` only ever unpacked and returned.
        untyped = [n for n in ingredients.untyped if n not in own][: _NAMES - len(names)]
        if isinstance(node, cst.Integer):
            # A bare constant where a difference was meant: `min(d, 360)` -> `min(d, 360 - d)`.
            if not context.is_value or slot in NUDGED or slot == (cst.Expr, "value"):
                return []
            return [(symbol, name, side) for name in names for symbol, side in _WITH_NAME]
        if not is_operand(node, context) or ingredients.kind(node) not in (NUM, ANY):
            return []
        found: list[Payload] = []
        if slot not in NUDGED:
            found += [("+", "1", "right"), ("-", "1", "right")]
        for name in names:
            found += [(symbol, name, side) for symbol, side in _WITH_NAME]
        # Counting from the other end: `i` -> `len(xs) - i`; past a matched word:
        # `start = found` -> `start = found + len(word)`.
        found += [("-", f"len({s})", "left") for s in measurable(context)]
        found += [("+", f"len({s})", "right") for s in measurable(context)]
        # A term the function computes elsewhere: `target` -> `target - tree[i]`.
        code = context.seed.code(node)
        for expression in _terms(ingredients.expressions, code, context.line):
            found += [("+", expression, "right"), ("-", expression, "right")]
        # The same sequence read elsewhere: `prefix[hi]` -> `prefix[hi] - prefix[lo]`.
        for other in _reindexed(node, context):
            found += [("-", other, "right"), ("+", other, "right")]
        if slot in _WHOLE_VALUES:
            found += [("%", period, "right") for period in _periods(node, context)]
        found += [("//", "2", "right"), ("*", "2", "right"), ("%", "2", "right")]
        found += [("+", name, "right") for name in untyped]
        return [p for p in found if not _repeats(node, p, context.seed.code)][:MAX_PAYLOADS]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        parsed = _parse(payload)
        if parsed is None or not isinstance(node, self.node_types):
            return None
        symbol, text, side = parsed
        operand = context.seed.expression(text)
        if operand is None:
            return None
        kind = _OPERATORS[symbol]
        if _repeats(node, parsed, lambda side_node: context.seed.code(side_node)):
            return None
        inner = node.with_changes(lpar=[], rpar=[])
        left, right = (inner, operand) if side == "right" else (operand, inner)
        return replacing(node, binary(left, kind(), right), (context.parent, context.slot))

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        parsed = _parse(payload)
        if parsed is None:
            return super().describe(node, payload, context)
        symbol, text, side = parsed
        operand = context.seed.expression(text)
        if operand is None or not isinstance(node, cst.BaseExpression):
            return super().describe(node, payload, context)
        # As it renders, parentheses and all: `hours * 30 + minutes * 0.5` ->
        # `(hours * 30 + minutes * 0.5) % 360`, not a `% 360` that reads as binding tighter.
        inner = node.with_changes(lpar=[], rpar=[])
        left, right = (inner, operand) if side == "right" else (operand, inner)
        after = binary(left, _OPERATORS[symbol](), right)
        return f"{context.seed.code(node)} -> {context.seed.code(after)}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def middle(lo, hi):\n    mid = lo + hi\n    return mid\n",
                "def middle(lo, hi):\n    mid = (lo + hi) // 2\n    return mid\n",
            ),
            (
                "def count(n):\n    if n <= 0:\n        return 0\n    return 1 + count(n)\n",
                "def count(n):\n    if n <= 0:\n        return 0\n    return 1 + count(n - 1)\n",
            ),
            (
                "def turn(a, b):\n    d = abs(a - b)\n    return min(d, 360)\n",
                "def turn(a, b):\n    d = abs(a - b)\n    return min(d, 360 - d)\n",
            ),
            (
                "def remaining(total, used):\n    if used > total:\n        return 0\n"
                "    return total\n",
                "def remaining(total, used):\n    if used > total:\n        return 0\n"
                "    return total - used\n",
            ),
            (
                "def missing(xs):\n    seen = 0\n    for x in xs:\n        if x:\n"
                "            seen += 1\n    return seen\n",
                "def missing(xs):\n    seen = 0\n    for x in xs:\n        if x:\n"
                "            seen += 1\n    return len(xs) - seen\n",
            ),
        ]
