"""A pyproject.toml's tool configuration, kept while the rest of the file goes back in time.

A rollback takes a package's files back to its last good release; its pyproject.toml's
`[tool.uv...]` and `[tool.autorelease...]` tables are the repository's configuration, not what
the release ships: the `[tool.uv.workspace]` that made a project a workspace (after its last
`v1.0.0`) must stay, or the rollback would dissolve the workspace. Pure functions over text.
"""

from __future__ import annotations

import re

KEPT = ("tool.uv", "tool.autorelease")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]\s]+)\s*\]\]?\s*(?:#.*)?$")


def with_tables_of(old: str, current: str) -> str:
    """OLD (an earlier pyproject.toml) with CURRENT's KEPT tables: each in the place of OLD's
    of that name, those OLD lacks at its end, and OLD's that CURRENT lacks left out."""
    now = {name: part for name, part in _tables(current) if _is_kept(name)}
    before = _tables(old)
    out = [now.get(name, "") if _is_kept(name) else part for name, part in before]
    added = [part for name, part in now.items() if name not in dict(before)]
    if added and "".join(out).strip() and not "".join(out).endswith("\n\n"):
        out.append("\n" if "".join(out).endswith("\n") else "\n\n")
    return "".join(out + added)


def _is_kept(name: str | None) -> bool:
    return name is not None and any(name == k or name.startswith(f"{k}.") for k in KEPT)


def _tables(text: str) -> list[tuple[str | None, str]]:
    """TEXT cut before each table header: (the table's name, or None before the first; its
    text, header included)."""
    parts: list[tuple[str | None, str]] = [(None, "")]
    for line in text.splitlines(keepends=True):
        match = _HEADER.match(line)
        if match:
            parts.append((match[1], ""))
        name, part = parts[-1]
        parts[-1] = (name, part + line)
    return parts
