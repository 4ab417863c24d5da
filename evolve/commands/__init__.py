"""The verbs' implementations, one module per group: `running` (run, resume, stop),
`tasks` (tasks, eval, doctor), `scaffold` (init), `inspect` (runs, log, diff, report),
`audit` (verify, review, apply, rollback), `benching` (bench). Their grammar is `parser`;
`evolve/cli.py` loads a verb's module only when that verb runs."""
