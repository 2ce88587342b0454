"""Environment variables that hold credentials, and environments for processes kept free of them."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping

# What twine, GitHub and trusted publishing need; no build backend or test suite needs them.
SECRET_VARS = frozenset(
    {"TWINE_PASSWORD", "PYPI_API_TOKEN", "GITHUB_TOKEN", "GH_TOKEN"}
    | {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL"}
)


def without_secrets(env: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """ENV (default: ours) less every credential variable, plus EXTRA."""
    source = os.environ if env is None else env
    return {k: v for k, v in source.items() if k not in SECRET_VARS} | extra


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    """The credentials in ENV (default: ours): secret variables, and passwords inside URLs."""
    source = os.environ if env is None else env
    found = [v for k, v in source.items() if k in SECRET_VARS and v]
    for value in source.values():
        if "://" in value and "@" in value:
            try:
                password = urllib.parse.urlsplit(value.strip()).password
            except ValueError:
                continue
            found += [password, urllib.parse.unquote(password)] if password else []
    return found
