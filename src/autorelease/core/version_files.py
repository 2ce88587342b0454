"""Where a project declares its version, and rewriting exactly that declaration.

Pure functions over text (`locate`, `replace`), plus `discover` and `read_all`, which read files.
A declaration is written `path`, `path:dotted.toml.key`, `path:VARIABLE` or `path:regex`; a regex
with a `(?P<version>...)` group rewrites that group, one without selects lines and the current
version is replaced wherever it stands inside them, as commitizen's `version_files` do.
semantic-release's `path:variable:nf|tf` (and `path:dotted.key:tf`) are read as semantic-release
reads them; `:tf` values carry the tag format. Nothing else in a file is ever touched.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from autorelease.errors import ConfigError, VersionError
from autorelease.fileio import NotUtf8, first_link, inside, read_text, unframe

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"  # re compiles it on first use
_DOTTED = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")
_TOML_HEADER = re.compile(r"^\s*\[(?P<name>[^\[\]]+)\]\s*(?:#.*)?$")
_TOML_ARRAY_HEADER = re.compile(r"^\s*\[\[")
_TOML_STRING = re.compile(
    r"^[ \t]*(?P<key>[A-Za-z0-9_.\-\"' ]+?)[ \t]*=[ \t]*(?P<q>[\"'])(?P<value>[^\"'\n]*)(?P=q)",
    re.MULTILINE,
)


LOCK = "uv.lock"  # uv's lock file, where it records the project's own version
OWN = "pyproject.toml [tool.autorelease]"  # where autorelease's own version_files are listed


class Declaration(NamedTuple):
    """One place that states the version: a file and how to find the value in it."""

    path: str
    kind: str  # toml | variable | regex | setup_cfg | setup_py | pattern | whole | uv_lock
    key: str
    fmt: str = ""  # how the value is written: "" the bare version, else a tag format

    def __str__(self) -> str:
        labels = {
            "toml": f"[{self.key.rpartition('.')[0]}].{self.key.rpartition('.')[2]}",
            "uv_lock": f"[[package]] {self.key} version",
            "whole": "(the whole file)",
            "regex": "(every line)" if self.key == ".*" else self.key,
        }
        return f"{self.path} {labels.get(self.kind, self.key)}"


class Found(NamedTuple):
    """A declaration and the version text it holds."""

    declaration: Declaration
    value: str


def parse_spec(spec: str, root: Path, tag_format: str = "v{version}") -> Declaration:
    """Turn a user's `path[:what]` into a Declaration (TAG_FORMAT for `:tf` entries)."""
    parts = spec.split(":", 2)
    if len(parts) == 3 and parts[2] in STAMPS:
        return _stamped(parts[0], parts[1], tag_format if parts[2] == "tf" else "", root)
    path, sep, what = spec.partition(":")
    if not sep or not what:
        return _auto_declaration(path, root)
    if path.endswith(".toml") and (_DOTTED.fullmatch(what) or what == "version"):
        return Declaration(path, "toml", _resolve_toml_key(path, what, root))
    if re.fullmatch(_IDENTIFIER, what) and not path.endswith(".toml"):
        return Declaration(path, "variable", what)
    try:
        re.compile(what)
    except re.error as exc:
        raise ConfigError(f"version_files: {spec!r} has an invalid regex: {exc}") from None
    return Declaration(path, "regex", what)


STAMPS = ("nf", "tf")  # semantic-release's number format and tag format

# semantic-release's SEMVER_REGEX (semantic_release/const.py), used by its version_variables.
_SEMVER = r"""
    (?P<major>0|[1-9]\d*)
    \.
    (?P<minor>0|[1-9]\d*)
    \.
    (?P<patch>0|[1-9]\d*)
    (?:-(?P<prerelease>(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?
    (?:\+(?P<buildmetadata>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?
    """


def expand(spec: str, root: Path) -> list[str]:
    """SPEC once per file its path names: a glob path (`src/*/__init__.py`, as commitizen
    allows) gives one spec per match, in sorted order; one matching nothing stays as written."""
    path, sep, what = spec.partition(":")
    if not any(c in path for c in "*?["):
        return [spec]
    matches = sorted(p.relative_to(root).as_posix() for p in root.glob(path) if p.is_file())
    return [f"{m}{sep}{what}" for m in matches] or [spec]


def _stamped(path: str, what: str, fmt: str, root: Path) -> Declaration:
    """semantic-release's `path:what:nf|tf`: a TOML key (version_toml) or a pattern."""
    if what == "*":
        return Declaration(path, "whole", what, fmt)
    if path.endswith(".toml") and _DOTTED.fullmatch(what):
        return Declaration(path, "toml", what, fmt)
    return Declaration(path, "pattern", what, fmt)


def psr_pattern(variable: str, fmt: str) -> re.Pattern[str]:
    """The regex semantic-release builds for a version_variables entry (pattern.py)."""
    value = _SEMVER
    if fmt:
        head, _, tail = fmt.strip().partition("{version}")
        value = re.escape(head) + _SEMVER + re.escape(tail)
    return re.compile(
        f"""(?x)(?P<quote1>['"])?(?<![\\w.-]){re.escape(variable)}(?P=quote1)?"""
        r"(?:\s{0,8}:\s{0,8}[^\s=:][^=:=]{0,100})?"
        r"\s{0,8}(:=|==|[:=@ ])\s{0,8}"
        f"""(?P<quote2>['"])?(?P<version>{value})(?P=quote2)?""",
        re.MULTILINE,
    )


def _resolve_toml_key(path: str, key: str, root: Path) -> str:
    if key != "version":
        return key
    # commitizen's `pyproject.toml:version` means "the version line": pick the real table.
    data = _load_toml(inside(root, path))
    for candidate in ("project.version", "tool.poetry.version", "version"):
        if _dig(data, candidate) is not None:
            return candidate
    return "project.version"


def _auto_declaration(path: str, root: Path) -> Declaration:
    name = Path(path).name
    if name == "pyproject.toml":
        return Declaration(path, "toml", _resolve_toml_key(path, "version", root))
    if name == "setup.cfg":
        return Declaration(path, "setup_cfg", "[metadata] version")
    if name == "setup.py":
        return Declaration(path, "setup_py", "version=")
    if name == LOCK:
        return lock_entry(
            str(_dig(_load_toml(root / "pyproject.toml"), "project.name") or ""), path
        )
    if path.endswith(".toml"):
        return Declaration(path, "toml", "version")
    return Declaration(path, "variable", "__version__")


def locate(decl: Declaration, text: str, old: str | None = None) -> list[tuple[int, int]]:
    """The character spans of the version value(s) the declaration points at in TEXT.

    OLD is the current version: a regex without a version group selects lines, and the spans
    are where OLD stands in them (the first version-looking text when OLD is not there).
    """
    if decl.kind == "toml":
        return _toml_spans(text, decl.key)
    if decl.kind == "variable":
        pattern = (
            rf"^[ \t]*{re.escape(decl.key)}[ \t]*(?::[^=\n]+)?=[ \t]*"
            r"([\"'])(?P<version>[^\"'\n]+)\1"
        )
        return _group_spans(re.compile(pattern, re.MULTILINE), text)
    if decl.kind == "setup_cfg":
        section = re.search(r"^\[metadata\][ \t]*$(?P<body>.*?)(?=^\[|\Z)", text, re.M | re.S)
        if not section:
            return []
        inner = re.compile(r"^version[ \t]*[=:][ \t]*(?P<version>[^\s#;]+)", re.MULTILINE)
        offset = section.start("body")
        return [(offset + s, offset + e) for s, e in _group_spans(inner, section["body"])]
    if decl.kind == "setup_py":
        pattern = r"\bversion[ \t]*=[ \t]*([\"'])(?P<version>[^\"'\n]+)\1"
        return _group_spans(re.compile(pattern), text)
    return _other_spans(decl, text, old)


def _other_spans(decl: Declaration, text: str, old: str | None) -> list[tuple[int, int]]:
    if decl.kind == "pattern":
        return _group_spans(psr_pattern(decl.key, decl.fmt), text)
    if decl.kind == "whole":
        return [(0, len(text))] if text.strip() else []
    if decl.kind == "uv_lock":
        return _uv_lock_spans(text, decl.key)
    pattern = re.compile(decl.key, re.MULTILINE)
    if "version" in pattern.groupindex:
        return _group_spans(pattern, text)
    return _line_spans(re.compile(decl.key), text, old)


def _group_spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span("version") for m in pattern.finditer(text)]


_VERSION_LIKE = r"(?<![\d.])\d+\.\d+(?:\.\d+)?(?:[-.+]?[A-Za-z0-9]+(?:\.\d+)?)*"  # compiled on use


def _line_spans(pattern: re.Pattern[str], text: str, old: str | None) -> list[tuple[int, int]]:
    """As commitizen: each line PATTERN matches has OLD replaced wherever it stands in it."""
    chosen, start = [], 0
    for line in text.splitlines(keepends=True):
        if pattern.search(line):
            chosen.append((start, line))
        start += len(line)
    if not old or not any(old in line for _, line in chosen):
        first = next((m for _, line in chosen if (m := re.search(_VERSION_LIKE, line))), None)
        if first is None:
            return []
        old = first.group()
    return [(start + i, start + i + len(old)) for start, line in chosen for i in _finds(line, old)]


def _finds(line: str, old: str) -> list[int]:
    """Where str.replace(OLD, ...) would replace OLD in LINE."""
    found, i = [], line.find(old)
    while i >= 0:
        found.append(i)
        i = line.find(old, i + len(old))
    return found


def _uv_lock_spans(text: str, name: str) -> list[tuple[int, int]]:
    """The version of the [[package]] named NAME in uv.lock (the project's own entry)."""
    blocks = re.split(r"(?m)^(?=\[\[package\]\][ \t]*$)", text)
    position = 0
    for block in blocks:
        if block.startswith("[[package]]") and _block_value(block, "name") == name:
            match = re.search(r'(?m)^version[ \t]*=[ \t]*"(?P<version>[^"\n]*)"', block)
            if match:
                return [(position + match.start("version"), position + match.end("version"))]
        position += len(block)
    return []


def _block_value(block: str, key: str) -> str | None:
    match = re.search(rf'(?m)^{key}[ \t]*=[ \t]*"(?P<value>[^"\n]*)"', block)
    return match["value"] if match else None


def lock_entry(name: str, path: str = "uv.lock") -> Declaration:
    """The version of project NAME's own [[package]] in the uv.lock at PATH, the project named
    as uv writes it (normalised as in PEP 503)."""
    return Declaration(path, "uv_lock", re.sub(r"[-_.]+", "-", name).lower())


def _toml_spans(text: str, dotted: str) -> list[tuple[int, int]]:
    """Find `key = "value"` for a dotted key by tracking [table] headers line by line."""
    table = ""
    spans = []
    position = 0
    for line in text.splitlines(keepends=True):
        header = _TOML_HEADER.match(line)
        if header:
            table = _normalise_key(header["name"])
        elif _TOML_ARRAY_HEADER.match(line):
            table = "\0"  # inside an array of tables: never the declaration
        else:
            match = _TOML_STRING.match(line)
            if match and table != "\0":
                key = _normalise_key(match["key"])
                full = f"{table}.{key}" if table else key
                if full == dotted:
                    spans.append((position + match.start("value"), position + match.end("value")))
        position += len(line)
    return spans


def _normalise_key(key: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in key.split("."))


def replace(decl: Declaration, text: str, new: str, old: str | None = None) -> str:
    """TEXT with the declared version set to NEW; nothing else changes."""
    return replace_all(text, [(decl, old)], new)


def replace_all(text: str, items: Sequence[tuple[Declaration, str | None]], new: str) -> str:
    """TEXT with every declaration of ITEMS (with its current version) set to NEW.

    The spans are found in the original text, so declarations that point at the same place
    (a TOML key and a line regex both naming it) rewrite it once.
    """
    edits: dict[tuple[int, int], str] = {}
    for decl, old in items:
        spans = locate(decl, text, old)
        if not spans:
            raise VersionError(
                f"{decl.path}: no version found for {decl}",
                "check version_files in [tool.autorelease]",
            )
        edits.update(dict.fromkeys(spans, stamp(decl, new)))
    for (start, end), value in sorted(edits.items(), reverse=True):
        text = text[:start] + value + text[end:]
    return text


def stamp(decl: Declaration, version: str) -> str:
    """VERSION as the declaration writes it: bare, or in its tag format."""
    return decl.fmt.strip().replace("{version}", version) if decl.fmt else version


def unstamp(decl: Declaration, value: str) -> str:
    """The version inside VALUE as the declaration writes it (the tag format taken off)."""
    value = value.strip() if decl.kind == "whole" else value
    head, _, tail = decl.fmt.strip().partition("{version}")
    if decl.fmt and value.startswith(head) and value.endswith(tail):
        return value[len(head) : len(value) - len(tail)]
    return value


def read(decl: Declaration, text: str, old: str | None = None) -> str | None:
    """The version the declaration holds in TEXT (the first, if it matches several times)."""
    spans = locate(decl, text, old)
    return unstamp(decl, text[spans[0][0] : spans[0][1]]) if spans else None


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(_lenient_text(path))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _lenient_text(path: Path) -> str:
    """PATH as UTF-8 without its byte order mark, for discovery (read_all is strict)."""
    return unframe(path.read_bytes().decode("utf-8", errors="replace"))[0]


def _dig(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def discover(root: Path, pyproject: Mapping[str, Any]) -> list[Declaration]:
    """The declarations a project has, when the user named none."""
    found: list[Declaration] = []
    project = pyproject.get("project", {})
    if isinstance(project.get("version"), str):
        found.append(Declaration("pyproject.toml", "toml", "project.version"))
    if isinstance(_dig(pyproject, "tool.poetry.version"), str):
        found.append(Declaration("pyproject.toml", "toml", "tool.poetry.version"))
    hatch_path = _dig(pyproject, "tool.hatch.version.path")
    if isinstance(hatch_path, str):
        found.append(Declaration(hatch_path, "variable", "__version__"))
    for name, kind, key in _SETUP:
        decl = Declaration(name, kind, key)
        path = root / name
        value = read(decl, _lenient_text(inside(root, name))) if path.is_file() else None
        if value and not value.startswith(("attr:", "file:")):
            found.append(decl)
    # A literal __version__ next to a static version is a declaration too: leaving it behind
    # would ship a package whose metadata and __version__ disagree.
    found.extend(d for d in _module_declarations(root) if d not in found)
    found.extend(_lock_declaration(root, project))
    return found


_SETUP = (("setup.cfg", "setup_cfg", "[metadata] version"), ("setup.py", "setup_py", "version="))


def built_along(root: Path, declarations: list[Declaration], found: list[Found]) -> list[Found]:
    """setup.py's `version=` and setup.cfg's [metadata] version when the DECLARATIONS leave
    them out but they hold the version FOUND in those: setuptools builds from them, so the
    release moves them too (a stale one is left as it is, and the build check stops it)."""
    listed = {d.path for d in declarations}
    extra = []
    for name, kind, key in _SETUP:
        if not found or name in listed or first_link(root, name) or not (root / name).is_file():
            continue
        decl = Declaration(name, kind, key)
        if read(decl, _lenient_text(root / name)) == found[0].value:
            extra.append(Found(decl, found[0].value))
    return extra


def _lock_declaration(root: Path, project: Mapping[str, Any]) -> list[Declaration]:
    """uv.lock's entry of the project, when it records the project's static version: uv
    refuses a stale lock (`uv sync --locked`), so the release moves it too."""
    version, name = project.get("version"), project.get("name")
    if not isinstance(version, str) or not isinstance(name, str) or first_link(root, LOCK):
        return []
    path = root / LOCK
    if not path.is_file():
        return []
    decl = lock_entry(name)
    return [decl] if read(decl, _lenient_text(path)) == version else []


def _module_declarations(root: Path) -> list[Declaration]:
    found = []
    for pattern in ("src/*/__init__.py", "*/__init__.py", "src/*/__about__.py", "*/__about__.py"):
        for path in sorted(root.glob(pattern)):
            decl = Declaration(path.relative_to(root).as_posix(), "variable", "__version__")
            if first_link(root, decl.path) is not None:
                continue  # another name for a module found under its own, or outside the tree
            if read(decl, _lenient_text(path)):
                found.append(decl)
    return found


# Build requirements that read the version from git tags when [project].version is dynamic.
_SCM_BUILD_REQUIRES = (
    "setuptools-scm", "setuptools_scm", "hatch-vcs", "pdm-backend", "versioningit", "dunamai",
    "uv-dynamic-versioning", "poetry-dynamic-versioning",
)  # fmt: skip


def uses_scm_version(pyproject: Mapping[str, Any]) -> bool:
    """True when the version comes from git tags at build time (hatch-vcs, setuptools-scm,
    uv-dynamic-versioning...)."""
    dynamic = pyproject.get("project", {}).get("dynamic", [])
    if "version" not in dynamic:
        return False
    requires = " ".join(pyproject.get("build-system", {}).get("requires", [])).lower()
    tool = pyproject.get("tool", {})
    return (
        any(name in requires for name in _SCM_BUILD_REQUIRES)
        or _dig(pyproject, "tool.hatch.version.source") in ("vcs", "uv-dynamic-versioning")
        or "setuptools_scm" in tool
        or _dig(pyproject, "tool.pdm.version.source") == "scm"
    )  # fmt: skip


def selects_lines(decl: Declaration) -> bool:
    """True for a regex without a version group: it selects lines, the current version is found."""
    return decl.kind == "regex" and "version" not in re.compile(decl.key).groupindex


def read_all(
    root: Path,
    declarations: list[Declaration],
    current: str | None = None,
    origin: str = OWN,
) -> list[Found]:
    """Read every declaration; raise if a file or its version is missing.

    A line regex looks for the version the other declarations hold, else CURRENT (the last
    release's), as commitizen looks for the current version in its version_files. ORIGIN is
    the table the declarations were listed in (the configuration's origin of version_files):
    an error names the setting there to fix.
    """
    texts = {decl: _text_of(root, decl, origin) for decl in declarations}
    values = {d: read(d, texts[d]) for d in declarations if not selects_lines(d)}
    current = next((v for v in values.values() if v), current)
    found = []
    for decl in declarations:
        value = values[decl] if decl in values else read(decl, texts[decl], current)
        if value is None:
            raise VersionError(
                f"{decl.path}: no version declaration found ({decl})",
                f"add one, or remove the entry from {setting_of(decl, origin)}"
                + (" (python-semantic-release skips it without a word)" if _psr(origin) else ""),
            )
        found.append(Found(decl, value))
    return found


def setting_of(decl: Declaration, origin: str) -> str:
    """The setting that lists DECL, in the table ORIGIN: python-semantic-release's
    version_variables or version_toml, commitizen's version_files or autorelease's."""
    if _psr(origin):
        key = "version_variables" if decl.kind in ("pattern", "whole") else "version_toml"
        return f"{key} in {origin}"
    if "commitizen" in origin:
        return f"version_files (or version_provider) in {origin}"
    return f"version_files in {OWN}"


def _psr(origin: str) -> bool:
    return "semantic_release]" in origin  # [tool.semantic_release], releaserc.toml's table


def _text_of(root: Path, decl: Declaration, origin: str) -> str:
    """The text of DECL's file, as UTF-8 without its byte order mark and with LF line ends."""
    try:
        return unframe(read_text(inside(root, decl.path)))[0]
    except NotUtf8 as exc:
        raise VersionError(
            exc.message(decl.path), f"convert {decl.path} to UTF-8 and commit it, then run again"
        ) from None
    except FileNotFoundError:
        raise VersionError(
            f"{decl.path} does not exist but {setting_of(decl, origin).partition(' in ')[0]} "
            "names it",
            f"fix {setting_of(decl, origin)}",
        ) from None


def with_build_version(
    declarations: list[Declaration], pyproject: Mapping[str, Any], root: Path
) -> list[Declaration]:
    """DECLARATIONS, with a static [project].version first: the build reads it, listed or not;
    and uv.lock's entry of the project last when it records that version, listed or not: uv
    refuses a stale lock, and python-semantic-release projects lock in their build_command
    (`uv lock --upgrade-package NAME && git add uv.lock`), which autorelease does not run."""
    build = Declaration("pyproject.toml", "toml", "project.version")
    project = pyproject.get("project", {})
    if not isinstance(project.get("version"), str):
        return declarations
    lock = [d for d in _lock_declaration(root, project) if d.path not in _paths(declarations)]
    if any(d.path == build.path and d.kind == "toml" and d.key == build.key for d in declarations):
        return [*declarations, *lock]
    return [build, *declarations, *lock]


def _paths(declarations: list[Declaration]) -> set[str]:
    return {d.path for d in declarations}
