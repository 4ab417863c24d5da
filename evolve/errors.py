"""The one exception type for "you asked for something wrong"."""


class UsageError(Exception):
    """Bad usage or bad input: shown as one line on stderr, exit status 2, no traceback."""
