"""Reading durations written like "1d 2h30m"."""


def parse_duration(text):
    """The number of seconds in `text`: numbers each followed by a unit, d (days), h, m or s,
    optionally separated by spaces. None if the text is malformed or names an unknown unit."""
    units = {"h": 3600, "m": 60, "s": 1}
    total = 0
    number = ""
    for ch in text:
        if ch.isdigit():
            number += ch
        elif ch == " ":
            continue
        elif ch in units and number:
            total = int(number) * units[ch]
            number = ""
        else:
            return None
    if number:
        return None
    return total
