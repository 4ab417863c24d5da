"""Counting words in text."""


def count_occurrences(text, word):
    """How many times `word` occurs in `text` without overlaps, scanning from left to right:
    "aa" occurs twice in "aaaaa". An empty word occurs 0 times."""
    count = 0
    start = 0
    while True:
        found = text.find(word, start)
        if found == -1:
            return count
        count += 1
        start = found
