"""Reading settings written as key-separator-value lines."""


def parse_settings(text, sep):
    """The settings in `text` as a dict: one "key<sep>value" a line, key and value stripped.

    Blank lines, lines starting with "#" and lines without `sep` are skipped; a later line
    overrides an earlier one; the value is everything after the first `sep`.
    """
    settings = {}
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cut = line.rfind(sep)
        if cut == -1:
            continue
        settings[line[:cut].strip()] = line[cut + 1 :].strip()
    return settings
