"""The `autorelease` program: the command line, with the cyclic garbage collector off.

A run allocates objects from its first import to its exit and frees almost none of them
before, so the collector would only rescan them: during the imports, while the command runs
(main() pauses it there in any case), and three times more as the interpreter exits.
"""

from __future__ import annotations

import gc
import sys


def run() -> None:
    """Run the command line of sys.argv and exit with its status."""
    gc.disable()  # before the imports of the command line, which allocate thousands of objects
    from autorelease.cli.main import main

    code = main()
    gc.freeze()  # the exit frees the run's objects by reference counts, without a cycle scan
    sys.exit(code)
