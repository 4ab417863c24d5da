"""Breadth-first search over small directed graphs."""

from collections import deque


def hop_distances(graph, start):
    """Fewest edges needed to reach each node from start, as {node: hops}.

    graph maps a node to the list of nodes it has edges to; a node that only appears as a
    target has no outgoing edges. Only nodes reachable from start are in the result, start
    itself with 0 hops.
    """
    dist = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in graph.get(node, []):
            if nxt not in dist:
                # First visit in breadth-first order is along a shortest path.
                dist[nxt] = dist[start] + 1
                queue.append(nxt)
    return dist
