"""From a patch to an `Evaluation`: render, refuse what `forbid` rules out, look up the
cache, and run the rest through an executor (local threads or a Dask cluster) in a sandbox."""
