"""Commit messages checked before they land: the commit-msg and pre-push hooks, `check`.

Depends on the core and the shared modules; never on the command line or publishing.
"""
