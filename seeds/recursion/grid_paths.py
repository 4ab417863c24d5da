"""Counting paths through grids."""


def grid_paths(rows, cols):
    """Paths from the top-left to the bottom-right corner of a rows x cols grid of cells,
    moving one step right or down at a time along the grid lines (1 when either is 0)."""
    if rows == 0 or cols == 0:
        return 1
    return grid_paths(rows - 1, cols) + grid_paths(rows, cols - 1)
