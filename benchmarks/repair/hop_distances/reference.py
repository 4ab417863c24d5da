"""Reference for hop_distances: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random
from collections import deque

NODES = "abcdefgh"


def hop_distances(graph, start):
    dist = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in graph.get(node, []):
            if nxt not in dist:
                dist[nxt] = dist[node] + 1
                queue.append(nxt)
    return dist


def _graph(rng: random.Random, size: int, density: float) -> dict[str, list[str]]:
    nodes = NODES[:size]
    graph = {}
    for node in nodes:
        targets = [other for other in nodes if rng.random() < density]
        if targets or rng.random() < 0.5:
            graph[node] = targets
    return graph


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [{}, "a"],
        [{"a": ["b", "c", "d"]}, "a"],
        [{"a": ["b"], "b": ["c"], "c": []}, "a"],
        [{"a": ["a"]}, "a"],
        [{"a": ["b"], "b": ["a"]}, "b"],
        [{"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": ["a"]}, "a"],
        [{"x": ["y"], "y": ["z"]}, "z"],
        [{"hub": ["p", "q"], "p": ["hub"], "q": ["q"]}, "hub"],
    ]
    search += [[_graph(rng, rng.randint(3, 6), 0.3), rng.choice(NODES[:3])] for _ in range(8)]
    holdout = [
        [{"a": []}, "a"],
        [{"a": ["b"]}, "c"],
        [{"a": ["b"], "b": ["c"], "c": ["d"], "d": ["e"], "e": ["a"]}, "c"],
        [{"s": ["t", "u", "v", "w"], "w": ["s"]}, "s"],
    ]
    holdout += [
        [_graph(rng, rng.randint(1, 8), rng.choice([0.15, 0.25, 0.4])), rng.choice(NODES[:4])]
        for _ in range(60)
    ]
    return [(args, {}) for args in search + holdout]
