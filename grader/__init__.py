"""backprop-grader: grade hand-written backpropagation, block by block."""

from grader.errors import AssignmentSpecError, FunctionNotFoundError, GraderError, NotebookExecutionError, UsageError
from grader.checks.gradcheck import check_gradients, distance
from grader.spec.tolerances import DEFAULT_TOLERANCES, Tolerances
from grader.records import BlockReport, Diagnosis, Entry, GradientReport
from grader.checks.blocks import flatten, unflatten

__version__ = "0.1.0"

__all__ = [
    "AssignmentSpecError",
    "BlockReport",
    "DEFAULT_TOLERANCES",
    "Diagnosis",
    "Entry",
    "FunctionNotFoundError",
    "GradientReport",
    "GraderError",
    "NotebookExecutionError",
    "Tolerances",
    "UsageError",
    "__version__",
    "check_gradients",
    "distance",
    "flatten",
    "unflatten",
]
