"""Sample seeds shared by the program tests (sites, module, program), parsed once."""

from __future__ import annotations

import random

from hypothesis import strategies as st

from evolve.program.patch import Edit, Patch
from evolve.program.program import Program

# Realistic seeds: loops, recursion, classes, nested functions, comments, odd layouts.
LISTS = '''\
"""Small list algorithms, some of them wrong."""

import math

SENTINEL = -1  # returned when nothing is found


def largest(xs):
    """Return the largest element."""
    best = xs[0]
    for x in xs[1:]:
        # strict: ties keep the first
        if x > best:
            best = x
    return best


def bubble_sort(xs):
    xs = list(xs)
    n = len(xs)
    for i in range(n):
        swapped = False
        for j in range(0, n - i - 1):
            if xs[j] > xs[j + 1]:
                xs[j], xs[j + 1] = xs[j + 1], xs[j]
                swapped = True
        if not swapped:
            break
    return xs


def binary_search(xs, target):
    lo, hi = 0, len(xs) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if xs[mid] == target:
            return mid
        elif xs[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return SENTINEL


def mean(xs):
    if not xs:
        return math.nan
    return sum(xs) / len(xs)
'''


GRAPH = """\
from collections import deque


class Graph:
    \"\"\"An undirected graph as adjacency sets.\"\"\"

    kind = "undirected"

    def __init__(self):
        self.adj = {}

    def add_edge(self, a, b):
        self.adj.setdefault(a, set()).add(b)
        self.adj.setdefault(b, set()).add(a)

    def neighbours(self, node):
        return sorted(self.adj.get(node, ()))

    def bfs(self, start):
        seen = {start}
        order = []
        queue = deque([start])
        while queue:
            node = queue.popleft()
            order.append(node)
            for other in self.neighbours(node):
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
        return order


def reachable(graph, start, goal):
    def visit(node, seen):
        if node == goal:
            return True
        seen.add(node)
        return any(visit(n, seen) for n in graph.neighbours(node) if n not in seen)

    return visit(start, set())


def build(edges):
    g = Graph()
    for a, b in edges:
        g.add_edge(a, b)
    return g
"""


NUMBERS = """\
# Number theory, recursively and otherwise.
import functools

LIMIT = 1 << 16
counter = 0


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def gcd(a, b):
    while b:
        a, b = b, a % b
    else:
        pass
    return a


@functools.lru_cache(maxsize=None)
def factorial(n: int) -> int:
    return 1 if n <= 1 else n * factorial(n - 1)


def primes(limit=LIMIT):
    sieve = [True] * (limit + 1)
    for p in range(2, limit + 1):
        if not sieve[p]:
            continue
        yield p
        for q in range(p * p, limit + 1, p):
            sieve[q] = False


def bump(step=1):
    global counter
    counter += step
    flags = 0
    flags |= 0x4
    flags ^= step
    try:
        value = counter // step
    except ZeroDivisionError as error:
        raise ValueError(f"bad step {step}") from error
    with open("/dev/null") as sink:
        sink.write(str(value))
    return value if value is not None else flags


def describe(n):
    kind = "even" if n % 2 == 0 else "odd"
    squares = [k * k for k in range(n) if k not in (3, 5)]
    return {"kind": kind, "squares": squares, "f": lambda x: x + n}
"""


# One-line suites, async code, nonlocal, no trailing newline.
ODD = """\
import asyncio


def sign(x):
    if x < 0: return -1
    if x == 0: return 0
    return 1


def one(): return 1


def counter():
    count = 0

    def tick():
        nonlocal count
        count += 1
        return count

    return tick


async def gather(sources):
    results = []
    for source in sources:
        results.append(await source)
    async for item in sources[0]:
        results.append(item)
    await asyncio.sleep(0)
    return results"""


# Speed-up patterns and attribute access: recursion, list membership, loop-invariant work,
# an accumulation loop, methods.
SPEED = '''\
"""Slow but correct programs, waiting for speed-ups."""

from __future__ import annotations

# Counting, recursively.


def ways(n, coins):
    if n == 0:
        return 1
    if n < 0 or not coins:
        return 0
    return ways(n - coins[0], coins) + ways(n, coins[1:])


def common(xs, ys):
    wanted = list(ys)
    seen = []
    out = []
    for x in xs:
        limit = len(ys) * 2
        if x in wanted and x not in seen:
            seen.append(x)
            out.append(x)
        if len(out) > limit:
            break
    return out


def total(xs):
    t = 0
    for x in xs:
        t += x
    return t


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm(self):
        return abs(self.x) + abs(self.y)

    def label(self, sep=","):
        if self.x is None:
            return ""
        return f"{self.x}{sep}{self.y}" if sep else 'origin'
'''


# Windows newlines and tabs.
CRLF = "def total(xs):\r\n\tt = 0\r\n\tfor x in xs:\r\n\t\tt += x\r\n\treturn t\r\n"


SAMPLES = {
    "lists": LISTS,
    "graph": GRAPH,
    "numbers": NUMBERS,
    "odd": ODD,
    "crlf": CRLF,
    "speed": SPEED,
}


PROGRAMS = {name: Program.parse(source, path=f"{name}.py") for name, source in SAMPLES.items()}


# Part of each sample editable, to check that the rest never changes.
EDITABLE = {
    "lists": ["largest", "binary_search"],
    "graph": ["Graph.bfs", "reachable"],
    "numbers": ["gcd", "bump"],
    "odd": ["counter", "sign"],
    "crlf": ["total"],
    "speed": ["ways", "common", "Point.label"],
}


PARTIAL = {
    name: Program.parse(SAMPLES[name], path=f"{name}.py", editable=names)
    for name, names in EDITABLE.items()
}


names = st.sampled_from(sorted(SAMPLES))


seeds = st.integers(min_value=0, max_value=2**32)


sizes = st.integers(min_value=1, max_value=4)


def random_patch(program: Program, seed: int, size: int) -> Patch:
    rng = random.Random(seed)
    edits = (program.random_edit(rng) for _ in range(size))
    return tuple(edit for edit in edits if edit is not None)


NESTED = "def f(a, b, c):\n    x = a + b - c\n    return x\n"


def find(program: Program, operator: str, render: str) -> Edit:
    for site in program.sites:
        for edit in program.edits_at(site.address):
            if edit.operator == operator and render in program.render((edit,)):
                return edit
    raise AssertionError(f"no {operator} edit renders {render!r}")


def edits_of(program: Program, operator: str) -> list[Edit]:
    return [
        edit
        for site in program.sites
        for edit in program.edits_at(site.address)
        if edit.operator == operator
    ]
