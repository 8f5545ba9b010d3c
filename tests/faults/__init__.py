"""Fault tests (issue 8): kill, restart and partition the real stack, then check the invariants."""
