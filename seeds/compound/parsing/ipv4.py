"""Validating dotted-quad IPv4 addresses."""


def valid_ipv4(text):
    """Whether `text` is an IPv4 address: four decimal numbers from 0 to 255 separated by
    dots, without signs, spaces or leading zeros."""
    parts = text.split(".")
    for part in parts:
        if not part.isdigit() or len(part) > 3:
            return False
        if part[0] == "0" and len(part) > 1:
            return False
        if int(part) >= 255:
            return False
    return True
