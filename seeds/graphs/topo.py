"""Ordering the jobs of a dependency graph."""


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
            indegree[nxt] += 1
            if indegree[nxt] == 0:
                ready.append(nxt)
        ready.sort()
    if len(order) < len(indegree):
        return None
    return order
