"""``testCases_v4``, as older versions of the notebook import it: the same test cases as ``testCases_v4a``."""

from testCases_v4a import *  # noqa: F401,F403
