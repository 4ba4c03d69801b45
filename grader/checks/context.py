"""What every check kind is handed: the spec, the student's sandbox, the inputs, the reference.

Also the two things every kind needs besides: calling the reference (a module, by path,
or the public fixtures of a release) and the result of a call that produced no value.
"""

from __future__ import annotations

import copy
import unittest.mock
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from grader.calls import extract
from grader.calls.extract import Failure
from grader.calls.fixtures import PublicReference
from grader.calls.inputs import Problem
from grader.checks import roles
from grader.errors import AssignmentSpecError
from grader.records import CheckResult
from grader.run.sandbox import Sandbox
from grader.spec.model import Assignment, CheckSpec


@dataclass(frozen=True)
class Context:
    """What a check needs: the spec, the student's sandbox, the inputs, the reference."""

    assignment: Assignment
    sandbox: Sandbox
    problem: Problem
    reference: ModuleType | PublicReference | None
    defined: tuple[str, ...]

    def inputs(self, names, replace: Mapping[str, str] | None = None) -> list[Any]:
        replace = replace or {}
        out = []
        for name in names:
            key = replace.get(name, name)
            if key not in self.problem.values:
                raise AssignmentSpecError(f"names the input {key!r}, which is not defined; inputs: "
                                          f"{', '.join(sorted(self.problem.values))}", path=str(self.assignment.folder))
            out.append(self.problem[key])
        return out

    def reference_value(self, spec: CheckSpec, args: list[Any]) -> Any:
        """What the reference returns for a value check: its role's function, else the
        reference module's function of the same name."""
        if not spec.role:
            return self.reference_call(spec.function, args)
        fn = roles.function(spec.role, self.assignment.network, spec.cache or self.assignment.network.cache)
        return fn(*copy.deepcopy(args))

    def call(self, function: str, args: list[Any], patch: Mapping[str, str] | None = None) -> tuple[Any, Failure | None]:
        return extract.call(self.sandbox, function, args, defined=self.defined, patch=patch,
                            timeout=self.assignment.limits.call_timeout)

    def reference_call(self, function: str, args: list[Any], patch: Mapping[str, str] | None = None) -> Any:
        if self.reference is None:
            raise AssignmentSpecError(f"the spec has no reference module, so {function}() has no reference; "
                                      "give its check a 'role'", path=str(self.assignment.folder))
        if not isinstance(self.reference, ModuleType):
            # Public fixtures (grader.calls.fixtures): answers recorded at the public inputs.
            return self.reference.reference_call(function, args, patch)
        return call_reference(self.reference, function, args, patch, self.assignment)


def call_reference(module: ModuleType, function: str, args: list[Any], patch: Mapping[str, str] | None,
                   assignment: Assignment) -> Any:
    """``module.function(*args)`` on copies of ``args``, with ``patch`` applied to the module.

    Raises:
        AssignmentSpecError: the module has no such function.
    """
    fn = getattr(module, function, None)
    if fn is None:
        raise AssignmentSpecError(f"reference module {module.__name__} has no {function}()", path=str(assignment.folder))
    args = copy.deepcopy(args)
    if not patch:
        return fn(*args)
    # Instructor-written expressions from the spec, evaluated in the grader on the
    # reference module only: they never see student code.
    replacements = {name: eval(expr, vars(module)) for name, expr in patch.items()}  # noqa: S307
    with unittest.mock.patch.multiple(module, **replacements):
        return fn(*args)


def failed_result(spec: CheckSpec, failure: Failure, **extra) -> CheckResult:
    """The result of a check whose call produced no value (missing, raised, timed out)."""
    return CheckResult(spec.name, spec.function, failure.status, 0.0, spec.points, failure.message,
                       detail=failure.detail, **extra)
