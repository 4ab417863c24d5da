"""Searching lines of text."""


def matching_lines(lines, needle):
    """The lines that contain `needle`, ignoring case, each stripped of surrounding spaces,
    in their order; an empty needle matches every line."""
    wanted = needle.lower()
    out = []
    for line in lines:
        text = line
        if text.lower() in wanted:
            out.append(text)
    return out
