"""What a failed GitHub call means: worth a retry (and after how long), or final, and why.

Plain functions over PyGithub's and requests' exceptions, imported lazily like PyGithub.
"""

from __future__ import annotations

import re
import time

from autorelease.publish.github_target import TOKEN_HINT

# requests nests urllib3's errors: "Pool(...): Max retries ... (Caused by X(...: reason"))"
_NESTED_TAIL = re.compile(r"""["']\)+$""")


def rate_limit_wait(exc: Exception, now: float | None = None) -> float | None:
    """Seconds until GitHub lifts the rate limit EXC reports; None if EXC is no rate limit.

    GitHub answers 403 or 429 with `retry-after` (a secondary limit) or with
    `x-ratelimit-remaining: 0` and `x-ratelimit-reset` (the hourly limit); a secondary limit
    without headers asks for at least a minute.
    """
    from github import GithubException

    if not isinstance(exc, GithubException) or exc.status not in (403, 429):
        return None
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    try:
        if "retry-after" in headers:
            return max(0.0, float(headers["retry-after"]))
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            reset = float(headers["x-ratelimit-reset"])
            return max(0.0, reset - (time.time() if now is None else now)) + 1
    except ValueError:
        pass  # a header that is not a number: treat as below
    message = str(exc.data.get("message", "")) if isinstance(exc.data, dict) else ""
    return 60.0 if exc.status == 429 or "rate limit" in message.lower() else None


def retry_after(exc: Exception) -> float | None:
    """The seconds a GitHub answer's `retry-after` asks to wait (a 503 may say), or None."""
    from github import GithubException

    if not isinstance(exc, GithubException):
        return None
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    try:
        return max(0.0, float(headers["retry-after"]))
    except (KeyError, ValueError):
        return None  # none, or an HTTP date: the backoff decides


def transient(exc: Exception) -> bool:
    import requests
    from github import GithubException

    if isinstance(exc, GithubException):
        return exc.status >= 500
    return isinstance(exc, requests.ConnectionError | requests.Timeout)  # not a malformed URL


def describe(exc: Exception) -> str:
    """The status and GitHub's message, or the network error's innermost reason."""
    from github import GithubException

    if not isinstance(exc, GithubException):
        # requests nests urllib3's errors: "Pool(...): Max retries ... (Caused by X(...: reason"))"
        reason = _NESTED_TAIL.sub("", str(exc).rsplit(": ", 1)[-1])
        return f"{type(exc).__name__}: {reason}"
    data = exc.data
    if not isinstance(data, dict):
        return f"{exc.status} {data or ''}"
    # PyGithub hands over a body that is not JSON (a proxy's HTML page) as {"data": text}.
    detail = f"{exc.status} {data.get('message') or data.get('data') or ''}"
    errors = [e for e in data.get("errors") or () if isinstance(e, dict)]
    reasons = (" ".join(str(e[k]) for k in ("resource", "field", "code") if k in e) for e in errors)
    return f"{detail} ({'; '.join(reasons)})" if errors else detail


def one_line(text: str, limit: int = 200) -> str:
    # A 5xx page from a proxy can be kilobytes of HTML.
    text = " ".join(text.split()) or "no details"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hint(exc: Exception) -> str:
    from github import GithubException

    status = exc.status if isinstance(exc, GithubException) else None
    wait = rate_limit_wait(exc)
    if wait is not None:
        lifts = time.strftime("%H:%M:%S UTC", time.gmtime(time.time() + wait))
        return (
            f"GitHub's rate limit for this token lifts at about {lifts}; re-run the release "
            "then: it resumes and only does what GitHub does not hold yet"
        )
    if status == 401:
        return "GITHUB_TOKEN was refused: check that it is current and meant for this host"
    if status in (403, 404):
        return f"{TOKEN_HINT}, and GITHUB_REPOSITORY / GITHUB_API_URL must name it"
    resume = "re-run the release: it resumes and only does what GitHub does not hold yet"
    return resume if status else f"check the network and GITHUB_API_URL, then {resume}"
