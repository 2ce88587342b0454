"""What the remote, the package index and GitHub already hold, read-only, for `publish --dry-run`.

Each lookup is independent and bounded; one that fails says why and the others still run, so
the preview is useful even offline. Nothing here writes anything anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autorelease import git, remote_url
from autorelease.core.config import Config
from autorelease.errors import AutoreleaseError


@dataclass(frozen=True)
class Fact:
    """One line of the remote state: where, what it holds, and whether that blocks a release."""

    where: str
    state: str
    blocks: bool = False


def gather(
    root: Path, cfg: Config, *, tag: str, version: str, project: str, repo: str
) -> list[Fact]:
    """Look up TAG on the git remote, VERSION of PROJECT on index REPO, and the GitHub release."""
    lookups: list[tuple[str, Callable[[], Fact]]] = [
        ("git remote", lambda: _git_remote(root, cfg, tag)),
        ("index", lambda: _index(repo, project, version, str(cfg.simple_url) or None)),
        ("GitHub", lambda: _github(root, cfg, tag)),
    ]
    facts = []
    for label, lookup in lookups:
        try:
            facts.append(lookup())
        except AutoreleaseError as exc:
            facts.append(Fact(label, f"unknown: {exc.message}"))
    return facts


def _git_remote(root: Path, cfg: Config, tag: str) -> Fact:
    remote = str(cfg.remote)
    if remote_url.of_remote(root, remote) is None:
        return Fact(
            "git remote", f"no remote named {remote}: publish needs one (or --no-push)", True
        )
    on_remote = git.remote_tag(root, remote, tag)
    head = git.head(root)
    if on_remote is None:
        return Fact(f"git remote {remote}", f"{tag} is not there yet")
    if on_remote == head:
        return Fact(f"git remote {remote}", f"{tag} is there, on HEAD: a re-run finishes it")
    return Fact(f"git remote {remote}", f"{tag} already exists on another commit", True)


def _index(repo: str, project: str, version: str, simple_url: str | None) -> Fact:
    from autorelease import scrub
    from autorelease.publish import index, index_target

    target = index_target.resolve_target(repo, simple_url=simple_url)
    where = f"index {target.name} ({scrub.sanitize_url(target.simple_url)})"
    held = index.index_files(
        target.simple_url, project, version, log=lambda _line: None, attempts=1
    )
    if held:
        return Fact(where, f"{project} {version} already has {', '.join(sorted(held))}", True)
    if target.credentials is index_target.CredentialSource.MISSING:
        hint = f"no credentials to upload (set {index_target.CREDENTIAL_VARS})"
        return Fact(where, f"{project} {version} is not there yet; {hint}", True)
    credentials = f"credentials: {target.credentials.value}"
    return Fact(where, f"{project} {version} is not there yet; {credentials}")


def _github(root: Path, cfg: Config, tag: str) -> Fact:
    from autorelease.publish import github, github_target

    url = remote_url.of_remote(root, str(cfg.remote))
    target = github_target.resolve_target(os.environ, url)
    if target is None:
        return Fact("GitHub", "not a GitHub repository: no GitHub release will be made")
    where = f"GitHub {target.repository}"
    state = github.release_state(target, tag)
    if not state.exists:
        return Fact(where, f"no release {tag} yet")
    names = ", ".join(sorted(state.asset_names)) or "no assets"
    return Fact(where, f"release {tag} exists ({names})")


def render(facts: list[Fact]) -> str:
    """The facts as the preview's last section."""
    lines = ["", "What the remote, the index and GitHub hold (read-only):"]
    lines += [f"  {'BLOCKS ' if f.blocks else ''}{f.where}: {f.state}" for f in facts]
    return "\n".join(lines) + "\n"
