"""The domain of the gig-market platform, framework-free.

Everything outside ``services/adapters/`` is pure: no aiohttp, aiokafka, faust or redis imports, no I/O and
no reading of the wall clock. The gateway (pre-checks), the stream agents (authoritative decisions) and the
unit tests call the same functions. ``tests/unit/test_architecture.py`` enforces the rule.
"""
