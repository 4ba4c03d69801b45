"""Stage 3, the assignment spec: assignment.toml + the course folder -> typed Assignment.

Enters: an assignment name or folder. Leaves: a frozen, validated
:class:`~grader.spec.model.Assignment` (what to call, with what, worth what, under which
limits and tolerances) and, through :mod:`.course`, the instructor's reference modules,
loaded by path from the course folder (never installed with the grader).
"""
