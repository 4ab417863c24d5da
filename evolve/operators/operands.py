"""Which expressions the expression-building operators may rebuild, extend or wrap."""

from __future__ import annotations

import libcst as cst

from evolve.operators.analysis import children
from evolve.operators.context import Context
from evolve.operators.ingredients import ANY

# Values worth rebuilding: names, attribute reads, subscripts, calls and arithmetic. Literals
# are left to integer-constant and replace-string, except where an operator says otherwise.
OPERANDS = (cst.Name, cst.Attribute, cst.Subscript, cst.Call, cst.BinaryOperation)
_CONSTANTS = frozenset({"True", "False", "None"})
# Slots where a changed value means something else entirely: the object of `x.attr` or of
# `x[i]`, the function of a call, and a call made only for its effect.
_BASES: frozenset[tuple[type[cst.CSTNode], str]] = frozenset(
    {(cst.Attribute, "value"), (cst.Subscript, "value"), (cst.Call, "func"), (cst.Expr, "value")}
)
# Where off-by-one already adds and takes one: extend-expression leaves those to it.
NUDGED: frozenset[tuple[type[cst.CSTNode], str]] = frozenset(
    {
        (cst.Index, "value"),
        (cst.Slice, "lower"),
        (cst.Slice, "upper"),
        (cst.Comparison, "left"),
        (cst.ComparisonTarget, "comparator"),
    }
)


def is_operand(node: cst.CSTNode, context: Context, *, bases: bool = False) -> bool:
    """Whether `node` is a value an expression could be built around or put in place of.
    `bases`: the object of a subscript may be one too (`sorted(xs)[0]`)."""
    if not context.is_value or not isinstance(node, OPERANDS):
        return False
    if isinstance(node, cst.Name) and (node.value in _CONSTANTS or not context.is_load):
        return False
    slot = (context.parent, context.slot)
    if bases and slot == (cst.Subscript, "value"):
        return True
    return slot not in _BASES


def measurable(context: Context) -> list[str]:
    """Names `len()` may measure: the function's sequences and strings, then those of its
    parameters it only passes on (`text.find(word)` says nothing of what `word` is)."""
    ingredients = context.scope.ingredients
    unknown = [
        p
        for p in context.scope.params
        if ingredients.kinds.get(p, ANY) == ANY and p not in ingredients.sized
    ]
    return [*ingredients.sized[:2], *unknown[:2]]


def names_in(node: cst.CSTNode) -> set[str]:
    """Every bare name `node` mentions."""
    if isinstance(node, cst.Name):
        return {node.value}
    found: set[str] = set()
    for _, _, child in children(node):
        found |= names_in(child)
    return found
