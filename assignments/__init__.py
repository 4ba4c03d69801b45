"""Assignments bundled with the grader (specs, starter notebooks, support modules)."""
