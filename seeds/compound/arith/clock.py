"""Angles on an analogue clock."""


def _hand_angles(hours, minutes):
    """Angles in degrees, clockwise from 12, of the hour and the minute hands."""
    hour_angle = hours * 30 + minutes * 0.5
    minute_angle = minutes * 6
    return hour_angle, minute_angle


def clock_angle(time):
    """The smaller angle in degrees between the hands at `time`, "H:MM" on a 24-hour clock."""
    hours, minutes = time.split(":")
    hour_angle, minute_angle = _hand_angles(int(hours), int(minutes))
    diff = abs(hour_angle - minute_angle)
    return min(diff, 360)
