"""The release plan is a value: gather facts, decide, and describe every change before making it.

`plan_release` is the only entry point: it reads config, tags, commits and version files, then
`decide` (pure) turns them into a ReleasePlan that `--dry-run` prints and `publish` executes.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from autorelease import fileio, git
from autorelease.core import (
    bump_rules,
    changelog,
    changelog_style,
    commits,
    config,
    history,
    sections,
    version_files,
)
from autorelease.core.classify import (
    LEVEL_BY_NAME,
    ClassifiedCommit,
    Classifier,
    classify_all,
    kind_counts,
)
from autorelease.core.version import Bump, Version, next_version, parse_version
from autorelease.errors import (
    AutoreleaseError,
    ChangelogError,
    RevertConflict,
    VersionConflict,
    VersionError,
)
from autorelease.fileio import inside
from autorelease.scrub import quote

BY_COMMITS = "commits"  # the bump_reason of a release the commits' levels call for


class PlanOptions(NamedTuple):
    """What the user asked for on the command line."""

    bump: str | None = None  # force major|minor|patch
    pre: str | None = None  # a|b|rc: make a pre-release
    extra_messages: tuple[str, ...] = ()  # treated as committed on top of HEAD (PR titles)
    # Commits made on top of HEAD but not checked out yet (a rollback's revert), newest first.
    extra_commits: tuple[git.RawCommit, ...] = ()
    date: str | None = None
    # Also write the changelog section and the file changes; `status` and `version` need
    # neither (on a first release of a long history that is a fifth of the run).
    changelog: bool = True
    # A workspace's package: the folder its commits touch (its contributors are theirs).
    folder: str = "."

    @classmethod
    def from_command_line(cls, bump: str | None, pre: str | None, test: bool) -> PlanOptions:
        """--bump, --pre and --test as the plan sees them: --test is an alpha pre-release."""
        return cls(bump=bump, pre=pre or ("a" if test else None))


class FileChange(NamedTuple):
    """One file the release rewrites, before and after."""

    path: str
    before: str | None
    after: str


class ReleasePlan(NamedTuple):
    """Everything publish will do, decided before anything is written."""

    root: str
    branch: str | None
    head: str
    current_version: str
    current_source: str
    last_tag: str | None
    pending_prerelease: str | None
    head_released: bool
    commits: tuple[ClassifiedCommit, ...]
    bump: str  # major | minor | patch | prerelease | none
    bump_reason: str
    bump_commits: tuple[ClassifiedCommit, ...]
    next_version: str | None
    tag: str | None
    previous_tag: str | None
    file_changes: tuple[FileChange, ...]
    changelog_path: str | None
    changelog: str
    declarations: tuple[str, ...]
    warnings: tuple[str, ...]
    config_origin: dict[str, str]
    repository: str  # where publish uploads unless the command line says otherwise
    counts: dict[str, int]  # commits by type or kind
    bump_rules: str = "autorelease"  # whose rules decided the levels (bump_rules.py)
    notes: str = ""  # the GitHub release's text when it is not `changelog` (a .rst changelog's)

    @property
    def releasable(self) -> bool:
        return self.next_version is not None

    def to_json(self) -> dict[str, Any]:
        data = self._asdict()
        data["commits"] = [c._asdict() for c in self.commits]
        data["bump_commits"] = [c._asdict() for c in self.bump_commits]
        data["file_changes"] = [c._asdict() for c in self.file_changes]
        data["releasable"] = self.releasable
        return data


def plan_release(root: Path, options: PlanOptions | None = None) -> ReleasePlan:
    """Gather the facts under ROOT and decide the release. Reads only; writes nothing."""
    options = options or PlanOptions()
    root = git.toplevel(root)
    cfg = config.load(root)
    classifier = Classifier(cfg)
    hist = history.read(root, cfg.tag_format, on_commit=classifier)
    if options.pre is None and cfg.bump_rules == bump_rules.SEMANTIC_RELEASE:
        # python-semantic-release's branches table: a pre-release branch makes pre-releases.
        psr = cfg.semantic_release[1]
        options = options._replace(pre=bump_rules.psr_prerelease_token(psr, hist.branch))
    declarations, found = _versions(root, cfg, hist)
    date = options.date or today()
    repo_url = sections.repository_url(root, cfg)
    plan = decide(
        root, cfg, hist, found=found, options=options, date=date,
        repo_url=repo_url, declarations=declarations, classifier=classifier,
    )  # fmt: skip
    plan = plan._replace(file_changes=on_top(root, options.extra_commits, plan.file_changes))
    other = history.other_format(root, str(cfg.tag_format)) if not hist.tags else None
    if other is None:
        return plan
    return plan._replace(warnings=(*plan.warnings, _unmatched_tags(cfg, other)))


def _unmatched_tags(cfg: config.Config, other: str) -> str:
    """The warning for a history whose version tags follow OTHER, not the tag format."""
    return (
        f"no tag follows tag_format = {str(cfg.tag_format)!r} ({cfg.origin['tag_format']}), "
        f"but the tags follow {other!r}: if those are the releases, set tag_format = "
        f"{other!r} in [tool.autorelease]"
    )


def today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.date().isoformat()


def _versions(
    root: Path, cfg: config.Config, hist: history.History
) -> tuple[list[version_files.Declaration], list[version_files.Found]]:
    declarations = _declarations(root, cfg)
    if not declarations and not hist.tags and not uses_scm(cfg):
        raise VersionError(
            f"no version found in {root}: no release tag, and no version in pyproject.toml, "
            "setup.cfg, setup.py or a package's __version__",
            'add version = "0.1.0" to [project] in pyproject.toml, or name the file with '
            "version_files in [tool.autorelease]",
        )
    latest = hist.pending or hist.last_final
    current = latest.version.render() if latest else None
    found = version_files.read_all(root, declarations, current, cfg.origin["version_files"])
    check_agreement(found)
    if cfg.version_files and not uses_scm(cfg):  # listed: what setuptools reads may be left out
        extra = version_files.built_along(root, declarations, found)
        declarations, found = [*declarations, *(f.declaration for f in extra)], [*found, *extra]
    return declarations, found


def uses_scm(cfg: config.Config) -> bool:
    return cfg.version_source == "tag" or (
        cfg.version_source == "auto" and version_files.uses_scm_version(cfg.pyproject)
    )


def _declarations(root: Path, cfg: config.Config) -> list[version_files.Declaration]:
    """The declarations to read and rewrite: the listed ones, else the discovered ones.

    With the version from tags only the listed files are rewritten; otherwise a static
    [project].version is always one, since the build reads it, and so is uv.lock's entry
    of it, which uv checks.
    """
    specs = [one for spec in cfg.version_files for one in version_files.expand(spec, root)]
    listed = [version_files.parse_spec(s, root, str(cfg.tag_format)) for s in specs]
    if uses_scm(cfg):
        return listed
    if not listed:
        return version_files.discover(root, cfg.pyproject)
    return version_files.with_build_version(listed, cfg.pyproject, root)


def check_agreement(found: list[version_files.Found]) -> None:
    values = {f.declaration: parse_version(f.value) for f in found}
    for item in found:
        if values[item.declaration] is None:
            raise VersionError(f"{item.declaration}: {quote(item.value)} is not a version")
    distinct = {v.render() for v in values.values() if v is not None}
    if len(distinct) > 1:
        listing = ", ".join(f"{f.declaration} = {f.value}" for f in found)
        raise VersionConflict(
            f"the version declarations disagree: {listing}",
            "make them equal (the last release's version) and commit, then run again",
        )


# --- the decision (pure) ------------------------------------------------------------------


def decide(
    root: Path,
    cfg: config.Config,
    hist: history.History,
    *,
    found: list[version_files.Found],
    options: PlanOptions,
    date: str,
    repo_url: str | None,
    declarations: list[version_files.Declaration] | None = None,
    classifier: Classifier | None = None,
) -> ReleasePlan:
    """Turn facts into a plan: the bump, the next version, the files and the changelog.

    CLASSIFIER may already know the commits (plan_release classifies them as git streams).
    """
    raws = list(hist.commits)
    raws[:0] = [
        *options.extra_commits,
        *(git.RawCommit("", (), m) for m in options.extra_messages),  # no commit yet: no sha
    ]
    classifier = classifier or Classifier(cfg)
    items, parsed = classify_all(raws, classifier)
    level, reason, causes, forced_version = _bump_level(items, parsed, raws, options)
    current, source = _current(hist, found)
    counts = kind_counts(items)
    warnings = [*classifier.warnings, *_warnings(hist, found, counts.get("invalid", 0))]
    decision_version, bump_name = _next(
        hist, found, cfg, options, level=level, forced_version=forced_version
    )
    if _already_released(hist, options):
        decision_version, bump_name = None, "none"
    first = decision_version is not None and hist.last_final is None and hist.pending is None
    if first and not options.bump and not forced_version:
        reason, causes = _first_reason(found, level), ([] if found or not level else causes)
    scheme = str(cfg.version_scheme)
    next_text = decision_version.render(scheme) if decision_version else None
    tag = str(cfg.tag_format).format(version=next_text) if next_text else None
    if tag and any(t.name == tag for t in hist.tags):
        warnings.append(f"tag {tag} already exists: publish will refuse to release it again")
    previous = history.previous(hist, prerelease=bool(options.pre))
    section, changelog_path, notes = "", None, ""
    file_changes: list[FileChange] = []
    if next_text and tag and options.changelog:
        in_section: Iterable[tuple[str, object]] = _in_section(
            items, parsed, hist, prerelease=bool(options.pre)
        )
        meta = changelog.Release(
            next_text, tag, date, (), previous.name if previous else None, repo_url
        )
        before = _changelog_text(root, cfg)
        unframed, framing = fileio.unframe(before) if before else (None, fileio.Framing())
        behind = _left_off(cfg, hist, unframed, previous)  # then sections for these come too
        newest = behind[0] if behind else previous
        last = newest.version.render(scheme) if newest else None
        style = changelog_style.detect(unframed, last, changelog_style.is_rst(cfg.changelog_path))
        how = sections.rendering(root, cfg, classifier, style, repo_url)
        if style.rst:  # the GitHub release gets Markdown: the entries are written twice
            in_section = list(in_section)
            notes = sections.section(meta, in_section, how._replace(style=changelog_style.MD))
        section = sections.section(meta, in_section, how)
        if cfg.changelog_contributors:  # names only: the core asks no service for logins
            section, notes = _with_contributors(
                root, (previous, options.folder), section, notes, style
            )
        if behind:
            from autorelease.core import changelog_rebuild  # only for a changelog left behind

            section_in_file = section + "\n" + changelog_rebuild.missing(root, cfg, behind, how)
        file_changes, changelog_path = _file_changes(
            root, cfg, found, (next_text, last), section=section_in_file if behind else section,
            changelog_read=(before, unframed, framing),
        )  # fmt: skip
    return ReleasePlan(
        root=str(root),
        branch=hist.branch,
        head=hist.head,
        current_version=current,
        current_source=source,
        last_tag=hist.last_final.name if hist.last_final else None,
        pending_prerelease=hist.pending.name if hist.pending else None,
        head_released=bool(hist.head_tags),
        commits=tuple(items),
        bump=bump_name,
        bump_reason=reason,
        bump_commits=tuple(causes),
        next_version=next_text,
        tag=tag,
        previous_tag=previous.name if previous else None,
        file_changes=tuple(file_changes),
        changelog_path=changelog_path,
        changelog=section,
        declarations=tuple(str(d) for d in (declarations or [])),
        warnings=tuple(warnings),
        config_origin=dict(cfg.origin),
        repository=str(cfg.repository),
        counts=counts,
        bump_rules=classifier.bump_rules,
        notes=notes,
    )


def _with_contributors(
    root: Path,
    since: tuple[history.ReleaseTag | None, str],
    section: str,
    notes: str,
    style: changelog_style.Style,
) -> tuple[str, str]:
    """SECTION (and NOTES, its Markdown twin for a reStructuredText changelog) ending with
    the release's contributors (changelog_contributors = true): those of the commits since the
    previous release, in the package's folder (SINCE holds both)."""
    from autorelease.core import contributors

    previous, folder = since
    paths = (folder,) if folder != "." else ()
    people = contributors.authors(root, previous.name if previous else None, "HEAD", paths)
    items = contributors.lines(people, {})
    section = changelog.with_block(section, "Contributors", items, style)
    if notes:
        notes = changelog.with_block(notes, "Contributors", items)
    return section, notes


def _left_off(
    cfg: config.Config,
    hist: history.History,
    existing: str | None,
    previous: history.ReleaseTag | None,
) -> list[history.ReleaseTag]:
    """The releases from the one the changelog EXISTING stops at up to PREVIOUS, when it has no
    marker and no heading for PREVIOUS but one for an older release (commitizen's own left off
    at 4.13.9); empty otherwise."""
    scheme = str(cfg.version_scheme)
    last = previous.version.render(scheme) if previous else None
    rst = changelog_style.is_rst(cfg.changelog_path)
    if previous is None or changelog.has_place(existing, str(cfg.changelog_marker), last, rst=rst):
        return []
    from autorelease.core import changelog_rebuild  # only for a changelog left behind

    return changelog_rebuild.left_off(str(existing), hist.tags, last=previous, scheme=scheme)


def _in_section(
    items: list[ClassifiedCommit],
    parsed: list[commits.Commit | None],
    hist: history.History,
    *,
    prerelease: bool,
) -> Iterable[tuple[str, commits.Commit | None]]:
    """The commits the new section lists: all since the last final release, or for a
    pre-release after another, those since that one (and messages given on the command line).
    None stands for a commit that is not conventional: the changelog skips it.
    """
    if not (prerelease and hist.pending):
        return zip(map(_SHA, items), parsed, strict=True)  # no Python loop over a long range
    since_pending = hist.since_pending
    hist_shas = {raw.sha for raw in hist.commits}  # the others are on top of HEAD
    return [
        (item.sha, commit)
        for item, commit in zip(items, parsed, strict=True)
        if item.sha in since_pending or item.sha not in hist_shas
    ]


def _changelog_text(root: Path, cfg: config.Config) -> str | None:
    """The changelog file's text as it stands (None when there is none, or none is kept)."""
    path = cfg.changelog_path
    return _read(root, path, ChangelogError, "changelog") if path else None


# Field getters that run in C, for the passes over every commit of a range.
_SHA, _MESSAGE, _LEVEL = attrgetter("sha"), attrgetter("message"), itemgetter(3)
# The tail of a Release-As footer's token: a pattern that starts with a literal, which the
# regex engine scans for fast (one with IGNORECASE or a leading class is far slower on
# megabytes of messages). Only a hit earns the footer parsing.
_RELEASE_AS_TAIL = re.compile(r"-[Aa][Ss](?:: | #)")


def _bump_level(
    items: list[ClassifiedCommit],
    parsed: list[commits.Commit | None],
    raws: list[git.RawCommit],
    options: PlanOptions,
) -> tuple[Bump, str, list[ClassifiedCommit], Version | None]:
    """The bump the commits call for, and why."""
    # One search per message, in C (joining megabytes of messages first costs more); only
    # the messages it finds are asked for their footers.
    if any(map(_RELEASE_AS_TAIL.search, map(_MESSAGE, raws))):
        for item, commit in zip(items, parsed, strict=True):
            if commit is None or not _RELEASE_AS_TAIL.search(commit.rest):
                continue
            forced = commit.footer("Release-As")
            if forced and parse_version(forced):
                return Bump.NONE, f"Release-As: {forced} footer", [item], parse_version(forced)
    if options.bump:
        return Bump.parse(options.bump), f"--bump {options.bump}", [], None
    level = max((LEVEL_BY_NAME[name] for name in set(map(_LEVEL, items))), default=Bump.NONE)
    if not level:
        return level, "no releasable commits", [], None
    name = level.name.lower()  # as ClassifiedCommit.level spells it
    return level, BY_COMMITS, [i for i in items if i.level == name], None


def _first_reason(found: list[version_files.Found], level: Bump) -> str:
    if found:
        return f"first release: the declared {found[0].value} as it stands"
    if level:
        return "first release: 0.0.0 bumped by the commits"
    return "first release of a tag-versioned project: 0.1.0"


def _already_released(hist: history.History, options: PlanOptions) -> bool:
    """HEAD already carries the kind of release asked for (a re-run, or nothing new)."""
    if options.extra_messages or options.extra_commits or options.bump:
        return False
    if options.pre:
        return bool(hist.head_tags)
    return any(not t.version.is_prerelease for t in hist.head_tags)


def _current(hist: history.History, found: list[version_files.Found]) -> tuple[str, str]:
    latest = hist.pending or hist.last_final
    if latest:
        return latest.version.render(), f"tag {latest.name}"
    if found:
        return found[0].value, str(found[0].declaration)
    return "0.0.0", "no tag and no declaration"


def _next(
    hist: history.History,
    found: list[version_files.Found],
    cfg: config.Config,
    options: PlanOptions,
    *,
    level: Bump,
    forced_version: Version | None,
) -> tuple[Version | None, str]:
    if forced_version is not None:
        since = hist.last_final.version if hist.last_final else Version(0, 0, 0)
        if hist.last_final and forced_version.sort_key() <= since.sort_key():
            raise VersionConflict(
                f"a Release-As: {forced_version} footer asks for a version not newer than the "
                f"last release {hist.last_final.name}",
                "name a higher version in the footer, or revert the commit that carries it",
            )
        return forced_version, _distance(since, forced_version)
    taken = frozenset(t.version for t in hist.tags)
    pending = hist.pending.version if hist.pending else None
    if hist.last_final is None and pending is None and found:
        return _first_release(found[0].value, cfg, options, level=level, taken=taken)
    last: Version | None = hist.last_final.version if hist.last_final else None
    if last is None and pending is None and level is Bump.NONE:
        level = Bump.MINOR  # the first release of a tag-versioned project is 0.1.0
    decision = next_version(
        last, level, pending=pending, pre=options.pre, taken=taken,
        major_on_zero=bool(cfg.major_on_zero), allow_zero=bool(cfg.allow_zero_version),
        forced=options.bump is not None,
    )  # fmt: skip
    return decision.version, decision.bump


def _first_release(
    declared_text: str,
    cfg: config.Config,
    options: PlanOptions,
    *,
    level: Bump,
    taken: frozenset[Version],
) -> tuple[Version | None, str]:
    """No release tag yet: the declared version is released as it stands (or bumped by --bump)."""
    del level  # the commits do not move a version that has never been released
    declared = parse_version(declared_text) or Version(0, 0, 0)
    base, name = declared.base, "initial"
    if options.bump:
        base, name = declared.bump(Bump.parse(options.bump)), options.bump
    if not cfg.allow_zero_version and base.major == 0:
        base = Version(1, 0, 0)
    if options.pre:
        counter = 1 + max((v.pre[1] for v in taken if v.pre and v.base == base), default=0)
        return base.with_pre(options.pre, counter), "prerelease"
    return base, name if name != "initial" else "none"


def _distance(old: Version, new: Version) -> str:
    """The bump name that leads from OLD to NEW (for a version forced by Release-As)."""
    if new.is_prerelease:
        return "prerelease"
    for name, a, b in (("major", old.major, new.major), ("minor", old.minor, new.minor)):
        if a != b:
            return name
    return "patch"


def _warnings(hist: history.History, found: list[version_files.Found], invalid: int) -> list[str]:
    warnings = []
    if hist.last_final and found:
        declared = parse_version(found[0].value)
        latest = (hist.pending or hist.last_final).version
        if declared and declared.render() != latest.render():
            warnings.append(
                f"{found[0].declaration} says {found[0].value} but the last release tag is "
                f"{(hist.pending or hist.last_final).name}; the release rewrites it"
            )
    if invalid:
        warnings.append(f"{invalid} commit(s) are not conventional and were ignored")
    return warnings


def _file_changes(
    root: Path,
    cfg: config.Config,
    found: list[version_files.Found],
    versions: tuple[str, str | None],
    *,
    section: str,
    changelog_read: tuple[str | None, str | None, fileio.Framing],
) -> tuple[list[FileChange], str | None]:
    """The files the release rewrites: VERSIONS are the new one and the previous release's;
    TEXTS hold the files without their framing (a byte order mark, CRLF line ends), which the
    changes put back as each file had it. CHANGELOG_READ is the changelog as read, without
    its framing, and that framing."""
    new, last = versions
    texts: dict[str, str] = {}
    originals: dict[str, str | None] = {}
    framing: dict[str, fileio.Framing] = {}
    for path in dict.fromkeys(item.declaration.path for item in found):
        originals[path] = _read(root, path, VersionError, "version file")
        body, framing[path] = fileio.unframe(originals[path] or "")
        items = [(f.declaration, f.value) for f in found if f.declaration.path == path]
        texts[path] = version_files.replace_all(body, items, new)
    changelog_path = cfg.changelog_path
    if changelog_path:
        if changelog_path not in texts:
            originals[changelog_path], unframed, framing[changelog_path] = changelog_read
            texts[changelog_path] = unframed or ""
        existing = texts[changelog_path] if originals[changelog_path] is not None else None
        texts[changelog_path] = changelog.insert(
            existing, section, str(cfg.changelog_marker), new, last,
            name=changelog_path, rst=changelog_style.is_rst(changelog_path),
        )  # fmt: skip
    changes = [
        FileChange(path, originals[path], after)
        for path, text in texts.items()
        if (after := framing[path].apply(text)) != originals[path]
    ]
    return changes, changelog_path


def _read(root: Path, path: str, error: type[AutoreleaseError], what: str) -> str | None:
    """The text of the file PATH under ROOT, None if there is none; ERROR if it is not UTF-8."""
    try:
        return fileio.read_text(inside(root, path))
    except FileNotFoundError:
        return None
    except fileio.NotUtf8 as exc:
        raise error(
            exc.message(path), f"convert the {what} {path} to UTF-8 and commit it, then run again"
        ) from None


# --- on top of commits not checked out yet (a rollback's revert) --------------------------


def on_top(
    root: Path, extra: Sequence[git.RawCommit], changes: Sequence[FileChange]
) -> tuple[FileChange, ...]:
    """CHANGES made to the files as EXTRA's newest commit holds them (EXTRA: commits made on
    top of HEAD and not checked out yet, newest first: a rollback's revert).

    The plan reads the version files and the changelog from the work tree, which is HEAD. When
    the commits on top change one of them (a revert restoring other lines of an `__init__.py`
    that holds `__version__`), the release must change the file as the top commit holds it, or
    it would put HEAD's lines back: git merge-file merges the two (base: the file at HEAD), and
    a conflict stops the plan before anything is written."""
    if not extra or not changes:
        return tuple(changes)
    top = extra[0].sha
    out = git.run(["diff", "--name-only", "--no-renames", "-z", "HEAD", top], root).stdout
    moved = set(out.split("\0")) - {""}
    return tuple(
        _merged_on(root, top, change) if posixpath.normpath(change.path) in moved else change
        for change in changes
    )


def _merged_on(root: Path, top: str, change: FileChange) -> FileChange:
    import tempfile  # a rollback's: the dry run does not pay for it (nor shutil's imports)

    path = posixpath.normpath(change.path)
    theirs = git.blob(root, f"{top}:{path}")
    if theirs is None or change.before is None:  # removed, or new on both sides
        raise _on_top_conflict(path)
    with tempfile.TemporaryDirectory(prefix="autorelease-merge-") as scratch:
        ours, base, top_file = (Path(scratch) / name for name in ("ours", "base", "theirs"))
        ours.write_bytes(change.after.encode("utf-8"))
        base.write_bytes(change.before.encode("utf-8"))
        top_file.write_bytes(theirs)
        # In place, into OURS, as bytes: the file's CRLF line ends and byte order mark stay.
        merged = git.run(
            ["merge-file", "-q", str(ours), str(base), str(top_file)], root, check=False
        )
        try:
            before, after = theirs.decode("utf-8"), fileio.read_text(ours)
        except (UnicodeDecodeError, fileio.NotUtf8):
            raise _on_top_conflict(path) from None
    if merged.returncode != 0:
        raise _on_top_conflict(path)
    return FileChange(change.path, before, after)


def _on_top_conflict(path: str) -> RevertConflict:
    return RevertConflict(
        f"the release's change to {path} conflicts with the commit on top of HEAD that changes "
        "it too; nothing was written",
        "revert by hand (`git revert`), resolve, commit, and release with `autorelease publish`",
    )
