"""backprop-grader: grade hand-written backpropagation, block by block."""

from .errors import AssignmentSpecError, FunctionNotFoundError, GraderError, NotebookExecutionError, UsageError
from .gradcheck import DEFAULT_TOLERANCES, Tolerances, check_gradients, distance
from .records import BlockReport, Diagnosis, Entry, GradientReport
from .blocks import flatten, unflatten

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
