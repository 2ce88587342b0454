"""Which major version of python-semantic-release a project releases with, from its pins.

Some defaults changed between majors (`allow_zero_version`: true up to 9, false from 10), so
a project that leaves them unset releases what its own pinned version decides. The pin is read
from what runs the release: the workflows (`python-semantic-release==9.*`, the action
`python-semantic-release/python-semantic-release@v9.21.1` or `@SHA # v9.21.1`), then the lock
files. Plain reads of a few small files, asked only when such a default matters.
"""

from __future__ import annotations

import re
from pathlib import Path

from autorelease.fileio import first_link

_NAME = r"python[-_]semantic[-_]release"
# In a workflow: an action by tag (or by sha with its tag in a comment), or a pip pin.
_WORKFLOW_PIN = re.compile(
    rf"(?i)(?:{_NAME}/{_NAME}|relekang/{_NAME})@(?:v|[0-9a-f]{{40}}\s*#\s*v)(?P<major>\d+)"
    rf"|\b{_NAME}\s*(?:==|~=)\s*(?P<pip>\d+)"
)
# In uv.lock or poetry.lock: the package's entry and its version.
_LOCKED = re.compile(rf'(?m)^name = "{_NAME}"\nversion = "(?P<major>\d+)\.')
_LIMIT = 2_000_000  # characters read of one file: a lock file of a large project


def pinned_major(root: Path) -> int | None:
    """The major version of python-semantic-release the project pins, or None."""
    folder = root / ".github" / "workflows"
    flows = sorted(folder.glob("*.y*ml")) if folder.is_dir() else []
    for path in [*flows, root / "uv.lock", root / "poetry.lock"]:
        text = _text(root, path)
        match = (_LOCKED if path.suffix == ".lock" else _WORKFLOW_PIN).search(text)
        if match:
            return int(next(group for group in match.groups() if group))
    return None


def _text(root: Path, path: Path) -> str:
    """PATH's text ("" when it is missing or reached through a link)."""
    relative = path.relative_to(root).as_posix()
    if first_link(root, relative) or not path.is_file():
        return ""
    with path.open(encoding="utf-8", errors="replace") as handle:
        return handle.read(_LIMIT)
