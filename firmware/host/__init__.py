"""The host side of the agent protocol: constants, frame codec, messages, client.

``protocol`` is the one definition of every constant (the C header is generated from
it, see ``firmware/PROTOCOL.md``); a new message goes in ``protocol`` and ``messages``.
"""
