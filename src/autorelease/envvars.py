"""Environment variables that hold credentials, and environments for processes kept free of them."""

from __future__ import annotations

import os
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
