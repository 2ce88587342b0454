"""Scrubbing secrets out of text before it is logged or shown: tokens, passwords, auth headers."""

from __future__ import annotations

import re
from collections.abc import Iterable

_URL_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^/\s:@]+):[^/\s@]+@", re.I)
_PYPI_TOKEN = re.compile(r"pypi-[A-Za-z0-9_-]{16,}")
_AUTH_HEADER = re.compile(r"(Authorization:\s*(?:Basic|Bearer|token)\s+)\S+", re.I)
_KEY_VALUE = re.compile(r"(\b(?:password|token|secret)\b\s*[:=]\s*)(?!<hidden>)\S+", re.I)


def sanitize(text: str, secrets: Iterable[str] = ()) -> str:
    """TEXT with the SECRETS, PyPI tokens, URL passwords and auth headers replaced by ***."""
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _URL_USERINFO.sub(r"\g<scheme>\g<user>:***@", text)
    text = _PYPI_TOKEN.sub("pypi-***", text)
    text = _AUTH_HEADER.sub(r"\1***", text)
    return _KEY_VALUE.sub(r"\1***", text)


def sanitize_url(url: str) -> str:
    """URL without the password it may carry."""
    return _URL_USERINFO.sub(r"\g<scheme>\g<user>:***@", url)
