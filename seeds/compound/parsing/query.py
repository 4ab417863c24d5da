"""Parsing URL query strings."""


def parse_query(query):
    """The parameters of a query string such as "a=1&b=two&flag" as a dict: a parameter
    without "=" maps to "", empty parameters (from "&&" or a trailing "&") are skipped, and
    a later value overrides an earlier one."""
    params = {}
    start = 0
    while start < len(query) - 1:
        end = query.find("&", start)
        if end == -1:
            end = len(query)
        part = query[start:end]
        if part:
            key, _, value = part.partition("=")
            params[key] = value
            start = end + 1
    return params
