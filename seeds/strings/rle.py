"""Run-length decoding."""


def rle_decode(text):
    """Expand run-length encoded text: "3a2bc" -> "aaabbc", "12x" -> twelve x's.

    A count (one or more digits) repeats the character after it; a character without a
    count stands for itself.
    """
    out = []
    count = 0
    for ch in text:
        if ch.isdigit():
            count = count * 10 + int(ch)
        else:
            count = 0
            out.append(ch * max(count, 1))
    return "".join(out)
