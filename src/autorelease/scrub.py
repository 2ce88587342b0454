"""Scrubbing secrets out of text before it is logged or shown: tokens, passwords, auth headers."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping


@functools.cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    """The secrets' patterns, compiled on first use: most runs never show an error."""
    return (
        re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^/\s:@]+):[^/\s@]+@", re.I),
        re.compile(r"pypi-[A-Za-z0-9_-]{16,}"),
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{22,})"),
        re.compile(r"(Authorization:\s*(?:Basic|Bearer|token)\s+)\S+", re.I),
        re.compile(r"(\b(?:password|token|secret)\b\s*[:=]\s*)(?!<hidden>)\S+", re.I),
    )


def sanitize(text: str, secrets: Iterable[str] = ()) -> str:
    """TEXT with the SECRETS, PyPI tokens, URL passwords and auth headers replaced by ***."""
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "***")
    url_userinfo, pypi_token, github_token, auth_header, key_value = _patterns()
    text = url_userinfo.sub(r"\g<scheme>\g<user>:***@", text)
    text = pypi_token.sub("pypi-***", text)
    text = github_token.sub("***", text)
    text = auth_header.sub(r"\1***", text)
    return key_value.sub(r"\1***", text)


def sanitize_url(url: str) -> str:
    """URL without the password it may carry."""
    return _patterns()[0].sub(r"\g<scheme>\g<user>:***@", url)


def for_display(text: str, env: Mapping[str, str] | None = None) -> str:
    """TEXT fit to print or report: sanitized, with the secrets of ENV (default: ours) too.

    Those are the credential variables' values and any password in a URL the environment holds
    (GITHUB_API_URL, TWINE_REPOSITORY_URL...): an exception may quote one without its URL.
    """
    from autorelease.envvars import secret_values

    return sanitize(text, secret_values(env))


def quote(text: str, limit: int = 60) -> str:
    """repr() of TEXT read from a file, for an error message: sanitized, then cut to LIMIT."""
    shown = repr(for_display(text))
    return shown if len(shown) <= limit else shown[: limit - 2] + "…" + shown[0]
