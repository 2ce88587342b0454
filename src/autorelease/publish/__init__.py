"""Carrying a plan out: checks, files, tests, build, push, upload, GitHub release, recovery.

Depends on the core and the shared modules; never on the command line or the hooks.
"""
