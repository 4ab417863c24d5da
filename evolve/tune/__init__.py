"""`evolve tune SUITE`: the engine tunes its own search settings on a suite of tasks.

`space` is what may be tuned (genes over `SearchSettings`), `scoring` turns bench outcomes
into a score and splits a suite into training and held-out tasks, `jobs` runs one bench run
here or on a Dask worker, `store` records a tuning run, `loop` is the genetic algorithm,
`profile` reads and writes the settings file that `evolve run --profile` loads, `show` and
`command` are what a person sees.
"""
