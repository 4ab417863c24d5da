"""When a variant may replace the champion: the gate on the search's tests, then the
holdout, generated inputs, minimisation and, for speed-ups, timed confirmation."""
