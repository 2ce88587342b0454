"""Secrets scrubbed out of text before it is logged or shown."""

from __future__ import annotations

import pytest

from autorelease.scrub import for_display, quote, sanitize

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


def test_for_display_hides_the_environment_secrets_and_url_passwords() -> None:
    env = {"GITHUB_TOKEN": "tok-0123456789", "GITHUB_API_URL": "http://u:p%40ss-word@h/api/v3"}
    text = "saw tok-0123456789 and 'p@ss-word@h' and p%40ss-word"

    assert for_display(text, env) == "saw *** and '***@h' and ***"


def test_quote_scrubs_before_it_cuts() -> None:
    token = "ghp_" + "A" * 36
    quoted = quote("x" * 50 + token, limit=40)

    assert quoted == "'" + "x" * 37 + "…'"
    assert quote(f"v={token}") == "'v=***'"
