"""Streaks in a log of daily counts."""


def longest_streak(days, goal):
    """The length of the longest run of consecutive days whose count reaches `goal`.

    `days` holds one count per day, in order; 0 when no day reaches the goal.
    """
    best = 0
    run = 0
    for count in days:
        if count > goal:
            run += 1
            best = run
        else:
            run = 0
    return best
