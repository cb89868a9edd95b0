"""The office's content: E-Service catalogue, citizen manual and office information.

Data files an office edits (format: `knowledge/SCHEMA.md`), a loader that validates them
line by line, Thai search over them, and a live store that follows edits. No Flask, no SDK.
"""
