"""Add or remove a unary minus: `return d` -> `return -d`, `x = -y` -> `x = y`. Sign bugs."""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import has_parens, negative
from evolve.program.patch import Payload

_ADD, _REMOVE = "add", "remove"
# Values a minus can go in front of and still mean a number. Integer literals are left to
# integer-constant, which already turns 1 into -1.
_NUMERIC = (cst.Name, cst.Attribute, cst.Subscript, cst.Call, cst.Float, cst.BinaryOperation)
_CONSTANTS = frozenset({"True", "False", "None"})
_ARITHMETIC = (
    cst.Add,
    cst.Subtract,
    cst.Multiply,
    cst.Divide,
    cst.FloorDivide,
    cst.Modulo,
    cst.Power,
)


def _numeric(value: cst.BaseExpression | None) -> bool:
    if not isinstance(value, _NUMERIC):
        return False
    if isinstance(value, cst.Name):
        return value.value not in _CONSTANTS
    if isinstance(value, cst.BinaryOperation):
        return isinstance(value.operator, _ARITHMETIC)
    return True


def _is_minus(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)


def _value(node: cst.CSTNode) -> cst.BaseExpression | None:
    if isinstance(node, cst.Return | cst.Assign | cst.AugAssign):
        return node.value
    return None


class UnaryMinus(Operator):
    """On the value of a return or assignment it adds a minus; on `-x` anywhere it removes it."""

    name = "unary-minus"
    node_types = (cst.UnaryOperation, cst.Return, cst.Assign, cst.AugAssign)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if _is_minus(node):
            return [_REMOVE]
        return [_ADD] if _numeric(_value(node)) else []

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if payload == _REMOVE and isinstance(node, cst.UnaryOperation) and _is_minus(node):
            operand = node.expression
            if has_parens(node) and not has_parens(operand):
                return operand.with_changes(lpar=node.lpar, rpar=node.rpar)
            return operand
        value = _value(node)
        if payload != _ADD or value is None or not _numeric(value):
            return None
        if isinstance(node, cst.Return) and isinstance(
            node.whitespace_after_return, cst.SimpleWhitespace
        ):
            # `return(x)` holds no space; `return-(x)` would read oddly.
            ws = node.whitespace_after_return
            node = node.with_changes(
                whitespace_after_return=ws if ws.value else cst.SimpleWhitespace(" ")
            )
        return node.with_changes(value=negative(value))

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        code = context.seed.code
        if isinstance(node, cst.UnaryOperation):
            return f"{code(node)} -> {code(node.expression)}"
        value = _value(node)
        if value is None:
            return super().describe(node, payload, context)
        return f"{code(value)} -> {code(negative(value))}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def drop(h, d):\n    return h - d\n",
                "def drop(h, d):\n    return -(h - d)\n",
            ),
            ("def f(x):\n    y = -x\n    return y\n", "def f(x):\n    y = x\n    return y\n"),
            (
                "def g(x):\n    y = 2 * x\n    return y\n",
                "def g(x):\n    y = -(2 * x)\n    return y\n",
            ),
        ]
