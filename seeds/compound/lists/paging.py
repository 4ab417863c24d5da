"""Splitting result lists into pages."""


def _page_count(total, per_page):
    """How many pages `total` items fill, `per_page` to a page; at least one."""
    return max(1, total // per_page)


def paginate(items, per_page, page):
    """Page `page` (counted from 1) of `items` in pages of `per_page` items: a dict with the
    page's items, its number and the number of pages. A page number past either end gives
    the nearest page; an empty list has one empty page."""
    pages = _page_count(len(items), per_page)
    page = min(page, pages)
    start = (page - 1) * per_page
    return {"items": items[start : start + per_page], "page": page, "pages": pages}
