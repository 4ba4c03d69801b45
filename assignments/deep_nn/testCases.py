"""``testCases``, as the current notebook imports it: the same test cases as ``testCases_v4a``."""

from testCases_v4a import *  # noqa: F401,F403
