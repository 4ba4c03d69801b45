"""Stage 6, the report: SubmissionResult -> what people read.

Enters: SubmissionResults (or their JSON documents). Leaves: the feedback JSON and
Gradescope results (:mod:`.feedback`), a terminal table (:mod:`.text`), the gradebook
(:mod:`.gradebook`) and class analytics (:mod:`.analytics`). Never imports the run.
"""
