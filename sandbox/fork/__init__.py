"""The fork mode: a pool of warm workers, each forking one isolated child per evaluation.

`server.ForkServer` (in the engine's process) talks to `worker` processes over
length-prefixed frames (`framing`); each worker sets up the isolation `layers` once and
pre-forks a `child` that applies them and runs the harness."""
