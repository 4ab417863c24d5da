"""Reference for paginate: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def _page_count(total, per_page):
    """How many pages `total` items fill, `per_page` to a page; at least one."""
    return max(1, (total + per_page - 1) // per_page)


def paginate(items, per_page, page):
    """Page `page` (counted from 1) of `items` in pages of `per_page` items: a dict with the
    page's items, its number and the number of pages. A page number past either end gives
    the nearest page; an empty list has one empty page."""
    pages = _page_count(len(items), per_page)
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return {"items": items[start : start + per_page], "page": page, "pages": pages}


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[1, 2, 3, 4], 2, 1],
        [[1, 2, 3, 4, 5], 2, 3],
        [[], 10, 1],
        [[10, 20, 30], 2, 2],
        [[7, 8, 9], 3, 5],
        [list(range(10)), 3, 9],
        [list(range(12)), 4, 0],
        [[5], 4, 2],
    ]
    holdout = [[[1], 1, 1], [[1, 2], 1, 2], [list(range(7)), 7, 2], [list(range(8)), 7, 2]]
    for _ in range(80):
        items = list(range(rng.randint(0, 25)))
        holdout.append([items, rng.randint(1, 8), rng.randint(0, 6)])
    return [(args, {}) for args in search + holdout]
