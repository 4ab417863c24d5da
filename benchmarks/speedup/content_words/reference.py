"""Reference for content_words: a correct, faster program and the inputs of its cases.

The seed is correct too; this version does less work."""

from __future__ import annotations

import random


def content_words(words, stopwords):
    """The words that are not stop words (compared without case), in their order."""
    out = []
    stops = [stop.lower() for stop in stopwords]
    for word in words:
        if word.lower() not in stops:
            out.append(word)
    return out


STOP = [
    "a",
    "an",
    "the",
    "of",
    "to",
    "in",
    "and",
    "or",
    "is",
    "it",
    "on",
    "at",
    "by",
    "for",
    "with",
    "as",
    "be",
    "this",
    "that",
    "from",
    "was",
    "are",
    "but",
    "not",
]
WORDS = [
    "cat",
    "dog",
    "The",
    "house",
    "A",
    "river",
    "Of",
    "tree",
    "green",
    "runs",
    "fast",
    "IS",
    "blue",
    "sky",
    "And",
    "stone",
    "bird",
    "light",
    "It",
    "road",
]


def _case(rng, n, k):
    return [[rng.choice(WORDS + STOP) for _ in range(n)], rng.sample(STOP, k)]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [[[], ["a"]], [["a"], []], [["The", "cat"], ["the"]], [["x", "y"], ["A", "B"]]]
    search += [_case(rng, rng.randint(20, 40), rng.randint(10, 20)) for _ in range(12)]
    holdout = [[["AND", "and", "And"], ["and"]], [["tree"], STOP]]
    holdout += [_case(rng, rng.randint(0, 40), rng.randint(0, 24)) for _ in range(60)]
    return [(args, {}) for args in search + holdout]
