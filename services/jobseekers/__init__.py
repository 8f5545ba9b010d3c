"""The public employment service (issue 27): registered job seekers, "四级三类" and the "1311" clock.

One package per domain: the grade (:mod:`.grade`), working days (:mod:`.calendar`), the records on the wire
(:mod:`.records`), the obligations each registration opens (:mod:`.obligations`) and the pure decision
(:mod:`.decide`). Framework-free: nothing here imports aiohttp, Faust or Redis.
"""
