"""Text for people: the dry-run preview and the status report. Pure: a plan in, a string out."""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from autorelease.core.classify import ClassifiedCommit
from autorelease.core.plan import ReleasePlan
from autorelease.publish.options import PublishOptions

NL = "\n"


def diff(path: str, before: str | None, after: str) -> str:
    """A unified diff of one file, as git would show it."""
    return "".join(_diff_parts(path, before, after))


def _diff_parts(path: str, before: str | None, after: str) -> list[str]:
    """diff() in pieces: a new first-release changelog is megabytes, better not copied twice."""
    if before is None:  # a new file: every line added (difflib is slow on a long changelog)
        if not after:
            return []
        ends = after.endswith("\n")
        count = after.count("\n") + (0 if ends else 1)
        hunk = "" if count == 1 else f",{count}"  # as difflib writes a hunk of one line
        # One replace over the whole text; the last line end gets no "+" after it.
        added = after.replace(NL, NL + "+", count - 1)
        return [f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1{hunk} @@\n+", added, "" if ends else NL]
    # Only the lines between the common head and tail can differ: difflib compares those and
    # the three context lines either side, so that inserting a section into a long changelog
    # costs its length, not the file's. The hunks are then the ones of a whole-file diff.
    # The common text is found first by comparing strings, not lines: only the region of the
    # change (with its context) is split into lines at all.
    lo, old_end, new_end = _region(before, after)
    offset = before.count(NL, 0, lo)
    old = before[lo:old_end].splitlines(keepends=True)
    new = after[lo:new_end].splitlines(keepends=True)
    head = _common_head(old, new)
    tail = _common_tail(old, new, head)
    start = max(0, head - _CONTEXT)
    lines = difflib.unified_diff(
        old[start : min(len(old), len(old) - tail + _CONTEXT)],
        new[start : min(len(new), len(new) - tail + _CONTEXT)],
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
        n=_CONTEXT,
    )
    return [_shifted(line, offset + start) if line.startswith("@@") else line
            if line.endswith("\n") else line + "\n" for line in lines]  # fmt: skip


def _region(before: str, after: str) -> tuple[int, int, int]:
    """Where BEFORE and AFTER differ, widened to whole lines and the context around them.

    (start, old_end, new_end): the texts are equal before START and from OLD_END (in BEFORE)
    and NEW_END (in AFTER) on, and each of the three offsets starts a line.
    """
    prefix = _common_prefix(before, after)
    suffix = _common_suffix(before, after, min(len(before), len(after)) - prefix)
    start = before.rfind(NL, 0, prefix) + 1  # the start of the first line that differs
    for _ in range(_CONTEXT):
        if start:
            start = before.rfind(NL, 0, start - 1) + 1
    # The first line start inside the common end: the line end before it is common too.
    end = before.find(NL, len(before) - suffix) + 1 or len(before)
    for _ in range(_CONTEXT):
        end = before.find(NL, end) + 1 or len(before)
    return start, end, end + len(after) - len(before)


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common start of A and B: slices compared in C, then halved."""
    n, step, at = min(len(a), len(b)), 1 << 14, 0
    while at < n and a[at : at + step] == b[at : at + step]:
        at += step
    end = min(n, at + step)
    while end - at > 32:
        middle = (at + end) // 2
        at, end = (middle, end) if a[at:middle] == b[at:middle] else (at, middle)
    while at < end and a[at] == b[at]:
        at += 1
    return at


def _common_suffix(a: str, b: str, limit: int) -> int:
    """The length of the longest common end of A and B, at most LIMIT."""
    step, size, la, lb = 1 << 14, 0, len(a), len(b)
    while (
        size < limit
        and a[la - min(limit, size + step) : la - size]
        == b[lb - min(limit, size + step) : lb - size]
    ):
        size = min(limit, size + step)
    end = min(limit, size + step)
    while end - size > 32:
        middle = (size + end) // 2
        same = a[la - middle : la - size] == b[lb - middle : lb - size]
        size, end = (middle, end) if same else (size, middle)
    while size < end and a[la - size - 1] == b[lb - size - 1]:
        size += 1
    return size


_CONTEXT = 3  # lines of context around a change, as git and difflib show by default
_HUNK = re.compile(r"@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def _shifted(header: str, offset: int) -> str:
    """A hunk header of a diff of lines from OFFSET on, numbered as in the whole file."""
    if not offset:
        return header
    match = _HUNK.match(header)
    assert match is not None  # difflib writes every hunk header this way
    old, old_len, new, new_len = match.groups()
    return (f"@@ -{int(old) + offset}{old_len or ''} +{int(new) + offset}{new_len or ''} @@"
            + header[match.end():])  # fmt: skip


def _common_head(old: list[str], new: list[str]) -> int:
    """How many lines OLD and NEW have in common at their start."""
    count = 0
    for a, b in zip(old, new, strict=False):
        if a != b:
            break
        count += 1
    return count


def _common_tail(old: list[str], new: list[str], head: int) -> int:
    """How many lines OLD and NEW have in common at their end, not counting the HEAD ones."""
    limit = min(len(old), len(new)) - head
    count = 0
    while count < limit and old[-1 - count] == new[-1 - count]:
        count += 1
    return count


def _record_encoder() -> Any:
    """json.dumps for one record, without its per-call set-up: the C encoder, made once
    (a list of 100,000 records spends half its time in json.dumps's own Python code)."""
    import json
    from json import encoder

    make = getattr(encoder, "c_make_encoder", None)  # not in typeshed: CPython's accelerator
    if make is None:  # an interpreter without it
        return json.dumps
    # markers=None: plain data from the plan, which cannot refer to itself.
    encode = make(
        None, json.JSONEncoder().default, encoder.encode_basestring_ascii, None, ": ", ", ",
        False, False, True,
    )  # fmt: skip
    return lambda value: "".join(encode(value, 0))


def json_parts(data: dict[str, Any]) -> list[str]:
    """DATA as a JSON object in pieces: one key a line, a list of objects one object a line.

    The lists of a long range hold 100,000 records; written through the C encoder a record
    at a time, rather than pretty-printed by the pure-Python one, they take a quarter of the
    time. Small values keep the indented layout.
    """
    import json

    record = _record_encoder()
    parts = ["{"]
    for n, (key, value) in enumerate(data.items()):
        head = ("\n" if not n else ",\n") + f"  {json.dumps(key)}: "
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            records = ",\n    ".join(map(record, value))
            parts += [head, "[\n    ", records, "\n  ]"]
        else:
            parts += [head, json.dumps(value, indent=2).replace("\n", "\n  ")]
    parts.append("\n}\n" if data else "}\n")
    return parts


def _indented(text: str) -> list[str]:
    """TEXT with four spaces before each line that is not empty, every line ended, in pieces.

    Whole-text replaces rather than a loop over the lines: a first release's changelog
    section has tens of thousands of them.
    """
    if not text:
        return []
    ends = text.endswith("\n")
    # The last line end gets no indent after it when it ends the text.
    indented = "    " + text.replace(NL, NL + "    ", text.count("\n") - (1 if ends else 0))
    while "\n    \n" in indented:  # an empty line got an indent: take it back
        indented = indented.replace("\n    \n", "\n\n")
    if indented.startswith("    \n"):
        indented = indented[4:]
    return [indented] if ends else [indented, NL]


def _short(item: ClassifiedCommit) -> str:
    return f"{item.sha[:7]} {item.header}" if item.sha else item.header


def _counts_line(plan: ReleasePlan) -> str:
    counts = plan.counts
    if not counts:
        return "none"
    parts = [f"{n} {kind}" for kind, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    since = f" since {plan.last_tag}" if plan.last_tag else " (no release tag yet: whole history)"
    return f"{len(plan.commits)}{since}: " + ", ".join(parts)


def preview(plan: ReleasePlan, steps: Sequence[str], verbose: bool = False) -> str:
    """The whole dry-run: facts, decision, diffs, changelog section and the publish steps."""
    return "".join(preview_parts(plan, steps, verbose))


def preview_parts(plan: ReleasePlan, steps: Sequence[str], verbose: bool = False) -> list[str]:
    """preview() in pieces, to be written one after the other: on a first release of a long
    history the changelog section and its diff are megabytes, not worth joining."""
    out = [
        "Dry run: nothing will be written.",
        "",
        f"Repository     {plan.root} (branch {plan.branch or 'detached HEAD'})",
        f"Current        {plan.current_version} (from {plan.current_source})",
        f"Last release   {plan.last_tag or 'none'}"
        + (f", pending pre-release {plan.pending_prerelease}" if plan.pending_prerelease else ""),
        f"Commits        {_counts_line(plan)}",
        f"Bump           {plan.bump} ({plan.bump_reason})",
        f"Bump rules     {plan.bump_rules}",
    ]
    out += [f"                 because of {_short(c)}" for c in plan.bump_commits[:10]]
    if len(plan.bump_commits) > 10:
        out.append(f"                 and {len(plan.bump_commits) - 10} more")
    out += [
        f"Next version   {plan.next_version or 'nothing to release'}",
        f"Tag            {plan.tag or '-'}",
    ]
    out += [f"Warning        {w}" for w in plan.warnings]
    out += _ignored(plan, verbose)
    if not plan.next_version:
        return ["\n".join(out) + "\n"]
    out += ["", "Files that would change:", ""]
    parts = ["\n".join(out)]
    for change in plan.file_changes:
        parts += _diff_parts(change.path, change.before, change.after) or [NL]
    out = []
    if plan.changelog:
        out += ["", f"Changelog section ({plan.changelog_path or 'release notes only'}):", ""]
        parts += ["\n".join(out) + "\n", *_indented(plan.changelog)]
    out = ["", "Steps publish would take:"]
    out += [f"  {n}. {step}" for n, step in enumerate(steps, 1)]
    return [*parts, "\n".join(out) + "\n"]


def publish_steps(
    plan: ReleasePlan, options: PublishOptions, switches: Switches | None = None
) -> list[str]:
    """The steps `publish` would take for PLAN with OPTIONS (and the configuration's
    SWITCHES), in order."""
    switches = switches or Switches()
    files = ", ".join(c.path for c in plan.file_changes) or "no files"
    if options.no_push:
        return [
            f"check: clean working tree, release branch, tag {plan.tag} free in this clone",
            f"write {files}; commit and tag {plan.tag} locally",
            *_test_and_build(options),
            "no push (--no-push): the release commit and tag stay in this clone",
            "no upload (--no-push: nothing goes public before the release is on the remote)",
            "no GitHub release (--no-push: nothing goes public before the release is on the "
            "remote)",
        ]
    repository = options.index_spec(plan.repository)
    return [
        "check: clean working tree, release branch, HEAD equal to the remote branch, "
        f"tag {plan.tag} free locally and on the remote, version not on the index, credentials",
        f"write {files}; commit and tag {plan.tag} locally",
        *_test_and_build(options),
        f"push the release commit and {plan.tag} atomically (the remote is the lock)",
        "no upload (--no-upload)" if options.no_upload else f"upload to {repository}",
        no_github(options, switches)
        or f"GitHub release {plan.tag} with the changelog section and the built files",
        *after_github(options, switches),
    ]


class Switches(NamedTuple):
    """The configuration's settings that turn publish steps off."""

    github_release: bool = True
    comment: bool = True


def no_github(options: PublishOptions, switches: Switches) -> str:
    """The step line when no GitHub release is made; "" when one is."""
    if options.no_github:
        return "no GitHub release (--no-github)"
    return "" if switches.github_release else "no GitHub release (github_release = false)"


def after_github(options: PublishOptions, switches: Switches) -> list[str]:
    if no_github(options, switches):
        return []
    if options.no_comments:
        return ["no 'Released in' comments (--no-comments)"]
    if not switches.comment:
        return ["no 'Released in' comments (comment = false)"]
    return ["a 'Released in' comment on each issue and pull request the notes name"]


def _test_and_build(options: PublishOptions) -> list[str]:
    return [
        "SKIP the tests (--skip-tests)" if options.skip_tests else "run the tests",
        "build sdist and wheel into a fresh directory; twine check --strict; check the version",
    ]


def _ignored(plan: ReleasePlan, verbose: bool) -> list[str]:
    total = plan.counts.get("invalid", 0)
    if not total:
        return []
    limit = total if verbose else 20
    invalid = (c for c in plan.commits if c.kind == "invalid")
    lines = ["", "Not conventional (ignored):"]
    lines += [f"  {_short(c)}  [{'; '.join(c.problems)}]" for c in itertools.islice(invalid, limit)]
    if total > limit:
        lines.append(f"  ... and {total - limit} more (--verbose lists all)")
    return lines


def status(plan: ReleasePlan) -> str:
    """The short report of `autorelease status`."""
    released = "yes" if plan.head_released else "no"
    lines = [
        f"version        {plan.current_version} (from {plan.current_source})",
        f"last tag       {plan.last_tag or 'none'}",
        f"unreleased     {_counts_line(plan)}",
        f"next version   {plan.next_version or 'nothing to release'}"
        + (
            f" ({plan.bump_reason if plan.bump == 'none' else plan.bump})"
            if plan.next_version
            else ""
        ),
        f"HEAD released  {released}",
    ]
    lines += [f"Warning        {w}" for w in plan.warnings]
    return "\n".join(lines) + "\n"
