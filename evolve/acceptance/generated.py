"""Generated inputs against overfitting: more inputs shaped like the cases, drawn by Hypothesis.

A variant can pass every case and still be wrong everywhere else. From the types and ranges of
the case arguments we infer a Hypothesis strategy per argument and draw a fixed number of
further inputs, once per run and deterministically (a seed derived from the run's seed). What
they are checked against depends on the goal:

- speedup: the seed is the oracle (differential testing): a variant must give the seed's
  answers on every generated input the seed answered;
- repair: the seed is wrong somewhere, so its answers prove nothing, but a repair must not
  raise where the seed or the current champion did not.

Inference stays inside what the cases show: lengths within the observed range, numbers at most
a little beyond it and never across zero, lists sorted when every observed list was, strings
from the observed alphabet. Inputs outside a function's unstated preconditions would make the
check reject correct variants.
"""

from __future__ import annotations

import contextlib
import json
import math
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

from sandbox import Case, CaseSuite

# Hypothesis explores far more than it keeps (duplicates, filtered draws): a cap on its tries.
_TRIES_PER_INPUT = 3
# Numbers may go this fraction of the observed span beyond it: new values, same magnitude.
_WIDEN = 0.1


@dataclass(frozen=True)
class Shape:
    """What the observed values of one argument have in common, as a Hypothesis strategy."""

    strategy: st.SearchStrategy[Any]
    kind: str  # for people and tests: "int", "float", "str", "bool", "none", "list", "dict", ...


def infer(values: Sequence[Any]) -> Shape:
    """The shape of one argument from the values the cases give it."""
    groups: dict[str, list[Any]] = {}
    for value in values:
        groups.setdefault(_kind(value), []).append(value)
    if "float" in groups and "int" in groups:  # a numeric argument that happens to be whole
        groups["float"] += groups.pop("int")
    shapes = [_infer_kind(kind, members) for kind, members in sorted(groups.items())]
    if not shapes:
        return Shape(st.nothing(), "nothing")
    if len(shapes) == 1:
        return shapes[0]
    return Shape(st.one_of(*(s.strategy for s in shapes)), "|".join(s.kind for s in shapes))


def _kind(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return "other"


def _infer_kind(kind: str, values: list[Any]) -> Shape:
    # Observed values stay in the mix: they hit the boundaries and the equalities (a stop word
    # that is in the list) that random draws from the same range rarely do.
    observed = st.sampled_from(_unique(values))
    if kind == "int":
        low, high = _widened(min(values), max(values))
        return Shape(st.one_of(observed, st.integers(math.ceil(low), math.floor(high))), kind)
    if kind == "float":
        finite = [v for v in values if math.isfinite(v)]
        if not finite:
            return Shape(observed, kind)
        low, high = _widened(min(finite), max(finite))
        floats = st.floats(low, high, allow_nan=False, allow_infinity=False)
        return Shape(st.one_of(observed, floats), kind)
    if kind == "str":
        alphabet = "".join(sorted({c for v in values for c in v}))
        if not alphabet:
            return Shape(st.just(""), kind)
        lengths = [len(v) for v in values]
        # Lists of the alphabet's characters, joined: `st.text` with any alphabet builds
        # Hypothesis's Unicode category table first, 0.6 to 1.5 s in every run.
        letters = st.lists(st.sampled_from(alphabet), min_size=min(lengths), max_size=max(lengths))
        text = letters.map("".join)
        return Shape(st.one_of(observed, text), kind)
    if kind == "list":
        return _infer_list(values)
    if kind == "dict":
        return _infer_dict(values)
    return Shape(observed, kind)  # bool, None, anything else: only what was seen


def _infer_list(values: list[Any]) -> Shape:
    record = _infer_record(values)
    if record is not None:
        return record
    elements = [item for value in values for item in value]
    lengths = [len(value) for value in values]
    if not elements:
        return Shape(st.just([]), "list")
    element = infer(elements)
    lists = st.lists(element.strategy, min_size=min(lengths), max_size=max(lengths))
    # A function over sorted lists (binary search, merging) says so only by its cases. Only
    # lists of one orderable kind can be sorted: a list mixing numbers and strings cannot.
    if _all_sorted(values) and element.kind in ("int", "float", "str"):
        lists = lists.map(sorted)
    return Shape(lists, f"list[{element.kind}]")


def _infer_record(values: list[Any]) -> Shape | None:
    """Lists that are records, drawn position by position; None for lists of one kind of item.

    A record is what every observed list is when all have one length (two or more) and their
    positions hold different kinds: `[cost, [children]]`, `(name, score)`. Pooled, the items
    would be drawn in any order and number: a cost-tree's `[6, [[2, []]]]` became `[6, 0]`,
    which the seed cannot even read, and an input the seed does not answer checks nothing.
    Position by position, each keeps its own kind and range, nested records too (down to the
    depth the cases show)."""
    lengths = {len(value) for value in values}
    if len(lengths) != 1 or min(lengths) < 2:
        return None
    columns = [[value[i] for value in values] for i in range(min(lengths))]
    kinds = [{_kind(item) for item in column} for column in columns]
    if all(column_kinds == kinds[0] for column_kinds in kinds):
        return None
    shapes = [infer(column) for column in columns]
    records: st.SearchStrategy[Any] = st.tuples(*(shape.strategy for shape in shapes))
    if not all(isinstance(value, tuple) for value in values):
        records = records.map(list)
    return Shape(records, "record[" + ", ".join(shape.kind for shape in shapes) + "]")


def _infer_dict(values: list[Any]) -> Shape:
    keys = [key for value in values for key in value]
    items = [item for value in values for item in value.values()]
    sizes = [len(value) for value in values]
    if not keys:
        return Shape(st.just({}), "dict")
    value_shape = infer(items)
    dicts = st.dictionaries(
        infer(keys).strategy, value_shape.strategy, min_size=min(sizes), max_size=max(sizes)
    )
    return Shape(dicts, f"dict[{value_shape.kind}]")


def _all_sorted(values: list[Any]) -> bool:
    """Every observed list is in ascending order, and enough of them are long enough to say."""
    long_enough = [v for v in values if len(v) >= 3]
    if not long_enough:
        return False
    try:
        return all(list(v) == sorted(v) for v in values)
    except TypeError:  # elements that do not order
        return False


def _widened(low: float, high: float) -> tuple[float, float]:
    margin = max(1.0, (high - low) * _WIDEN)
    new_low, new_high = low - margin, high + margin
    # Zero is where preconditions live (counts, sizes, indices): never cross it.
    if low >= 0:
        new_low = max(new_low, 0)
    if high <= 0:
        new_high = min(new_high, 0)
    return new_low, new_high


def _unique(values: Iterable[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(_canonical(value), value)
    return [seen[key] for key in sorted(seen)]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, allow_nan=True)


def case_strategy(
    cases: Sequence[Case],
) -> st.SearchStrategy[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Arguments and keyword arguments shaped like the cases'. Cases with another number of
    positional arguments than the most common one (optional arguments) are left out."""
    arities = [len(case.args) for case in cases]
    arity = max(set(arities), key=lambda n: (arities.count(n), -n))
    chosen = [case for case in cases if len(case.args) == arity]
    positional = [infer([case.args[i] for case in chosen]).strategy for i in range(arity)]
    names = sorted({name for case in chosen for name in case.kwargs})
    # A keyword argument some cases leave out may be left out here too.
    always = {n for n in names if all(n in case.kwargs for case in chosen)}
    required = {n: infer([c.kwargs[n] for c in chosen if n in c.kwargs]).strategy for n in always}
    optional = {
        n: infer([c.kwargs[n] for c in chosen if n in c.kwargs]).strategy
        for n in names
        if n not in always
    }
    return st.tuples(st.tuples(*positional), st.fixed_dictionaries(required, optional=optional))


def generate_inputs(
    cases: Sequence[Case], count: int, run_seed: int = 0
) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """`count` distinct inputs (at most) not among the cases, the same for the same seed."""
    if not cases or count <= 0:
        return []
    strategy = case_strategy(cases)
    known = {_canonical([list(c.args), c.kwargs]) for c in cases}
    drawn: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}

    # Hypothesis draws through a test function; this one only collects. No database (a run
    # must not depend on files from other runs), no shrinking (nothing fails), no deadline.
    @seed(run_seed)
    @settings(
        max_examples=count * _TRIES_PER_INPUT,
        database=None,
        phases=(Phase.generate,),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
        print_blob=False,
    )
    @given(strategy)
    def collect(example: tuple[tuple[Any, ...], dict[str, Any]]) -> None:
        if len(drawn) >= count:
            return
        args, kwargs = example
        try:
            key = _canonical([list(args), kwargs])
        except ValueError:  # not JSON-able: cannot be sent to the sandbox
            return
        if key not in known:
            drawn.setdefault(key, (tuple(args), dict(kwargs)))

    with _private_storage():
        collect()
    return list(drawn.values())


@contextlib.contextmanager
def _private_storage() -> Iterator[None]:
    """Hypothesis caches what it learns about the process's own modules in `.hypothesis/`
    under the working directory; a run must not leave files in the user's directory."""
    previous = storage_directory(intent_to_write=False).path
    with tempfile.TemporaryDirectory(prefix="evolve-hypothesis-") as directory:
        set_hypothesis_home_dir(directory)
        try:
            yield
        finally:
            set_hypothesis_home_dir(previous)


MAX_FUNCTIONS = 5  # functions of a pytest task's program that get generated inputs


def recorded_input_suite(
    calls: dict[str, list[list[Any]]],
    functions: Sequence[str] | None,
    count: int = 40,
    run_seed: int = 0,
) -> CaseSuite | None:
    """Generated inputs for a pytest task: shaped like the arguments its functions received
    in the seed's tests (`calls`: function -> [args, kwargs] pairs), for `functions` (None:
    every function called), each case calling its own function. None when nothing was
    recorded. The functions called most often get inputs first; `count` is shared."""
    chosen = [f for f in (functions if functions is not None else calls) if calls.get(f)]
    chosen = sorted(chosen, key=lambda f: (-len(calls[f]), f))[:MAX_FUNCTIONS]
    if not chosen:
        return None
    share = max(5, count // len(chosen))
    cases: list[Case] = []
    for function in chosen:
        observed = [
            Case(name=f"{function}[{i}]", args=tuple(args), kwargs=dict(kwargs))
            for i, (args, kwargs) in enumerate(calls[function])
        ]
        for args, kwargs in generate_inputs(observed, share, run_seed):
            cases.append(
                Case(
                    name=f"generated[{len(cases)}] {function}",
                    args=args,
                    kwargs=kwargs,
                    entry=function,
                )
            )
    if not cases:
        return None
    return CaseSuite(entry=chosen[0], cases=tuple(cases), keep_outputs=True)
