"""The station's core: the encrypted vault, its records and objects, accounts and roles.

No Qt here (checked by import-linter): the desktop app in ``ui`` and the tools in ``sync`` build
on this package, never the other way round.
"""
