"""Reading a matrix in spiral order."""


def _rotate_left(matrix):
    """The matrix turned a quarter counter-clockwise: its last column becomes its first row."""
    return list(zip(*matrix, strict=True))[::-1]


def spiral_order(matrix):
    """The entries of a rectangular matrix (a list of rows) in clockwise spiral order from
    the top-left corner, spiralling inwards."""
    if not matrix or not matrix[0]:
        return []
    return matrix[0] + spiral_order(_rotate_left(matrix))
