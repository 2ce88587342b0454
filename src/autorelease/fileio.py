"""Writing files so that a crash never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Replace PATH with TEXT in one rename; keep its permission bits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def inside(root: Path, relpath: str) -> Path:
    """ROOT / RELPATH, once sure that it is a path in ROOT that passes through no symbolic link.

    Checked before a file that autorelease writes is read, so nothing outside the repository is
    read into a release (or quoted in an error), and no write follows a link: git records a
    link, not the file behind it. Raises ConfigError.
    """
    from autorelease.errors import ConfigError

    base = root.resolve()
    path = base / relpath
    real = path.resolve()
    if real != base and base not in real.parents:
        lexical = Path(relpath).is_absolute() or ".." in Path(relpath).parts
        raise ConfigError(
            f"{relpath} is outside the repository {base}"
            if lexical
            else f"{relpath} leads outside the repository through a symbolic link (to {real})",
            "name a regular file inside the repository, relative to its root",
        )
    link = first_link(base, relpath)
    if link is not None:
        raise ConfigError(
            f"{relpath} passes through the symbolic link {link} (to {real})",
            f"name {real.relative_to(base)} instead, or replace the link with the file",
        )
    return path


def first_link(base: Path, relpath: str) -> str | None:
    """The first part of RELPATH under BASE that is a symbolic link, or None."""
    current = base
    for part in Path(relpath).parts:
        current = current / part
        if current.is_symlink():
            return current.relative_to(base).as_posix()
    return None
