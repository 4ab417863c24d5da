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
from evolve.operators.boolean_operator import BooleanOperator
from evolve.operators.comparison import Comparison
from evolve.operators.context import Context, Scope, Seed, Source
from evolve.operators.copy_statement import CopyStatement
from evolve.operators.delete_statement import DeleteStatement
from evolve.operators.integer_constant import IntegerConstant
from evolve.operators.replace_name import ReplaceName
from evolve.operators.replace_return import ReplaceReturn
from evolve.operators.swap_arguments import SwapArguments
from evolve.operators.swap_statements import SwapStatements

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
        )
    }
)

__all__ = ["OPERATORS", "Context", "Operator", "Result", "Scope", "Seed", "Source"]
