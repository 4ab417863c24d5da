"""Reference for count_components: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def count_components(graph):
    """Number of connected components of an undirected graph.

    graph maps every node to the list of its neighbours; each edge is listed at both ends.
    """
    seen = set()
    count = 0
    for start in graph:
        if start in seen:
            continue
        count += 1
        stack = [start]
        while stack:
            node = stack.pop()
            seen.add(node)
            for nxt in graph[node]:
                if nxt not in seen:
                    stack.append(nxt)
    return count


def _graph(rng, n, p):
    nodes = [f"n{i}" for i in range(n)]
    graph = {node: [] for node in nodes}
    for i in range(n):
        for j in range(i + 1, n):
            if rng.random() < p:
                graph[nodes[i]].append(nodes[j])
                graph[nodes[j]].append(nodes[i])
    return graph


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        {},
        {"a": []},
        {"a": [], "b": []},
        {"a": [], "b": [], "c": [], "d": []},
        {"a": ["b"], "b": ["a"]},
        {"a": ["b"], "b": ["a"], "c": []},
        {"a": ["b", "c"], "b": ["a", "c"], "c": ["a", "b"]},
        {"a": ["b"], "b": ["a", "c"], "c": ["b"], "d": ["e"], "e": ["d"]},
    ]
    search += [_graph(rng, rng.randint(3, 9), rng.choice([0.15, 0.3, 0.5])) for _ in range(8)]
    holdout = [{"x": ["y"], "y": ["x"], "z": []}, {f"k{i}": [] for i in range(7)}]
    holdout += [
        _graph(rng, rng.randint(1, 12), rng.choice([0.0, 0.1, 0.2, 0.4, 0.7])) for _ in range(70)
    ]
    return [([g], {}) for g in search + holdout]
