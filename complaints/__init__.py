"""The complaint domain (tickets, the two tracks, SLA clock, statistics).

Empty until the general-complaints issue lands; it must never import bot, handlers,
Flask or an SDK (enforced by import-linter in the test suite).
"""
