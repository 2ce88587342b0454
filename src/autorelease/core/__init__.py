"""The planning core: commits in, a release plan out. It reads git and files, and prints nothing.

Depends only on the shared modules at the top of the package (errors, fileio, git, scrub, ...).
"""
