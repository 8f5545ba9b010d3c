"""The gig market (零工市场): check-ins and job requests, the market's pure decision, allocation and its policies,
the roster of who is busy, a placement's and a request's life on the clock, and the market's records on the wire.

Imports the kernel (``services.records``, ``clock``, ``settings``…) and ``services.people``; never ``services.fairs``.
"""
