"""What a run keeps: the SQLite run store, checkpoints, the event log and the hash chain
over accepted changes."""
