"""The operator registry: one module per operator, registered here in a fixed order.

Adding an operator is adding a module and a line below; the parametrised example test picks
it up from `OPERATORS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from evolve.operators.augmented_assignment import AugmentedAssignment
from evolve.operators.base import Operator, Result
from evolve.operators.binary_operator import BinaryOperator
from evolve.operators.boolean_constant import BooleanConstant
from evolve.operators.boolean_operator import BooleanOperator
from evolve.operators.comparison import Comparison
from evolve.operators.context import Context, Scope, Seed, Source
from evolve.operators.copy_statement import CopyStatement
from evolve.operators.delete_statement import DeleteStatement
from evolve.operators.drop_offset import DropOffset
from evolve.operators.early_return import EarlyReturn
from evolve.operators.edit_collection import EditCollection
from evolve.operators.edit_string import EditString
from evolve.operators.edited_copy import EditedCopy
from evolve.operators.extend_condition import ExtendCondition
from evolve.operators.extend_expression import ExtendExpression
from evolve.operators.extend_sequence import ExtendSequence
from evolve.operators.flush_after_loop import FlushAfterLoop
from evolve.operators.guard_statement import GuardStatement
from evolve.operators.hoist_expression import HoistExpression
from evolve.operators.hoist_invariant import HoistInvariant
from evolve.operators.insert_jump import InsertJump
from evolve.operators.integer_constant import IntegerConstant
from evolve.operators.memoise import Memoise
from evolve.operators.move_statement import MoveStatement
from evolve.operators.negate_condition import NegateCondition
from evolve.operators.none_check import NoneCheck
from evolve.operators.none_constant import NoneConstant
from evolve.operators.off_by_one import OffByOne
from evolve.operators.range_bounds import RangeBounds
from evolve.operators.replace_attribute import ReplaceAttribute
from evolve.operators.replace_callee import ReplaceCallee
from evolve.operators.replace_name import ReplaceName
from evolve.operators.replace_return import ReplaceReturn
from evolve.operators.replace_string import ReplaceString
from evolve.operators.return_condition import ReturnCondition
from evolve.operators.return_truth import ReturnTruth
from evolve.operators.round_up import RoundUp
from evolve.operators.set_membership import SetMembership
from evolve.operators.sum_loop import SumLoop
from evolve.operators.swap_arguments import SwapArguments
from evolve.operators.swap_operands import SwapOperands
from evolve.operators.swap_statements import SwapStatements
from evolve.operators.synthesise_expression import SynthesiseExpression
from evolve.operators.unary_minus import UnaryMinus
from evolve.operators.unwrap_call import UnwrapCall
from evolve.operators.wrap_call import WrapCall

# The order is part of the contract: `Program.edits_at` and `random_edit` follow it, so
# changing it changes which edit a given random seed picks.
OPERATORS: Mapping[str, Operator] = MappingProxyType(
    {
        operator.name: operator
        for operator in (
            BinaryOperator(),
            Comparison(),
            BooleanOperator(),
            AugmentedAssignment(),
            IntegerConstant(),
            ReplaceName(),
            SwapArguments(),
            DeleteStatement(),
            CopyStatement(),
            SwapStatements(),
            ReplaceReturn(),
            OffByOne(),
            ReplaceAttribute(),
            ReplaceCallee(),
            GuardStatement(),
            ExtendCondition(),
            NoneCheck(),
            NegateCondition(),
            InsertJump(),
            MoveStatement(),
            UnaryMinus(),
            BooleanConstant(),
            NoneConstant(),
            ReplaceString(),
            Memoise(),
            SetMembership(),
            HoistInvariant(),
            SumLoop(),
            HoistExpression(),
            # The fix templates: expressions built from the function's own ingredients,
            # calls wrapped and unwrapped, literals, bounds, returns, edited copies, operands.
            ExtendExpression(),
            SynthesiseExpression(),
            WrapCall(),
            UnwrapCall(),
            EditCollection(),
            EditString(),
            RangeBounds(),
            ReturnTruth(),
            EditedCopy(),
            SwapOperands(),
            ReturnCondition(),
            ExtendSequence(),
            RoundUp(),
            FlushAfterLoop(),
            EarlyReturn(),
            DropOffset(),
        )
    }
)

__all__ = ["OPERATORS", "Context", "Operator", "Result", "Scope", "Seed", "Source"]
