"""The one exception type for "you asked for something wrong"."""


class UsageError(Exception):
    """Bad usage or bad input: shown as one line on stderr, exit status 2, no traceback."""


class RunAborted(Exception):
    """A run stopped at once (a second Ctrl-C): one line on stderr saying what was kept, exit
    status 1. The store holds every finished generation; the generation in flight is lost."""
