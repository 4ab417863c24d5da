"""The program being evolved: its files parsed once, the sites edits may touch, patches
(tuples of edits) and how a patch renders to source and to a diff."""
