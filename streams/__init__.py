"""The stream processors (faust-streaming): single writers of market state, fed by ``market-commands``.

Every agent reads like ``decode → core → send``: decoding and the decision live in ``services/``; here we
only wire topics and tables, and make sure no exception ever escapes an agent (Faust would ack and lose the
record). Records that cannot be decoded or applied go to ``dead-letters`` with the reason.
"""
