"""Stage 4, the calls: Assignment + sandbox -> inputs drawn and what the student returned.

Enters: an Assignment, a seed and a live Sandbox. Leaves: the problem's inputs
(:mod:`.inputs`, or the public fixtures of a release in :mod:`.fixtures`) and the
student's returns as labelled plain values, or a Failure that says why there are none
(:mod:`.extract`).
"""
