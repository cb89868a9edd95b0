"""E-Service catalogue, citizen manual and office information (data files, search).

Empty until the knowledge issue lands; same import rules as complaints.
"""
