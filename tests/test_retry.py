"""The one retry loop: bounded tries, a doubling backoff, the error of the last try."""

from __future__ import annotations

import pytest

from autorelease import retry


def _loop(
    outcomes: list[Exception | str], attempts: int = 3
) -> tuple[str, list[tuple[int, float]]]:
    """Run retrying over OUTCOMES (one per try: raised if an exception, else returned)."""
    said: list[tuple[int, float]] = []

    def action(attempt: int) -> str:
        outcome = outcomes[attempt - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def say(again: retry.Again, attempt: int, delay: float) -> None:
        said.append((attempt, delay))

    return retry.retrying(action, attempts=attempts, backoff=0.01, before_retry=say), said


def test_a_passing_failure_is_tried_again_with_a_doubling_backoff() -> None:
    flaky = retry.Again(ValueError("503"), "503")
    assert _loop([flaky, flaky, "ok"]) == ("ok", [(1, 0.01), (2, 0.02)])


def test_the_last_try_raises_its_error() -> None:
    errors = [ValueError(f"try {n}") for n in (1, 2)]
    with pytest.raises(ValueError, match="try 2"):
        _loop([retry.Again(e, str(e)) for e in errors], attempts=2)


def test_another_failure_ends_the_loop_at_once() -> None:
    with pytest.raises(KeyError):
        _loop([KeyError("final"), "never reached"])


def test_a_try_may_name_its_own_wait() -> None:
    limited = retry.Again(ValueError("429"), "429", wait=0.005)
    assert _loop([limited, "ok"]) == ("ok", [(1, 0.005)])
