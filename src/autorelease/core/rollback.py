"""Rolling back a bad release: the commit that takes its changes out again, planned read-only.

Release X's changes are those of its range, from the release before it (the last good one) to
X, merges included. Their reverse is applied to HEAD as one three-way merge (base: X, ours:
HEAD, theirs: the good release) in a scratch index: neither the work tree nor the real index is
touched, so a revert that conflicts stops before anything is written. X's own release commit
(version files, changelog) is not taken out: the next release goes forward, to X + patch.

The commit names what it takes out in `Rolled-back:` footers, which the changelog lists.

In a workspace, one package's release is rolled back (a Scope): only its commits' changes to
its own folder are taken out; what they changed elsewhere belongs to other packages' releases.
Its releases are its tags over its tag format and its previous ones, as the planner reads them;
its pyproject.toml's [tool.uv] and [tool.autorelease] tables (the workspace's configuration,
as the one that made the repository a workspace after its last `v1.0.0`) stay as they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from autorelease import git
from autorelease.core import classify, config, history, tool_tables, workspace_history
from autorelease.core.version import parse_version
from autorelease.errors import AutoreleaseError, GitError, NoSuchRelease, RevertConflict

if TYPE_CHECKING:
    from subprocess import CompletedProcess

    from autorelease.core.workspace import Package, Workspace

HEADER = "revert: roll back {version}"
FOOTER = "Rolled-back"
_NO_FILE = "0 " + "0" * 40  # what `git update-index --index-info` reads as "remove it"


class Scope(NamedTuple):
    """The package of a workspace whose release is rolled back."""

    space: Workspace
    package: Package

    @property
    def name(self) -> str:
        return self.package.name

    @property
    def pyproject(self) -> str:
        """The package's own pyproject.toml."""
        path = self.package.path
        return "pyproject.toml" if path == "." else f"{path}/pyproject.toml"

    def owns(self, path: str) -> bool:
        """Whether PATH is in the package's folder (and in no deeper package's)."""
        return workspace_history.folder_owner(self.space, path) == self.package.name


class Rollback(NamedTuple):
    """What rolling back BAD means: the commit to make on top of HEAD, as plain data."""

    bad: history.ReleaseTag
    good: history.ReleaseTag
    base: str  # the commit whose changes are taken out: BAD's, less its release commit
    reverted: tuple[tuple[str, str], ...]  # (sha, header) of the range, newest first
    tree: str  # HEAD's tree with BAD's changes taken out
    changes: tuple[tuple[str, str], ...]  # (git's status letter, path), HEAD -> tree
    message: str
    version: str  # BAD's version as the project writes it
    package: str = ""  # a workspace's package whose release it is

    @property
    def label(self) -> str:
        """What the revert rolls back: `1.4.0`, or a workspace's `core 2.0.0`."""
        return f"{self.package} {self.version}" if self.package else self.version


class Released(NamedTuple):
    """A rollback release HEAD carries: its tag and version, and the release it rolled back."""

    tag: str
    version: str
    bad_tag: str
    bad_version: str
    good_version: str


def released_on_head(root: Path, cfg: config.Config, scope: Scope | None = None) -> Released | None:
    """The rollback release on HEAD (its release commit right on top of the revert), if any:
    a re-run after the push finishes that release instead of rolling it back in turn. With
    SCOPE (CFG is its package's), the package's release, on top of the revert of its own."""
    tags = _release_tags(root, cfg, scope)
    head = git.output(["rev-parse", "HEAD"], root)
    on_head = next((t for t in tags if t.commit == head), None)
    message = git.run(["log", "-1", "--format=%B", "HEAD^"], root, check=False).stdout
    below = message.strip().partition("\n")[0]
    prefix = HEADER.format(version=f"{scope.name} " if scope else "")
    rolled = below.removeprefix(prefix)
    if on_head is None or not below.startswith(prefix) or not rolled or " " in rolled:
        return None
    scheme = str(cfg.version_scheme)
    bad = next((t for t in tags if t.version.render(scheme) == rolled), None)
    if bad is None:
        return None
    good = _good_release(root, cfg, bad, scope)
    label = f"{scope.name} {rolled}" if scope else rolled
    if f"\nTakes out what {label} changed ({good.name}..{bad.name})" not in message:
        return None  # a revert someone wrote by that name, not the one rollback makes
    return Released(on_head.name, on_head.version.render(scheme), bad.name, rolled,
                    good.version.render(scheme))  # fmt: skip


def plan(
    root: Path, cfg: config.Config, wanted: str | None = None, scope: Scope | None = None
) -> Rollback:
    """The rollback of release WANTED (a version or a tag; default: the newest final release
    HEAD descends from); with SCOPE, of its package's release (CFG is the package's).
    Raises NoSuchRelease or RevertConflict; writes nothing."""
    head = git.output(["rev-parse", "HEAD"], root)
    tags = _release_tags(root, cfg, scope)
    scheme = str(cfg.version_scheme)
    bad = _bad_release(root, tags, wanted, scheme)
    good = _good_release(root, cfg, bad, scope)
    version = bad.version.render(scheme)
    label = f"{scope.name} {version}" if scope else version
    base = _without_release_commit(root, cfg, bad.commit, label if scope else None)
    reverted = _range(root, good.commit, base, scope)
    undo = _undo(root, base, good.commit, scope)
    tree = _reverted_tree(root, head, base, undo, bad.name)
    changes = _changes(root, head, tree)
    if not changes:
        raise NoSuchRelease(
            f"HEAD no longer has the changes of {label}: nothing to roll back",
            "they were reverted already; release what HEAD holds: "
            f"`autorelease publish {f'--package {scope.name} ' if scope else ''}--bump patch`",
        )
    message = _message(label, good, bad, reverted, scheme)
    return Rollback(bad, good, base, reverted, tree, changes, message, version,
                    scope.name if scope else "")  # fmt: skip


def commit_object(root: Path, tree: str, parent: str, message: str) -> str:
    """The commit of TREE on PARENT with MESSAGE, as an object only (no branch moves). The
    message goes as UTF-8 on stdin and is recorded as UTF-8, whatever i18n.commitEncoding
    says (else git would label the UTF-8 bytes with that encoding)."""
    args = ["-c", "i18n.commitEncoding=UTF-8", "commit-tree", tree, "-p", parent, "-F", "-"]
    return git.run(args, root, input=message).stdout.strip()


def _bad_release(
    root: Path, tags: list[history.ReleaseTag], wanted: str | None, scheme: str
) -> history.ReleaseTag:
    reachable = set(git.output(["tag", "--merged", "HEAD"], root).splitlines())
    finals = [t for t in tags if not t.version.is_prerelease and t.name in reachable]
    if wanted is None:
        if not finals:
            raise NoSuchRelease(
                "there is no release to roll back: no release tag on this branch",
                "roll back after a release, or name one: `autorelease rollback 1.4.0`",
            )
        return max(finals, key=lambda t: t.version.sort_key())
    parsed = parse_version(wanted.removeprefix("v"))
    for tag in tags:
        if tag.name == wanted or (parsed is not None and tag.version == parsed):
            if tag.name not in reachable:
                raise NoSuchRelease(
                    f"release {wanted} ({tag.name}) is not on this branch",
                    "check out the branch that released it",
                )
            return tag
    known = ", ".join(t.version.render(scheme) for t in sorted(
        finals, key=lambda t: t.version.sort_key(), reverse=True)[:5])  # fmt: skip
    raise NoSuchRelease(
        f"there is no release {wanted}",
        f"name one of the releases ({known or 'none yet'})",
    )


def _release_tags(root: Path, cfg: config.Config, scope: Scope | None) -> list[history.ReleaseTag]:
    """The releases: CFG's tags, or SCOPE's package's over its tag format and its previous
    ones (the `v1.0.0` of a repository that became a workspace), as the planner reads them."""
    refs = git.list_tags(root)
    if scope is None:
        return history.release_tags(refs, str(cfg.tag_format))
    return list(workspace_history.package_tags(refs, scope.package))


def _good_release(
    root: Path, cfg: config.Config, bad: history.ReleaseTag, scope: Scope | None
) -> history.ReleaseTag:
    """The last final release before BAD: the one BAD's release counted from."""
    if scope is None:
        good = history.release_before(root, str(cfg.tag_format), bad, final=True)
    else:
        good = workspace_history.release_before(root, scope.space, scope.package, bad)
    if good is None:
        scheme = str(cfg.version_scheme)
        raise NoSuchRelease(
            f"{bad.version.render(scheme)} is the first release: there is none to go back to",
            "revert the commits you want taken out and release with `autorelease publish`",
        )
    return good


def _without_release_commit(
    root: Path, cfg: config.Config, sha: str, named: str | None = None
) -> str:
    """SHA, or its parent when SHA is a release commit (its version and changelog stay).
    NAMED (`core 2.0.0`): a workspace's release commit, which names each package it releases."""
    raw = next(git.iter_commits(root, [sha], [f"{sha}^@"]), None)
    if raw is None or len(raw.parents) != 1:
        return sha
    item, _ = classify.Classifier(cfg).entry(raw)
    header = raw.message.lstrip("\n").partition("\n")[0]
    released = item.kind == "release" or (named is not None and _names(cfg, header, named))
    return raw.parents[0] if released else sha


def _names(cfg: config.Config, header: str, named: str) -> bool:
    """Whether HEADER is a workspace's release commit that releases NAMED (`core 2.0.0`):
    the commit message with `core 2.0.0, plugin 1.1.0` for its {version}."""
    before, _, after = str(cfg.commit_message).split("\n", 1)[0].partition("{version}")
    after = after.rstrip()
    if not (header.startswith(before) and header.endswith(after)):
        return False
    return named in header[len(before) : len(header) - len(after)].split(", ")


def _range(
    root: Path, good: str, base: str, scope: Scope | None = None
) -> tuple[tuple[str, str], ...]:
    """(sha, header) of the commits of good..base, newest first. A merge's changes are taken
    out with the rest, but the merge itself is not listed: its branch's commits are. With
    SCOPE, only the commits that change its package's folder."""
    if scope is None:
        raws = [raw for raw in git.iter_commits(root, [base], [good]) if len(raw.parents) < 2]
    else:
        raws = [item.commit for item in git.iter_commits_with_paths(root, base, [good])
                if any(map(scope.owns, item.paths))]  # fmt: skip
    return tuple((raw.sha, raw.message.lstrip("\n").partition("\n")[0]) for raw in raws)


def _undo(root: Path, base: str, good: str, scope: Scope | None) -> str:
    """A commit on top of BASE that takes its changes since GOOD out: GOOD's tree, or with
    SCOPE, BASE's tree with GOOD's files in the package's folder (made in a scratch index)."""
    if scope is None:
        tree = git.output(["rev-parse", f"{good}^{{tree}}"], root)
    else:
        tree = _scoped_tree(root, base, good, scope)
    return git.run(
        ["commit-tree", tree, "-p", base, "-m", f"roll back to {good}"], root
    ).stdout.strip()


def _scoped_tree(root: Path, base: str, good: str, scope: Scope) -> str:
    """BASE's tree, but the files of SCOPE's folder that differ from GOOD's as GOOD has them."""
    import tempfile

    raw = git.run(["diff", "--raw", "-z", "--no-renames", "--no-abbrev", base, good], root).stdout
    fields = raw.split("\0")[:-1]
    entries = []
    own = scope.pyproject
    for meta, path in zip(fields[::2], fields[1::2], strict=True):
        was, mode, _, sha, _ = meta.split(" ")
        if path == own and "000000" not in (was, mode):
            sha = _tool_tables_kept(root, sha, f"{base}:{own}")
        if scope.owns(path):
            entries.append(f"{_NO_FILE if mode == '000000' else f'{mode} {sha}'}\t{path}\0")
    with tempfile.TemporaryDirectory(prefix="autorelease-rollback-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        git.run(["read-tree", base], root, env=env)
        git.run(["update-index", "-z", "--index-info"], root, input="".join(entries), env=env)
        return git.run(["write-tree"], root, env=env).stdout.strip()


def _tool_tables_kept(root: Path, blob: str, current: str) -> str:
    """The pyproject.toml BLOB (the good release's) with the CURRENT one's `[tool.uv]` and
    `[tool.autorelease]` tables, written as an object: the workspace's configuration stays."""
    old, now = git.blob(root, blob), git.blob(root, current)
    try:
        text = tool_tables.with_tables_of((old or b"").decode(), (now or b"").decode())
    except UnicodeDecodeError:
        return blob  # no TOML: the build will say
    return git.run(["hash-object", "-w", "--stdin"], root, input=text).stdout.strip()


def _reverted_tree(root: Path, head: str, base: str, undo: str, name: str) -> str:
    """HEAD's tree with the change base -> undo applied: git's own three-way merge of HEAD
    and UNDO, a commit on top of BASE (so BASE is the merge base). Only objects are written;
    RevertConflict names the files when it does not merge cleanly."""
    merged = git.run(
        ["merge-tree", "--write-tree", "--name-only", "-z", "--no-messages", head, undo],
        root, check=False,
    )  # fmt: skip
    if merged.returncode > 1:
        raise git_failed(merged)
    tree, *conflicted = merged.stdout.split("\0")
    if merged.returncode == 1:
        raise RevertConflict(*_conflict(sorted({f for f in conflicted if f}), name))
    return tree.strip()


def git_failed(proc: CompletedProcess[str]) -> AutoreleaseError:
    detail = (proc.stderr or proc.stdout).strip().splitlines()
    return GitError(f"git merge-tree failed: {detail[-1] if detail else proc.returncode}")


def _conflict(files: list[str], name: str) -> tuple[str, str]:
    shown = ", ".join(files[:10]) + (f" and {len(files) - 10} more" if len(files) > 10 else "")
    return (
        f"taking the changes of {name} out of HEAD conflicts in {shown or 'the work tree'}; "
        "nothing was written",
        "revert by hand (`git revert`), resolve, commit, and release with `autorelease publish`",
    )


def _changes(root: Path, head: str, tree: str) -> tuple[tuple[str, str], ...]:
    out = git.run(["diff", "--name-status", "--no-renames", "-z", head, tree], root).stdout
    parts = out.split("\0")[:-1]
    return tuple(zip(parts[::2], parts[1::2], strict=True))


def _message(
    label: str,
    good: history.ReleaseTag,
    bad: history.ReleaseTag,
    reverted: tuple[tuple[str, str], ...],
    scheme: str,
) -> str:
    lines = [
        HEADER.format(version=label),
        "",
        f"Takes out what {label} changed ({good.name}..{bad.name}), so that the next release",
        f"ships what {good.version.render(scheme)} shipped.",
        "",
        *(f"{FOOTER}: {sha[:12]} {header}" for sha, header in reverted),
    ]
    return "\n".join(lines) + "\n"
