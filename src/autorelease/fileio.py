"""Reading and writing the project's text files: UTF-8 whatever the locale, a crash never leaves
half a file behind, and a file's byte order mark and CRLF line ends are kept as found."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

BOM = "\ufeff"


class NotUtf8(ValueError):
    """A file that is not UTF-8 text: where the first bad byte is, for the caller's message."""

    def __init__(self, path: Path, offset: int) -> None:
        super().__init__(f"{path} is not UTF-8 text (byte {offset})")
        self.path = path
        self.offset = offset

    def message(self, name: str) -> str:
        """The one-line error for the file NAME (as the configuration names it)."""
        return f"{name} is not UTF-8 text (invalid byte at offset {self.offset})"


def read_text(path: Path) -> str:
    """PATH decoded as UTF-8, exactly (a byte order mark and CR are kept); NotUtf8 if it is not."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8(path, exc.start) from None


class Framing(NamedTuple):
    """How a file wraps its lines: a leading byte order mark, and CRLF or LF line ends."""

    bom: bool = False
    crlf: bool = False

    def apply(self, text: str) -> str:
        """TEXT (written with "\\n" line ends) in this framing."""
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return BOM + text if self.bom else text


def unframe(text: str) -> tuple[str, Framing]:
    """TEXT without its byte order mark, "\\r\\n" read as "\\n" when every line ends so; and how
    to put both back (Framing.apply). A file that mixes line ends is left as it is."""
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    # "\r" first: one character is searched with memchr, a pair of them 20 times slower.
    crlf = "\r" in text and "\r\n" in text and text.count("\r\n") == text.count("\n")
    if crlf:
        text = text.replace("\r\n", "\n")
    return text, Framing(bom, crlf)


def write_atomic(path: Path, text: str) -> None:
    """Replace PATH with TEXT, as UTF-8, in one rename; keep its permission bits."""
    import tempfile  # with random, bisect and weakref: not for a run that only reads

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
    if any(part.casefold() == ".git" for part in Path(relpath).parts):
        raise ConfigError(  # git's own files: never part of a release, never written by one
            f"{relpath} is inside the git directory",
            "name a file of the work tree, relative to the repository root, e.g. 'CHANGELOG.md'",
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
