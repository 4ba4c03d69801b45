"""One-bug variants of correct solutions, used to test that the grader catches each."""
