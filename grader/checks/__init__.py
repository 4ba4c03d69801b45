"""Stage 5, the checks and their diagnosis: returns + reference -> CheckResult.

Enters: a CheckSpec, the student's returns and the reference (module or public
fixtures). Leaves: a CheckResult with its points and, for gradients, a GradientReport
per block: central differences of the reference cost (:mod:`.gradcheck`), the blocks
(:mod:`.blocks`), the kind of bug (:mod:`.diagnose`), the check kinds (:mod:`.kinds`,
:mod:`.dropout`, :mod:`.roles`) and how points are earned (:mod:`.scoring`).
"""
