"""Benchmarks, outside the default test run (``testpaths`` are ``tests/unit`` and ``tests/integration``).

``python -m tests.benchmarks.run_matching --seed 1 --out tests/benchmarks/results/`` measures matching quality
against the offline optimum; see ``docs/matching-benchmark.md``.
"""
