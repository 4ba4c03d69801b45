"""Stage 1, the submission: a file -> a notebook and what its cells define.

Enters: the bytes of a student's notebook. Leaves: a parsed notebook
(:mod:`.notebook`), per-cell facts (:mod:`.cellcode`) and the set of cells grading
needs (:mod:`.prune`). Nothing here runs student code.
"""
