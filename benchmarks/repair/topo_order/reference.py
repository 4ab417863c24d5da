"""Reference for topo_order: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def topo_order(graph):
    """A topological order of the graph's nodes, or None when the graph has a cycle.

    graph maps each node to the nodes that must come after it; a node that only appears as
    a target has no outgoing edges. Among the nodes that are ready at the same time the
    smallest comes first, so the order is unique.
    """
    indegree = {node: 0 for node in graph}
    for node in graph:
        for nxt in graph[node]:
            indegree[nxt] = indegree.get(nxt, 0) + 1
    ready = sorted(node for node, degree in indegree.items() if degree == 0)
    order = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for nxt in graph.get(node, []):
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
        ready.sort()
    if len(order) < len(indegree):
        return None
    return order


NAMES = "abcdefgh"


def _dag(rng, n, cycle):
    nodes = rng.sample(NAMES, n)
    graph = {node: [] for node in nodes}
    for i in range(n):
        for j in range(i + 1, n):
            if rng.random() < 0.35:
                graph[nodes[i]].append(nodes[j])
    if cycle and n > 1:
        i, j = sorted(rng.sample(range(n), 2))
        graph[nodes[j]].append(nodes[i])
    if n > 2 and rng.random() < 0.3:
        sink = nodes[-1]
        if not graph[sink]:
            del graph[sink]
    return graph


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        {},
        {"a": []},
        {"b": [], "a": [], "c": []},
        {"a": ["a"]},
        {"a": ["b"], "b": ["a"]},
        {"a": ["b"], "b": []},
        {"c": ["b"], "b": ["a"], "a": []},
        {"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": []},
        {"a": ["b"], "b": ["c"], "c": ["a"], "d": []},
        {"x": ["y"]},
    ]
    search += [_dag(rng, rng.randint(3, 7), cycle=False) for _ in range(5)]
    search += [_dag(rng, 5, cycle=True)]
    holdout = [{"a": [], "b": ["a"]}, {"e": ["d"], "d": ["c"], "c": ["b"], "b": ["a"]}]
    holdout += [_dag(rng, rng.randint(2, 8), cycle=rng.random() < 0.25) for _ in range(70)]
    return [([g], {}) for g in search + holdout]
