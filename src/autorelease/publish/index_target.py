"""Which index to upload to, and where twine will find the credentials for it."""

from __future__ import annotations

import configparser
import enum
import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from autorelease.errors import ConfigError, NoCredentials
from autorelease.scrub import sanitize_url

PYPI_UPLOAD = "https://upload.pypi.org/legacy/"
PYPI_SIMPLE = "https://pypi.org/simple/"
TESTPYPI_UPLOAD = "https://test.pypi.org/legacy/"
TESTPYPI_SIMPLE = "https://test.pypi.org/simple/"
TOKEN_USERNAME = "__token__"
_KNOWN = {"pypi": (PYPI_UPLOAD, PYPI_SIMPLE), "testpypi": (TESTPYPI_UPLOAD, TESTPYPI_SIMPLE)}
CREDENTIAL_VARS = "TWINE_USERNAME and TWINE_PASSWORD, or PYPI_API_TOKEN"


class CredentialSource(enum.Enum):
    """Where twine will find the upload credentials."""

    TWINE_ENV = "TWINE_USERNAME/TWINE_PASSWORD"
    API_TOKEN = "PYPI_API_TOKEN"
    PYPIRC = ".pypirc"
    KEYRING = "keyring"
    TRUSTED_PUBLISHING = "trusted publishing"
    MISSING = "none"


@dataclass(frozen=True)
class Target:
    """An index to upload to and read from, resolved from `pypi | testpypi | NAME | URL`."""

    name: str
    upload_url: str
    simple_url: str
    credentials: CredentialSource
    pypirc: Path | None = None  # set when NAME is a section there: twine then gets `-r NAME`

    @property
    def is_pypi(self) -> bool:
        """PyPI or TestPyPI, where twine defaults the username and can do trusted publishing."""
        return self.upload_url.startswith((PYPI_UPLOAD, TESTPYPI_UPLOAD))


# --- resolving the target ------------------------------------------------------------------


def resolve_target(
    spec: str,
    *,
    simple_url: str | None = None,
    pypirc: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Target:
    """The Target that SPEC (pypi, testpypi, a ~/.pypirc section, or an upload URL) names.

    SIMPLE_URL overrides the read URL derived from the upload URL. Raises ConfigError when
    SPEC is neither a URL nor a section of the .pypirc file.
    """
    env = os.environ if env is None else env
    rc_path = pypirc or Path.home() / ".pypirc"
    sections = read_pypirc(rc_path)
    if urllib.parse.urlsplit(spec).password:
        raise ConfigError(
            f"the repository URL {sanitize_url(spec)} carries a password",
            f"remove it from the URL and set {CREDENTIAL_VARS} instead",
        )
    if re.match(r"https?://", spec):
        # A section for this URL holds its credentials, which twine reads only through -r.
        spec = _section_for_url(sections, spec) or spec
    if re.match(r"https?://", spec):
        upload_url, section, name = spec, {}, _host(spec)
    elif spec in sections or spec.lower() in _KNOWN:
        name = spec if spec in sections else spec.lower()
        section = sections.get(name, {})
        upload_url = section.get("repository") or _KNOWN[name][0]
    else:
        raise ConfigError(
            f"repository {spec!r} is neither pypi, testpypi, a URL, nor a section of {rc_path}",
            f"add [{spec}] with `repository = URL` to {rc_path}, or pass the upload URL",
        )
    if simple_url and urllib.parse.urlsplit(simple_url).password:
        raise ConfigError(
            f"simple_url {sanitize_url(simple_url)} carries a password",
            "remove it from simple_url: autorelease reads the simple index without credentials",
        )
    simple = simple_url or derive_simple_url(upload_url)
    source = credential_source(upload_url, section, env)
    return Target(name, upload_url, simple, source, rc_path if name in sections else None)


def read_pypirc(path: Path) -> dict[str, dict[str, str]]:
    """The index sections of a .pypirc file that twine reads: those its [distutils] lists."""
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise ConfigError(f"{path} is not a valid .pypirc: {exc}".splitlines()[0]) from exc
    listed = parser.get("distutils", "index-servers", fallback="").split()
    return {n: dict(parser.items(n)) for n in listed or _KNOWN if parser.has_section(n)}


def _section_for_url(sections: Mapping[str, Mapping[str, str]], url: str) -> str | None:
    for name, section in sections.items():
        if section.get("repository", "").rstrip("/") == url.rstrip("/"):
            return name
    return None


def _host(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def derive_simple_url(upload_url: str) -> str:
    """The simple index that lists what UPLOAD_URL accepted.

    PyPI and TestPyPI have fixed ones; a Warehouse-style `.../legacy/` reads from
    `.../simple/`; anything else (pypiserver, GitLab, ...) from `UPLOAD_URL/simple/`.
    devpi reads from `.../+simple/`: pass that as an explicit simple URL.
    """
    for upload, simple in _KNOWN.values():
        if upload_url.rstrip("/") == upload.rstrip("/"):
            return simple
    base = upload_url.rstrip("/")
    if base.endswith("/legacy"):
        base = base.removesuffix("/legacy")
    return f"{base}/simple/"


# --- credentials -----------------------------------------------------------------------------


def credential_source(
    upload_url: str, section: Mapping[str, str], env: Mapping[str, str]
) -> CredentialSource:
    """Where twine would take credentials from, in twine's own order; MISSING if nowhere."""
    pypi = upload_url.startswith((PYPI_UPLOAD, TESTPYPI_UPLOAD))
    username = env.get("TWINE_USERNAME") or section.get("username")
    username = username or (TOKEN_USERNAME if pypi else None)
    if env.get("TWINE_PASSWORD") and username:
        return CredentialSource.TWINE_ENV
    if env.get("PYPI_API_TOKEN"):
        return CredentialSource.API_TOKEN
    if section.get("password") and username:
        return CredentialSource.PYPIRC
    if username and _keyring_has(upload_url, username):
        return CredentialSource.KEYRING
    if pypi and env.get("ACTIONS_ID_TOKEN_REQUEST_URL"):
        return CredentialSource.TRUSTED_PUBLISHING
    return CredentialSource.MISSING


def _keyring_has(url: str, username: str) -> bool:
    # Asked only when nothing else gave a password, as twine asks it; any failure means no.
    try:
        import keyring

        return bool(keyring.get_password(url, username))
    except Exception:
        return False


def require_credentials(target: Target) -> CredentialSource:
    """TARGET's credential source; raises NoCredentials when there is none."""
    if target.credentials is not CredentialSource.MISSING:
        return target.credentials
    where = "" if target.pypirc is None else f", or a password in [{target.name}] of .pypirc"
    trusted = ", or trusted publishing from GitHub Actions" if target.is_pypi else ""
    raise NoCredentials(
        f"no credentials to upload to {target.name} ({sanitize_url(target.upload_url)})",
        f"set {CREDENTIAL_VARS}{where}{trusted}",
    )


def twine_env(target: Target, env: Mapping[str, str]) -> dict[str, str]:
    """The environment for `twine upload`: credentials as TWINE_* variables, never as args."""
    out = {k: v for k, v in env.items() if k not in ("TWINE_REPOSITORY", "TWINE_REPOSITORY_URL")}
    out.update({"TWINE_NON_INTERACTIVE": "1", "NO_COLOR": "1", "COLUMNS": "200"})
    if target.credentials is CredentialSource.API_TOKEN:
        out["TWINE_USERNAME"] = TOKEN_USERNAME
        out["TWINE_PASSWORD"] = env["PYPI_API_TOKEN"]
    return out


def secrets_in(target: Target, env: Mapping[str, str]) -> list[str]:
    """Every secret value that twine may echo back, so that `sanitize` can remove it."""
    names = ("TWINE_PASSWORD", "PYPI_API_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    found = [env[name] for name in names if env.get(name)]
    if target.pypirc is not None:
        found += [v for k, v in read_pypirc(target.pypirc)[target.name].items() if k == "password"]
    return found
