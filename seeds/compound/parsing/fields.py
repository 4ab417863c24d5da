"""Splitting loosely formatted records into fields."""


def split_fields(line):
    """The fields of `line`, separated by commas, semicolons or tabs, each stripped of
    surrounding spaces; empty fields are kept, so "a,,b" has three fields."""
    separators = {",", "\t"}
    fields = []
    current = ""
    for ch in line:
        if ch in separators:
            fields.append(current)
            current = ""
        else:
            current += ch
    fields.append(current.strip())
    return fields
