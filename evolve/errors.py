"""The exceptions the command line reports as one line on stderr, without a traceback.

`evolve/cli.py` maps each to its exit status: `UsageError` and `RunStateError` to 2,
`RunAborted` to 1.
"""


class UsageError(Exception):
    """Bad usage or bad input: shown as one line on stderr, exit status 2, no traceback."""


class RunStateError(Exception):
    """A run directory whose recorded state is corrupt or does not hold together: a
    checkpoint that cannot be read or disagrees with the store, a seed file changed since
    the run started, a database that is not one. One line on stderr naming what is wrong,
    exit status 2, no traceback: the run cannot go on from that state, whatever is asked."""


class RunAborted(Exception):
    """A run stopped at once (a second Ctrl-C): one line on stderr saying what was kept, exit
    status 1. The store holds every finished generation; the generation in flight is lost."""
