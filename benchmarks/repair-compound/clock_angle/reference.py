"""Reference for clock_angle: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def _hand_angles(hours, minutes):
    """Angles in degrees, clockwise from 12, of the hour and the minute hands."""
    hour_angle = (hours % 12) * 30 + minutes * 0.5
    minute_angle = minutes * 6
    return hour_angle, minute_angle


def clock_angle(time):
    """The smaller angle in degrees between the hands at `time`, "H:MM" on a 24-hour clock."""
    hours, minutes = time.split(":")
    hour_angle, minute_angle = _hand_angles(int(hours), int(minutes))
    diff = abs(hour_angle - minute_angle)
    return min(diff, 360 - diff)


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = ["3:00", "9:00", "6:00", "12:30", "10:10", "3:15", "0:50", "23:45"]
    holdout = ["0:00", "12:00", "21:00", "18:00", "4:40", "8:20"]
    holdout += [f"{rng.randint(0, 23)}:{rng.randint(0, 59):02d}" for _ in range(80)]
    return [([t], {}) for t in search + holdout]
