"""Job fairs (招聘会): the organisers' fairs, booths and positions, attendance and hires, the weekly quotas of each
county, the worker's fair pass; the fairs' records, forms and pure decision.

Imports the kernel and ``services.people``; never ``services.market``.
"""
