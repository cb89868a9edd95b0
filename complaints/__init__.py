"""The complaint domain: general-complaint tickets, their codes, statuses and the 15-day clock.

Pure rules, no storage, Flask or SDK. The confidential corruption track will live here too,
apart from the general one.
"""
