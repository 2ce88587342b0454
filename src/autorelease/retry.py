"""Tries again with a doubling backoff: the one loop behind every call that may fail for a
moment (reading the index, uploading to it, each request to GitHub).

A try says that trying again may help by raising `Again` with the error to end with; anything
else it raises ends the loop at once. The retries are bounded and each is announced.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

_T = TypeVar("_T")


class Again(Exception):
    """A try failed for a reason that may pass: ERROR is raised when no try is left.

    REASON is the failure in a few words, for the line that announces the retry; WAIT is the
    seconds to wait instead of the backoff (a rate limit that says when it lifts).
    """

    def __init__(self, error: Exception, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.error = error
        self.reason = reason
        self.wait = wait


def retrying(
    action: Callable[[int], _T],
    *,
    attempts: int,
    backoff: float,
    before_retry: Callable[[Again, int, float], None],
) -> _T:
    """ACTION(attempt), attempt 1, 2, ..., until it returns, ATTEMPTS tries in all.

    After a try that raises Again, BEFORE_RETRY(again, attempt, delay) announces the retry and
    the loop sleeps DELAY: BACKOFF seconds, doubled before each further try, or the wait the
    try asked for. The last try's Again raises its error.
    """
    for attempt in range(1, attempts + 1):
        try:
            return action(attempt)
        except Again as again:
            if attempt >= attempts:
                raise again.error from None
            delay = again.wait if again.wait is not None else backoff * 2 ** (attempt - 1)
            before_retry(again, attempt, delay)
            time.sleep(delay)
    raise AssertionError("unreachable: the last try returns or raises")
