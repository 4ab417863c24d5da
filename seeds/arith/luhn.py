"""Card-number checksums."""

DIGITS = "0123456789"


def luhn_valid(number):
    """True when number passes the Luhn checksum used by payment cards.

    Spaces between digit groups are allowed; any other non-digit character, or fewer than
    two digits in all, makes the number invalid.
    """
    digits = []
    for ch in number:
        if ch in DIGITS:
            digits.append(int(ch))
        elif ch != " ":
            return False
    if len(digits) < 2:
        return False
    total = 0
    # Walk from the check digit leftwards, doubling every second digit.
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 10
        total += digit
    return total % 10 == 0
