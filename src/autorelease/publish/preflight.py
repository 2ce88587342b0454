"""The safety checks of `autorelease publish`: everything verified before anything changes.

Each failure is its own error type (autorelease.errors), with the fix and its exit code; none
of these functions writes anything except `deepen_if_shallow`, which only fetches history.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from autorelease import git
from autorelease.core import config
from autorelease.errors import (
    AlreadyOnIndex,
    DirtyTree,
    IndexUnreadable,
    NoRemote,
    NotUpToDate,
    TagExists,
    UploadFailed,
    WrongBranch,
)

if TYPE_CHECKING:
    from autorelease.publish.github_target import GitHubTarget
    from autorelease.publish.index_target import Target
    from autorelease.publish.run import Run

# For tests and CI against local fakes: PACING_ENV=fast drops GitHub's throttling and the pauses
# before retries (to GitHub and the index); the number of retries stays the same.
PACING_ENV = "AUTORELEASE_PACING"


def repo_spec(args: argparse.Namespace, cfg: config.Config | None = None) -> str:
    if args.repository:
        return str(args.repository)
    if getattr(args, "test", False):
        return "testpypi"
    return str(cfg.repository) if cfg is not None else "pypi"


def deepen_if_shallow(run: Run) -> bool:
    if not git.shallow_boundary(run.root):
        return False
    git.run(["fetch", "--quiet", "--unshallow", "--tags", str(run.cfg.remote)], run.root)
    return True


def check(run: Run, *, resuming: bool) -> None:
    dirty = git.is_dirty(run.root)
    if dirty:
        raise DirtyTree(
            f"the working tree has uncommitted changes ({', '.join(dirty[:3])}"
            + (", ..." if len(dirty) > 3 else "")
            + ")",
            "commit or stash them, then run again",
        )
    run.start_head = git.head(run.root) or ""
    run.branch = _check_branch(run)
    if not run.args.no_push:
        _check_remote(run, resuming=resuming)
    elif not resuming and git.run(["tag", "--list", run.tag], run.root).stdout.strip():
        raise TagExists(f"tag {run.tag} already exists")
    if local_only(run):
        return  # nothing goes public: neither the index nor GitHub is needed
    if not run.args.no_upload:
        _check_index(run, resuming=resuming)
    if wants_github(run):
        release_target(run)


def local_only(run: Run) -> bool:
    """`--no-push` of a new release: it stays in this clone, so nothing is uploaded or made public.

    (A re-run with `--no-push` on a tag that is on the remote finishes that release.)
    """
    return bool(run.args.no_push) and not run.resuming


def _check_branch(run: Run) -> str:
    branch = git.current_branch(run.root)
    remote = str(run.cfg.remote)
    wanted = str(run.cfg.release_branch) or git.remote_default_branch(run.root, remote)
    # Not "whatever is checked out": a clone made by `git remote add` (CI checkouts) has no
    # refs/remotes/origin/HEAD, and that must not turn a topic branch into the release branch.
    wanted = wanted or _remote_head_branch(run) or ("master" if branch == "master" else "main")
    if branch != wanted:
        raise WrongBranch(
            f"on {branch or 'a detached HEAD'}, not on the release branch {wanted}",
            f"git switch {wanted}, or set release_branch in [tool.autorelease]",
        )
    return wanted


def _remote_head_branch(run: Run) -> str | None:
    """The branch the remote's HEAD names, asked of the remote itself (None if unknown)."""
    if run.args.no_push:
        return None
    proc = git.run(["ls-remote", "--symref", str(run.cfg.remote), "HEAD"], run.root, check=False)
    for line in proc.stdout.splitlines():
        ref, _, name = line.partition("\t")
        if name == "HEAD" and ref.startswith("ref: refs/heads/"):
            return ref.removeprefix("ref: refs/heads/")
    return None


def _check_remote(run: Run, *, resuming: bool) -> None:
    remote = str(run.cfg.remote)
    if git.config_value(run.root, f"remote.{remote}.url") is None:
        raise NoRemote(
            f"there is no remote named {remote} to push the release to",
            f"git remote add {remote} URL, set remote in [tool.autorelease], or pass --no-push",
        )
    remote_head = git.fetch_branch(run.root, remote, run.branch)
    local_head = run.start_head
    if resuming:
        # The release commit may be pushed already (then equal) or not yet (then one ahead).
        parent = git.output(["rev-parse", "HEAD^"], run.root) if remote_head != local_head else ""
        if remote_head not in (local_head, parent):
            raise _not_up_to_date(run, remote)
    elif remote_head is not None and remote_head != local_head:
        raise _not_up_to_date(run, remote)
    on_remote = git.remote_tag(run.root, remote, run.tag)
    if on_remote is not None and (not resuming or on_remote != local_head):
        raise TagExists(
            f"tag {run.tag} already exists on {remote} (another release made it)",
            f"git fetch {remote} --tags and look at {run.tag}; bump with --bump if needed",
        )
    if not resuming and git.run(["tag", "--list", run.tag], run.root).stdout.strip():
        raise TagExists(
            f"tag {run.tag} already exists in this clone",
            f"delete it (git tag -d {run.tag}) if it is a leftover, or choose another version",
        )
    if not resuming and run.previous_tag:
        _check_previous_tag_is_public(run, remote, run.previous_tag)


def _check_previous_tag_is_public(run: Run, remote: str, tag: str) -> None:
    """The release the plan counts from must be a real one, not a tag only this clone has."""
    if git.remote_tag(run.root, remote, tag) is None:
        raise NotUpToDate(
            f"the last release tag {tag} is only in this clone, not on {remote}",
            f"if {tag} was released, push it (git push {remote} {tag}); if not, delete it "
            f"(git tag -d {tag}) and run again",
        )


def _not_up_to_date(run: Run, remote: str) -> NotUpToDate:
    return NotUpToDate(
        f"{run.branch} is not equal to {remote}/{run.branch}",
        f"git pull --rebase --tags {remote} {run.branch} (or push your commits) and run again",
    )


def upload_target(run: Run) -> Target:
    """The index this run uploads to (and reads from); remembers its URLs for the report."""
    from autorelease.publish.index_target import resolve_target
    from autorelease.scrub import sanitize_url

    target = resolve_target(
        repo_spec(run.args, run.cfg), simple_url=str(run.cfg.simple_url) or None
    )
    run.index_url = sanitize_url(target.upload_url)
    run.simple_url = sanitize_url(target.simple_url)
    return target


def _check_index(run: Run, *, resuming: bool) -> None:
    from autorelease.publish.index_target import require_credentials

    target = upload_target(run)
    require_credentials(target)
    if resuming:
        return
    held = _index_holds(run, target)
    if held:
        raise AlreadyOnIndex(
            f"{project_name(run)} {run.version} is already on {target.name} "
            f"({', '.join(sorted(held))})",
            "an index never accepts a version twice: release the next version (--bump patch)",
        )


def _index_holds(run: Run, target: Target) -> dict[str, str]:
    """The files of this version on the index; an index that cannot be read stops the checks."""
    from autorelease.publish import index

    try:
        return index.index_files(
            target.simple_url, project_name(run), run.version, log=run.say, backoff=pause(1.0)
        )
    except UploadFailed as exc:
        raise IndexUnreadable(
            f"{exc.message}; nothing was pushed or uploaded",
            "check --repository (or simple_url in [tool.autorelease]) and the network, "
            "then run again",
        ) from exc


def fast() -> bool:
    return os.environ.get(PACING_ENV) == "fast"


def pause(seconds: float) -> float:
    """SECONDS before the first retry, or none at all under PACING_ENV=fast."""
    return 0.0 if fast() else seconds


def project_name(run: Run) -> str:
    name = run.cfg.pyproject.get("project", {}).get("name") or run.root.name
    return str(name)


def wants_github(run: Run) -> bool:
    return not run.args.no_github and bool(run.cfg.github_release)


def release_target(run: Run) -> GitHubTarget | None:
    """Where the GitHub release goes; None when the project is not on GitHub."""
    from autorelease.publish.github_target import resolve_target

    url = git.config_value(run.root, f"remote.{run.cfg.remote}.url")
    return resolve_target(os.environ, url)
