"""Read models: pure projections from facts to the JSON views the pages and the API read.

A projection says which view keys an event touches (:meth:`Projection.keys_for`) and how it changes them
(:meth:`Projection.apply`): current values in, new values out, no I/O. The runner in
``projector/app.py`` fetches, applies and writes them to Redis atomically with the consumed
offsets, so a view is updated exactly once per record even across crashes. Views also remember the ids of
the events they applied, so a fact re-emitted by an agent after a crash (same id) changes nothing.
"""
