"""The command line: arguments in, one of the other layers called, its result rendered.

Nothing else in the package imports it.
"""
