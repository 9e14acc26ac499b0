"""Fiks Arkiv: file journal entries in the municipality's sak- og arkivsystem through KS's arkivmelding.

A Django app of its own (label ``fiks``) so its models and migrations stay apart from the journal core.
See docs/fiks-arkiv.md.
"""
