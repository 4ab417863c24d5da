"""The Caesar cipher."""


def _shift_letter(ch, base, shift):
    """Rotate one letter within the 26 letters that start at code point base."""
    return chr(base + (ord(ch) - base + shift) % 26)


def caesar(text, shift):
    """Shift every ASCII letter of text by shift places in the alphabet, wrapping around.

    Case is kept and any other character passes through unchanged; a negative shift moves
    backwards, so caesar(caesar(t, s), -s) == t.
    """
    out = []
    for ch in text:
        if "a" <= ch <= "z":
            out.append(_shift_letter(ch, ord("a"), shift))
        elif "A" <= ch <= "Z":
            out.append(_shift_letter(ch, shift, ord("A")))
        else:
            out.append(ch)
    return "".join(out)
