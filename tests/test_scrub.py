"""Secrets scrubbed out of text before it is logged or shown."""

from __future__ import annotations

import pytest

from autorelease.scrub import sanitize

TOKEN = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMAAC"


@pytest.mark.parametrize(
    ("text", "secrets", "expected"),
    [
        ("HTTPError: 403 for hunter22", ["hunter22"], "HTTPError: 403 for ***"),
        (f"token was {TOKEN}.", [], "token was pypi-***."),
        ("see https://me:hunter22@host/x", [], "see https://me:***@host/x"),
        ("Authorization: Basic dXNlcjpwYXNz", [], "Authorization: Basic ***"),
        ("password: hunter22", [], "password: ***"),
        ("INFO     password: <hidden>", [], "INFO     password: <hidden>"),
        ("nothing secret here", ["abc"], "nothing secret here"),  # too short to be a secret
    ],
)
def test_sanitize(text: str, secrets: list[str], expected: str) -> None:
    assert sanitize(text, secrets) == expected
