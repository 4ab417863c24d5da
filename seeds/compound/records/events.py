"""Selecting log events in a time window."""


def events_between(events, start, end):
    """The names of the [time, name] events whose time lies in [start, end], both ends
    included, ordered by time (ties keep their order). A window given the wrong way round
    is read the right way round."""
    if start > end:
        start, end = end, start
    chosen = [event for event in events if start < event[0] < end]
    chosen.sort(key=lambda event: event[1])
    return [name for _, name in chosen]
