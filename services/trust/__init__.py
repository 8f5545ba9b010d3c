"""Trust on both sides (issue 28): reliability records of workers and employers, complaints and wage disputes as
cases in the county's staff queue, and the rules that use them.

One package per domain: the reliability records of placements and their figures over 30 and 90 days
(:mod:`.figures`), the case records on the wire (:mod:`.records`), the pure decision on cases (:mod:`.decide`)
and the rules that refuse or pause (:mod:`.rules`). Framework-free: nothing here imports aiohttp, Faust or Redis.
See docs/trust.md.
"""
