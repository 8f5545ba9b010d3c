"""People and their access: ID numbers (checked, then only keyed pseudonyms and masks), accounts and roles, the
principal a request acts as, priority groups, unified social credit codes, and the registry's records.

Below every other domain: imports only the kernel.
"""
