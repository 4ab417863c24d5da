"""Audit and human oversight: the hash-chained record, verify, review, apply and rollback.

Kept free of imports so the engine can use `evolve.store.chain` without pulling in the
command line.
"""
