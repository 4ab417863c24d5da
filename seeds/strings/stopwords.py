"""Filtering stop words."""


def content_words(words, stopwords):
    """The words that are not stop words (compared without case), in their order."""
    out = []
    for word in words:
        if word.lower() not in [stop.lower() for stop in stopwords]:
            out.append(word)
    return out
