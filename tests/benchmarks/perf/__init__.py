"""The performance benchmark (issue 9): ``python -m tests.benchmarks.perf`` / ``make bench-perf``."""
