"""Stage 2, the sandboxed run: cells -> a live, confined process to call into.

Enters: a notebook's code cells, the assignment's support files and the
:class:`~grader.run.sandbox.Limits`. Leaves: a :class:`~grader.run.sandbox.Sandbox`
whose ``run`` gives an ExecutionResult and whose ``call`` gives a CallResult of plain
arrays (:mod:`.wire`). Engines: :mod:`.kernel` (ipykernel) and :mod:`.warm` (forked
children of a warm worker); both confine the student with :mod:`.confine` and talk to
the in-sandbox :mod:`.harness`.
"""
