"""Building expressions that mean what they say wherever they land.

libcst prints a tree as it is: put `a or b` under an `and` without parentheses and the text
parses back as something else. These helpers add parentheses exactly where precedence needs
them, so an operator's output reads like code a person would write.
"""

from __future__ import annotations

import dataclasses

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


def retoken(old: cst.CSTNode, new_kind: type[cst.CSTNode]) -> cst.CSTNode:
    """A `new_kind` token that keeps `old`'s whitespace, so the diff shows only the operator."""
    old_fields = {f.name for f in dataclasses.fields(old)}
    kept = {
        f.name: getattr(old, f.name) for f in dataclasses.fields(new_kind) if f.name in old_fields
    }
    return new_kind(**kept)


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


def plus(node: cst.BaseExpression, delta: int) -> cst.BaseExpression:
    """`node + 1` or `node - 1`; an offset already there is folded: `n - 1` plus one is `n`,
    not `n - 1 + 1` (the edit a person would make, and a smaller change to review)."""
    folded = _fold_offset(node, delta)
    if folded is not None:
        return folded
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


def _fold_offset(node: cst.BaseExpression, delta: int) -> cst.BaseExpression | None:
    """`x + k` or `x - k` (a decimal literal k, no parentheses) with delta added, or None."""
    if has_parens(node) or not isinstance(node, cst.BinaryOperation):
        return None
    if not isinstance(node.operator, cst.Add | cst.Subtract):
        return None
    right = node.right
    if not isinstance(right, cst.Integer) or has_parens(right) or not right.value.isdigit():
        return None
    sign = 1 if isinstance(node.operator, cst.Add) else -1
    offset = sign * int(right.value) + delta
    if offset == 0:
        return node.left
    operator = cst.Add() if offset > 0 else cst.Subtract()
    return node.with_changes(
        operator=retoken(node.operator, type(operator)), right=cst.Integer(str(abs(offset)))
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


# Binding strength, loosest first, as in the grammar; parenthesised nodes are atoms.
_LAMBDA, _IFEXP, _OR, _AND, _NOT, _COMPARE = 0, 1, 2, 3, 4, 5
_UNARY, _POWER, _ATOM = 12, 13, 15
_BINARY_LEVELS: dict[type[cst.CSTNode], int] = {
    cst.BitOr: 6,
    cst.BitXor: 7,
    cst.BitAnd: 8,
    cst.LeftShift: 9,
    cst.RightShift: 9,
    cst.Add: 10,
    cst.Subtract: 10,
    cst.Multiply: 11,
    cst.Divide: 11,
    cst.FloorDivide: 11,
    cst.Modulo: 11,
    cst.MatrixMultiply: 11,
    cst.Power: _POWER,
}
# Slots that take any expression as it is: nothing around the node binds tighter.
LOOSE_SLOTS: frozenset[tuple[type[cst.CSTNode], str]] = frozenset(
    {
        (cst.Return, "value"),
        (cst.Assign, "value"),
        (cst.AugAssign, "value"),
        (cst.AnnAssign, "value"),
        (cst.Arg, "value"),
        (cst.Index, "value"),
        (cst.Slice, "lower"),
        (cst.Slice, "upper"),
        (cst.Slice, "step"),
        (cst.Element, "value"),
        (cst.DictElement, "key"),
        (cst.DictElement, "value"),
        (cst.If, "test"),
        (cst.While, "test"),
        (cst.Assert, "test"),
        (cst.CompIf, "test"),
    }
)


def precedence(node: cst.BaseExpression) -> int:
    """How tightly `node` binds as written: higher binds tighter."""
    if has_parens(node):
        return _ATOM
    if isinstance(node, cst.BinaryOperation):
        return _BINARY_LEVELS.get(type(node.operator), _ATOM)
    if isinstance(node, cst.BooleanOperation):
        return _AND if isinstance(node.operator, cst.And) else _OR
    if isinstance(node, cst.UnaryOperation):
        return _NOT if isinstance(node.operator, cst.Not) else _UNARY
    if isinstance(node, cst.Comparison):
        return _COMPARE
    if isinstance(node, cst.IfExp):
        return _IFEXP
    if isinstance(node, cst.Lambda):
        return _LAMBDA
    if isinstance(node, cst.NamedExpr | cst.Yield | cst.Tuple | cst.StarredElement):
        return -1  # needs parentheses wherever it is an operand
    if isinstance(node, cst.GeneratorExp):
        # Unparenthesised only as a call's sole argument, whose parentheses it borrows.
        return -1  # needs parentheses wherever it is an operand
    return _ATOM


def _at_least(node: cst.BaseExpression, level: int) -> cst.BaseExpression:
    return node if precedence(node) >= level else parenthesize(node)


def binary(
    left: cst.BaseExpression, operator: cst.BaseBinaryOp, right: cst.BaseExpression
) -> cst.BinaryOperation:
    """`left <operator> right`, each side parenthesised where it would otherwise bind wrong:
    `a - (b - c)`, `(a + b) * c`, `(-a) ** b`."""
    level = _BINARY_LEVELS[type(operator)]
    if level == _POWER:
        # Right-associative, and a unary minus on its left would take the whole power.
        left, right = _at_least(left, _POWER + 1), _at_least(right, _UNARY)
    else:
        left, right = _at_least(left, level), _at_least(right, level + 1)
    return cst.BinaryOperation(left=left, operator=operator, right=right)


def comparable(node: cst.BaseExpression) -> cst.BaseExpression:
    """`node` as an operand of a comparison."""
    return _at_least(node, _COMPARE + 1)


def call(function: str, *arguments: cst.BaseExpression) -> cst.Call:
    """`function(arguments...)`; a bare tuple or a yield as an argument gets parentheses."""
    args = [
        cst.Arg(
            value=_at_least(value, _LAMBDA),
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if index < len(arguments) - 1
            else cst.MaybeSentinel.DEFAULT,
        )
        for index, value in enumerate(arguments)
    ]
    return cst.Call(func=cst.Name(function), args=args)


def replacing(
    old: cst.BaseExpression, new: cst.BaseExpression, slot: tuple[type[cst.CSTNode] | None, str]
) -> cst.BaseExpression:
    """`new` to stand where `old` stood: with `old`'s parentheses, or with parentheses of
    its own when it binds more loosely than `old` did and the slot is not a loose one."""
    if has_parens(old):
        return new if has_parens(new) else new.with_changes(lpar=old.lpar, rpar=old.rpar)
    if slot in LOOSE_SLOTS and precedence(new) >= _LAMBDA:
        return new
    return new if precedence(new) >= precedence(old) else parenthesize(new)
