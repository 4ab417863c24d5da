"""Connected components of undirected graphs."""


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
                if nxt in seen:
                    stack.append(nxt)
    return count
