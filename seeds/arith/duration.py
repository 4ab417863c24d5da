"""Formatting durations."""


def _split(seconds):
    """(hours, minutes, seconds) of a number of seconds; minutes and seconds below 60."""
    hours = seconds // 3600
    minutes = seconds // 60 + hours * 60
    return hours, minutes, seconds % 60


def format_duration(seconds):
    """seconds >= 0 as "H:MM:SS": 3725 -> "1:02:05"."""
    hours, minutes, secs = _split(seconds)
    return f"{hours}:{minutes:02d}:{secs:02d}"
