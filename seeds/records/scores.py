"""Totals over score records."""


def total_score(records):
    """Sum of the "score" fields of records; a score that is None or missing counts as 0."""
    total = 0
    for record in records:
        score = record.get("score")
        total += score
    return total
