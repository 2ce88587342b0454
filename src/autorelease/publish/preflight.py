"""The safety checks of `autorelease publish`: everything verified before anything changes.

Each failure is its own error type (autorelease.errors), with the fix and its exit code; none
of these functions writes anything except `deepen_if_shallow`, which only fetches history.
`check` returns what it found (a Preflight) for the steps after it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from autorelease import git, remote_url
from autorelease.core import config
from autorelease.errors import (
    AlreadyOnIndex,
    AutoreleaseError,
    DirtyTree,
    IndexUnreadable,
    NoRemote,
    NotUpToDate,
    TagExists,
    UploadFailed,
    WrongBranch,
)
from autorelease.publish.options import PublishOptions
from autorelease.publish.state import Release

if TYPE_CHECKING:
    from autorelease.publish.github_target import GitHubTarget
    from autorelease.publish.index_target import Target

_log = logging.getLogger(__name__)


class Preflight(NamedTuple):
    """What the check found: where the release starts, and where it goes."""

    start_head: str
    branch: str
    index_target: Target | None = None  # the index to upload to; None: no upload, --no-push
    # The GitHub repository of the release, its comments and its contributors' logins, found
    # once for the run; None: not on GitHub, or nothing goes public (--no-push).
    github_target: GitHubTarget | None = None


def deepen_if_shallow(root: Path, cfg: config.Config) -> bool:
    if not git.shallow_boundary(root):
        return False
    git.run(["fetch", "--quiet", "--unshallow", "--tags", str(cfg.remote)], root)
    return True


def check(root: Path, cfg: config.Config, options: PublishOptions, release: Release) -> Preflight:
    return check_release(root, cfg, options, release, check_repository(root, cfg, options, release))


def check_repository(
    root: Path, cfg: config.Config, options: PublishOptions, release: Release
) -> Preflight:
    """What every release of this run needs once: a clean tree on the release branch, equal to
    the remote's (RELEASE says whether it is made already), and GitHub's token if it is used."""
    _check_clean(root)
    found = Preflight(git.head(root) or "", _check_branch(root, cfg, options))
    if not options.no_push:
        _check_remote_branch(root, cfg, release.resuming, found)
    if not local_only(options, release):
        found = found._replace(github_target=_github_target(root, cfg, options))
    return found


def _github_target(root: Path, cfg: config.Config, options: PublishOptions) -> GitHubTarget | None:
    """Where the GitHub release goes: a GitHub repository without a token stops a run that
    makes one here. A run that makes none (--no-github) asks GitHub only for the contributors'
    logins: without a token, or with GITHUB_REPOSITORY unusable, it names them without."""
    try:
        return release_target(root, cfg)
    except AutoreleaseError:
        if wants_github(options, cfg):
            raise
        return None


def check_release(
    root: Path, cfg: config.Config, options: PublishOptions, release: Release, found: Preflight
) -> Preflight:
    """What one release needs (a workspace's run has one per package): its tag free, the
    release it counts from public, its version not on the index yet."""
    if not options.no_push:
        _check_tags(root, cfg, release, found)
    elif not release.resuming and git.run(["tag", "--list", release.tag], root).stdout.strip():
        raise TagExists(f"tag {release.tag} already exists")
    if local_only(options, release):
        return found  # nothing goes public: neither the index nor GitHub is needed
    if not options.no_upload:
        found = found._replace(index_target=_check_index(root, cfg, options, release))
    return found


def _check_clean(root: Path) -> None:
    dirty = git.is_dirty(root)
    if dirty:
        raise DirtyTree(
            f"the working tree has uncommitted changes ({', '.join(dirty[:3])}"
            + (", ..." if len(dirty) > 3 else "")
            + ")",
            "commit or stash them, then run again",
        )


def local_only(options: PublishOptions, release: Release) -> bool:
    """`--no-push` of a new release: it stays in this clone, so nothing is uploaded or made public.

    (A re-run with `--no-push` on a tag that is on the remote finishes that release.)
    """
    return options.no_push and not release.resuming


def _check_branch(root: Path, cfg: config.Config, options: PublishOptions) -> str:
    branch = git.current_branch(root)
    remote = str(cfg.remote)
    wanted = str(cfg.release_branch) or git.remote_default_branch(root, remote)
    # Not "whatever is checked out": a clone made by `git remote add` (CI checkouts) has no
    # refs/remotes/origin/HEAD, and that must not turn a topic branch into the release branch.
    if not wanted and not options.no_push:
        wanted = _remote_head_branch(root, remote)
    wanted = wanted or ("master" if branch == "master" else "main")
    if branch != wanted:
        raise WrongBranch(
            f"on {branch or 'a detached HEAD'}, not on the release branch {wanted}",
            f"git switch {wanted}, or set release_branch in [tool.autorelease]",
        )
    return wanted


def _remote_head_branch(root: Path, remote: str) -> str | None:
    """The branch the remote's HEAD names, asked of the remote itself (None if unknown)."""
    proc = git.run(["ls-remote", "--symref", remote, "HEAD"], root, check=False)
    for line in proc.stdout.splitlines():
        ref, _, name = line.partition("\t")
        if name == "HEAD" and ref.startswith("ref: refs/heads/"):
            return ref.removeprefix("ref: refs/heads/")
    return None


def _check_remote_branch(root: Path, cfg: config.Config, resuming: bool, found: Preflight) -> None:
    remote = str(cfg.remote)
    if remote_url.of_remote(root, remote) is None:
        raise NoRemote(
            f"there is no remote named {remote} to push the release to",
            f"git remote add {remote} URL, set remote in [tool.autorelease], or pass --no-push",
        )
    _check_up_to_date(root, remote, resuming, found)


def _check_tags(root: Path, cfg: config.Config, release: Release, found: Preflight) -> None:
    remote, resuming, tag = str(cfg.remote), release.resuming, release.tag
    on_remote = git.remote_tag(root, remote, tag)
    if on_remote is not None and (not resuming or on_remote != found.start_head):
        raise TagExists(
            f"tag {tag} already exists on {remote} (another release made it)",
            f"git fetch {remote} --tags and look at {tag}; bump with --bump if needed",
        )
    if not resuming and git.run(["tag", "--list", tag], root).stdout.strip():
        raise TagExists(
            f"tag {tag} already exists in this clone",
            f"delete it (git tag -d {tag}) if it is a leftover, or choose another version",
        )
    if not resuming and release.previous_tag:
        _check_previous_tag_is_public(root, remote, release.previous_tag)


def _check_up_to_date(root: Path, remote: str, resuming: bool, found: Preflight) -> None:
    remote_head = git.fetch_branch(root, remote, found.branch)
    local_head = found.start_head
    if resuming:
        # The release commit may be pushed already (then equal) or not yet (then one ahead).
        parent = git.output(["rev-parse", "HEAD^"], root) if remote_head != local_head else ""
        if remote_head not in (local_head, parent):
            raise _not_up_to_date(found.branch, remote)
    elif remote_head is not None and remote_head != local_head:
        raise _not_up_to_date(found.branch, remote)


def _check_previous_tag_is_public(root: Path, remote: str, tag: str) -> None:
    """The release the plan counts from must be a real one, not a tag only this clone has."""
    if git.remote_tag(root, remote, tag) is None:
        raise NotUpToDate(
            f"the last release tag {tag} is only in this clone, not on {remote}",
            f"if {tag} was released, push it (git push {remote} {tag}); if not, delete it "
            f"(git tag -d {tag}) and run again",
        )


def _not_up_to_date(branch: str, remote: str) -> NotUpToDate:
    return NotUpToDate(
        f"{branch} is not equal to {remote}/{branch}",
        f"git pull --rebase --tags {remote} {branch} (or push your commits) and run again",
    )


def upload_target(cfg: config.Config, options: PublishOptions) -> Target:
    """The index this run uploads to (and reads from)."""
    from autorelease.publish.index_target import resolve_target

    spec = options.index_spec(str(cfg.repository))
    return resolve_target(spec, simple_url=str(cfg.simple_url) or None)


def _check_index(
    root: Path, cfg: config.Config, options: PublishOptions, release: Release
) -> Target:
    from autorelease.publish.index_target import require_credentials

    target = upload_target(cfg, options)
    require_credentials(target)
    if release.resuming:
        return target
    held = _index_holds(target, project_name(root, cfg), release.version)
    if held:
        raise AlreadyOnIndex(
            f"{project_name(root, cfg)} {release.version} is already on {target.name} "
            f"({', '.join(sorted(held))})",
            "an index never accepts a version twice: release the next version (--bump patch)",
        )
    return target


def _index_holds(target: Target, project: str, version: str) -> dict[str, str]:
    """The files of this version on the index; an index that cannot be read stops the checks."""
    from autorelease.publish import index

    try:
        return index.index_files(target.simple_url, project, version, log=_log.info)
    except UploadFailed as exc:
        raise IndexUnreadable(
            f"{exc.message}; nothing was pushed or uploaded",
            "check --repository (or simple_url in [tool.autorelease]) and the network, "
            "then run again",
        ) from exc


def project_name(root: Path, cfg: config.Config) -> str:
    name = cfg.pyproject.get("project", {}).get("name") or root.name
    return str(name)


def wants_github(options: PublishOptions, cfg: config.Config) -> bool:
    return not options.no_github and bool(cfg.github_release)


def release_target(root: Path, cfg: config.Config) -> GitHubTarget | None:
    """Where the GitHub release goes; None when the project is not on GitHub."""
    from autorelease.publish.github_target import resolve_target

    return resolve_target(os.environ, remote_url.of_remote(root, str(cfg.remote)))
