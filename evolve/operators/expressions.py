"""Building expressions that mean what they say wherever they land.

libcst prints a tree as it is: put `a or b` under an `and` without parentheses and the text
parses back as something else. These helpers add parentheses exactly where precedence needs
them, so an operator's output reads like code a person would write.
"""

from __future__ import annotations

import libcst as cst

# Binds at least as tightly as `+` and `-`, so `x + 1` keeps x whole.
_ARITHMETIC = (
    cst.Add,
    cst.Subtract,
    cst.Multiply,
    cst.Divide,
    cst.FloorDivide,
    cst.Modulo,
    cst.Power,
    cst.MatrixMultiply,
)
_ATOMS = (
    cst.Name,
    cst.Attribute,
    cst.Subscript,
    cst.Call,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
)
# Looser than `not`, `and` and `or`: these need parentheses as their operands.
_LOOSE = (cst.BooleanOperation, cst.IfExp, cst.Lambda, cst.NamedExpr)


def has_parens(node: cst.BaseExpression) -> bool:
    return bool(node.lpar)


def parenthesize(node: cst.BaseExpression) -> cst.BaseExpression:
    if has_parens(node):
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _signed(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.UnaryOperation) and isinstance(
        node.operator, cst.Minus | cst.Plus | cst.BitInvert
    )


def plus(node: cst.BaseExpression, delta: int) -> cst.BinaryOperation:
    """`node + 1` or `node - 1`."""
    whole = (
        has_parens(node)
        or isinstance(node, _ATOMS)
        or _signed(node)
        or (isinstance(node, cst.BinaryOperation) and isinstance(node.operator, _ARITHMETIC))
    )
    return cst.BinaryOperation(
        left=node if whole else parenthesize(node),
        operator=cst.Add() if delta > 0 else cst.Subtract(),
        right=cst.Integer(str(abs(delta))),
    )


def negative(node: cst.BaseExpression) -> cst.UnaryOperation:
    """`-node`; `-a ** b` is already `-(a ** b)`, so powers need no parentheses."""
    whole = (
        has_parens(node)
        or isinstance(node, _ATOMS)
        or _signed(node)
        or (isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Power))
    )
    return cst.UnaryOperation(
        operator=cst.Minus(), expression=node if whole else parenthesize(node)
    )


def _loose(node: cst.BaseExpression) -> cst.BaseExpression:
    return parenthesize(node) if isinstance(node, _LOOSE) and not has_parens(node) else node


def negated(node: cst.BaseExpression) -> cst.BaseExpression:
    """`not node`, or node's operand when it already is `not x`."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        operand = node.expression
        if has_parens(node) and not has_parens(operand):
            # `(not x)` becomes `(x)`: parentheses may be all that separates it from a keyword.
            return operand.with_changes(lpar=node.lpar, rpar=node.rpar)
        return operand
    return cst.UnaryOperation(operator=cst.Not(), expression=_loose(node))


def joined(
    left: cst.BaseExpression, connector: str, right: cst.BaseExpression
) -> cst.BaseExpression:
    """`left and right` or `left or right`, each side kept whole."""
    operator = cst.And() if connector == "and" else cst.Or()
    return cst.BooleanOperation(left=_loose(left), operator=operator, right=_loose(right))


def spaced(whitespace: cst.SimpleWhitespace) -> cst.SimpleWhitespace:
    """A keyword's whitespace, widened to one space when it was none (`if(x):`): the new
    expression may not start with a parenthesis."""
    return cst.SimpleWhitespace(" ") if whitespace.value == "" else whitespace


def with_test(node: cst.If | cst.While, test: cst.BaseExpression) -> cst.If | cst.While:
    """`node` testing `test` instead, with a space after its keyword."""
    if isinstance(node, cst.If):
        return node.with_changes(
            test=test, whitespace_before_test=spaced(node.whitespace_before_test)
        )
    return node.with_changes(test=test, whitespace_after_while=spaced(node.whitespace_after_while))
