"""Configuration: [tool.autorelease], then commitizen's and semantic-release's, then defaults.

Precedence, key by key: `[tool.autorelease]` in pyproject.toml wins; then commitizen's settings
(`.cz.toml`, `cz.toml`, `.cz.json`, `cz.json`, `.cz.yaml`, `cz.yaml` or `[tool.commitizen]`);
then `[tool.semantic_release]`; then the defaults below. Each value remembers where it came
from, so `--dry-run` can say so.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Set
from pathlib import Path
from typing import Any, NamedTuple

from autorelease.core import config_checks, psr_version
from autorelease.errors import ConfigError

DEFAULT_BUMP_MAP: Mapping[str, str] = {"feat": "minor", "fix": "patch", "perf": "patch"}
DEFAULT_MARKER = "<!-- autorelease: new releases go below this line -->"

# key: (python type(s), default, what to write in an error about its type)
_SCHEMA: dict[str, tuple[type | tuple[type, ...], Any, str]] = {
    "tag_format": (str, "v{version}", "a string containing {version}"),
    "version_files": (list, [], "a list of strings such as 'pyproject.toml:project.version'"),
    "version_source": (str, "auto", "'auto', 'files' or 'tag'"),
    "version_scheme": (str, "pep440", "'pep440' or 'semver'"),
    "major_on_zero": (bool, True, "true or false"),
    "allow_zero_version": (bool, True, "true or false"),
    "bump_map": (dict, dict(DEFAULT_BUMP_MAP), "a table of commit type = 'major'|'minor'|'patch'"),
    "changelog_file": (str, "CHANGELOG.md", "a path, or '' to keep no changelog"),
    "changelog_template": (str, "", "a path to a Jinja2 template"),
    "changelog_marker": (str, DEFAULT_MARKER, "a line of text"),
    "changelog_sections": (dict, {}, "a table of commit type = section title"),
    "changelog_exclude": (list, [], "a list of regular expressions"),
    "changelog_contributors": (bool, False, "true or false"),
    "commit_message": (str, "chore(release): {version}", "a string containing {version}"),
    "release_branch": (str, "", "a branch name"),
    "remote": (str, "origin", "a remote name"),
    "test_command": (str, "", "a shell command, or '' to detect pytest"),
    "build_isolation": (bool, True, "true or false"),
    "repository": (str, "pypi", "pypi, testpypi, a name in ~/.pypirc, or an upload URL"),
    "simple_url": (str, "", "the index's simple API URL, e.g. http://host/root/pypi/+simple/"),
    "github_release": (bool, True, "true or false"),
    "comment": (bool, True, "true or false"),
    "released_label": (str, "", "a label name, or '' for no label"),
    "notify_command": (str, "", "a shell command, or '' for none"),
    "parse_squash_bodies": (bool, False, "true or false"),
    "repository_url": (str, "", "the project's web URL, e.g. https://github.com/o/r"),
    "commit_rules": (str, "", "a commitizen rule set name, e.g. cz_customize"),
    "allowed_types": (list, [], "a list of commit types"),
    "max_header_length": (int, 100, "a number of characters, or 0 for no limit"),
    "bump_rules": (str, "autorelease", "'autorelease', 'commitizen' or 'semantic-release'"),
    # A workspace of several packages (core/workspace.py, docs/monorepo.md).
    "packages": (dict, {}, "a table of package name = folder, or = { path = ... }"),
    "dependents": (str, "bump", "'bump', 'update-only' or 'ignore'"),
    "linked": (list, [], "a list of lists of package names"),
    "scope_routes": (bool, False, "true or false"),
    "outside_files": (str, "ignore", "'ignore' or 'all'"),
}
_CHOICES = {
    "version_source": ("auto", "files", "tag"),
    "version_scheme": ("pep440", "semver"),
    "bump_rules": ("autorelease", "commitizen", "semantic-release"),
    "dependents": ("bump", "update-only", "ignore"),
    "outside_files": ("ignore", "all"),
}


class Config(NamedTuple):
    """Every setting with its final value; `origin[key]` names the file and table it came from.

    A setting reads as an attribute: `cfg.tag_format`.
    """

    root: Path
    values: Mapping[str, Any]
    origin: Mapping[str, str]
    pyproject: Mapping[str, Any]

    def __getattr__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def semantic_release(self) -> tuple[str, dict[str, Any]]:
        """python-semantic-release's settings as written ({} when there are none), and
        where they are."""
        where, table = psr_settings(self.root, self.pyproject)
        return where, dict(table or {})

    @property
    def changelog_path(self) -> str | None:
        """The changelog file autorelease keeps, relative to the root; None when
        `changelog_file = ""` keeps none. Every reader and writer of the changelog asks here."""
        return str(self.values["changelog_file"]) or None

    def with_values(self, **overrides: Any) -> Config:
        values = {**self.values, **overrides}
        origin = {**self.origin, **dict.fromkeys(overrides, "command line")}
        return Config(self.root, values, origin, self.pyproject)


def load(root: Path, pyproject: Mapping[str, Any] | None = None) -> Config:
    """Read every configuration source under ROOT; raise ConfigError naming file and key.

    PYPROJECT, when given, is the root pyproject.toml's content to use instead of the file's
    (`init` checks the table it would write before writing it)."""
    pyproject = dict(pyproject) if pyproject is not None else _read_toml(root / "pyproject.toml")
    layers: list[tuple[str, dict[str, Any]]] = []
    own = pyproject.get("tool", {}).get("autorelease")
    if own is not None:
        values = _validate(own, "pyproject.toml")
        if "bump_map" in values:  # an own bump_map is a choice of autorelease's rules
            values.setdefault("bump_rules", "autorelease")
        layers.append(("pyproject.toml [tool.autorelease]", values))
        config_checks.check_source("autorelease", own, layers[-1][1], layers[-1][0])
    cz_where, cz = _commitizen_table(root, pyproject)
    if cz is not None:
        layers.append((cz_where, from_commitizen(cz, cz_where, set(own or ()))))
        config_checks.check_source("commitizen", cz, layers[-1][1], cz_where)
    where, psr = psr_settings(root, pyproject)
    if psr is not None:
        layers.append((where, from_semantic_release(psr, where)))
        config_checks.check_source("semantic_release", psr, layers[-1][1], where)
    values = {key: spec[1] for key, spec in _SCHEMA.items()}
    origin = dict.fromkeys(values, "default")
    for where, layer in reversed(layers):
        values.update(layer)
        origin.update(dict.fromkeys(layer, where))
    _detected_changelog(root, values, origin)
    return Config(root, values, origin, pyproject)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path.name} is not valid TOML: {exc}", f"fix the syntax in {path}"
        ) from None
    except UnicodeDecodeError as exc:  # TOML is UTF-8, whatever the locale
        raise ConfigError(
            f"{path.name} is not UTF-8 text (invalid byte at offset {exc.start})",
            f"convert {path} to UTF-8 and commit it, then run again",
        ) from None


def _validate(table: Any, filename: str, section: str = "[tool.autorelease]") -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{filename}: {section} must be a table")
    for key, value in table.items():
        if key not in _SCHEMA:
            import difflib  # only for a did-you-mean

            close = difflib.get_close_matches(key, _SCHEMA, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "see docs/configuration.md"
            raise ConfigError(f"{filename}: unknown key {section}.{key}", hint)
        kind, _, expected = _SCHEMA[key]
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise ConfigError(
                f"{filename}: {section[1:-1]}.{key} must be {expected}, "
                f"not {type(value).__name__} {value!r}"
            )
        if key in _CHOICES and value not in _CHOICES[key]:
            raise ConfigError(
                f"{filename}: {section[1:-1]}.{key} = {value!r} is not one of "
                f"{', '.join(_CHOICES[key])}"
            )
    _check_contents(table, filename, section)
    return dict(table)


def _check_contents(table: dict[str, Any], filename: str, section: str) -> None:
    _check_changelog(table, filename, section)
    for key in ("version_files", "allowed_types"):
        if any(not isinstance(item, str) for item in table.get(key, [])):
            raise ConfigError(f"{filename}: {section[1:-1]}.{key} must hold only strings")
    if table.get("max_header_length", 0) < 0:
        raise ConfigError(f"{filename}: {section[1:-1]}.max_header_length must be 0 or more")
    for key in ("tag_format", "commit_message"):
        if key in table and "{version}" not in table[key]:
            raise ConfigError(
                f"{filename}: {section[1:-1]}.{key} = {table[key]!r} lacks {{version}}",
                f"write it like {_SCHEMA[key][1]!r}",
            )
    for commit_type, level in table.get("bump_map", {}).items():
        if str(level).lower() not in ("major", "minor", "patch", "none"):
            raise ConfigError(
                f"{filename}: {section[1:-1]}.bump_map.{commit_type} = {level!r} is not "
                "major, minor, patch or none"
            )


def _check_changelog(table: dict[str, Any], filename: str, section: str) -> None:
    where = f"{filename}: {section[1:-1]}"
    for kind, title in table.get("changelog_sections", {}).items():
        if not isinstance(title, str):
            raise ConfigError(
                f"{where}.changelog_sections.{kind} must be a section title (a string), "
                f"not {type(title).__name__} {title!r}",
                'write it like changelog_sections = { feat = "Features", fix = "Bug fixes" }',
            )
    for pattern in table.get("changelog_exclude", []):
        try:
            re.compile(str(pattern))
        except re.error as exc:
            raise ConfigError(
                f"{where}.changelog_exclude: {pattern!r} is not a regular expression: {exc}"
            ) from None


def _detected_changelog(root: Path, values: dict[str, Any], origin: dict[str, str]) -> None:
    """Without a configured changelog_file, the changelog the project already keeps when it is
    not CHANGELOG.md (python-semantic-release's and commitizen's rst, for instance)."""
    if origin["changelog_file"] != "default" or (root / "CHANGELOG.md").exists():
        return
    for name in ("CHANGELOG.rst", "CHANGES.md", "CHANGES.rst", "HISTORY.md", "HISTORY.rst"):
        if (root / name).is_file():
            values["changelog_file"], origin["changelog_file"] = name, f"detected ({name})"
            return


def _commitizen_table(root: Path, pyproject: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """commitizen's settings and where they are: the first of its files that has them, in
    commitizen's own order (its CONFIG_FILES), pyproject.toml last."""
    for name in (".cz.toml", "cz.toml"):
        data = _read_toml(root / name)
        if "commitizen" in data.get("tool", {}):
            return f"{name} [tool.commitizen]", data["tool"]["commitizen"]
        if "commitizen" in data:
            return f"{name} [commitizen]", data["commitizen"]
    for name in CZ_DATA_FILES:  # cz.json may be a Czech translation: it must name commitizen
        if not _mentions(root / name, "commitizen"):
            continue
        table = _read_data(root / name).get("commitizen")
        if isinstance(table, dict):
            return f"{name} [commitizen]", table
    table = pyproject.get("tool", {}).get("commitizen")
    return "pyproject.toml [tool.commitizen]", table


CZ_DATA_FILES = (".cz.json", "cz.json", ".cz.yaml", "cz.yaml")


def _read_data(path: Path) -> dict[str, Any]:
    """A JSON or YAML file of commitizen's as a mapping ({} when there is none)."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path.name} is not UTF-8 text (invalid byte at offset {exc.start})",
            f"convert {path} to UTF-8 and commit it, then run again",
        ) from None
    if path.suffix == ".json":
        import json

        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _invalid(path, "JSON", exc) from None
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise _invalid(path, "YAML", exc) from None
    return data if isinstance(data, dict) else {}


def _invalid(path: Path, kind: str, exc: Exception) -> ConfigError:
    reason = " ".join(str(exc).split())  # YAML's errors run over several lines
    return ConfigError(f"{path.name} is not valid {kind}: {reason}", f"fix the syntax in {path}")


def commitizen_settings(root: Path, pyproject: Mapping[str, Any]) -> dict[str, Any]:
    """commitizen's own table as written (empty if none), for rule sets commitizen interprets."""
    return dict(_commitizen_table(root, dict(pyproject))[1] or {})


def from_commitizen(cz: dict[str, Any], where: str, own: Set[str] = frozenset()) -> dict[str, Any]:
    """The subset of commitizen's settings that autorelease honours, in its own terms.

    OWN names the keys [tool.autorelease] sets: its version settings replace cz's provider.
    """
    out: dict[str, Any] = {}
    # commitizen's default tag is the bare version ($version), not autorelease's v{version}.
    out["tag_format"] = _cz_tag_format(str(cz.get("tag_format") or "$version"), where)
    if not own & {"version_files", "version_source"}:
        out.update(_cz_versions(cz, where))
    if "major_version_zero" in cz:
        out["major_on_zero"] = not bool(cz["major_version_zero"])
    if isinstance(cz.get("bump_map"), dict):
        # commitizen's keys are regexes such as '^feat'; keep those that name one type.
        words = ((re.fullmatch(_CZ_TYPE_KEY, k), v) for k, v in cz["bump_map"].items())
        out["bump_map"] = {m["type"].lower(): str(v).lower() for m, v in words if m}
    scheme = cz.get("version_scheme", cz.get("version_type"))
    if scheme:
        out["version_scheme"] = "semver" if str(scheme).startswith("semver") else "pep440"
    if cz.get("changelog_file"):
        out["changelog_file"] = str(cz["changelog_file"])
    # cz check's own limit (message_length_limit, 0 by default: none), not autorelease's 100.
    out["max_header_length"] = _whole_number(cz.get("message_length_limit", 0))
    name = cz.get("name", "cz_conventional_commits")
    if name != "cz_conventional_commits":
        out["commit_rules"] = str(name)
    else:
        out["changelog_sections"] = _cz_sections(cz)
    out["bump_rules"] = "commitizen"  # cz bump's decision: bump_rules.py
    return out


def _cz_versions(cz: dict[str, Any], where: str) -> dict[str, Any]:
    """commitizen's version_provider and version_files as version_source and version_files.

    Each of cz's version_files selects lines (see _cz_lines).
    """
    files = [_cz_lines(str(f)) for f in cz.get("version_files", [])]
    provider = str(cz.get("version_provider") or "commitizen")
    if provider not in _CZ_PROVIDERS:
        raise ConfigError(
            f"{where}: version_provider = {provider!r} is not supported "
            f"(autorelease reads {', '.join(_CZ_PROVIDERS)})",
            "set version_files (or version_source = 'tag') in [tool.autorelease]",
        )
    if provider == "scm":
        return {"version_source": "tag", **({"version_files": files} if files else {})}
    if provider == "commitizen" and "version" in cz:
        files.insert(0, _cz_own_version(where))
    files[:0] = _CZ_PROVIDERS[provider]
    return {"version_files": files} if files else {}


def _cz_own_version(where: str) -> str:
    """The version_files entry of the `version` key in commitizen's file WHERE (a TOML key,
    or in JSON and YAML a regex whose group is its value)."""
    filename, _, table = where.partition(" ")
    if filename.endswith(".json"):
        return f'{filename}:"version"\\s*:\\s*"(?P<version>[^"]*)"'
    if filename.endswith(".yaml"):
        return f"{filename}:^[ \\t]+version[ \\t]*:[ \\t]*[\"']?(?P<version>[^\"'\\s#]+)"
    return f"{filename}:{table.strip('[]')}.version"


def _cz_lines(entry: str) -> str:
    """cz's `path[:regex]` as a version_files entry that selects the same lines.

    A bare path is every line (`path:.*`); a regex autorelease would read as a variable or TOML
    key (`__version__`, `version`) is wrapped as `(?:...)`, which matches the same lines.
    """
    path, _, regex = entry.partition(":")
    if not regex:
        return f"{path}:.*"
    if re.fullmatch(r"[\w.-]+", regex):
        return f"{path}:(?:{regex})"
    return entry


# The files each commitizen version provider autorelease supports writes.
_CZ_PROVIDERS: dict[str, list[str]] = {
    "commitizen": [],
    "pep621": ["pyproject.toml:project.version"],
    "poetry": ["pyproject.toml:tool.poetry.version"],
    "uv": ["pyproject.toml:project.version", "uv.lock"],
    "scm": [],
}


# What `cz changelog` lists for cz_conventional_commits: its change_type_map and
# CHANGE_TYPE_ORDER, and breaking-change footers under "BREAKING CHANGE" first.
CZ_TYPES = {"feat": "Feat", "fix": "Fix", "refactor": "Refactor", "perf": "Perf"}
CZ_ORDER = ("BREAKING CHANGE", "Feat", "Fix", "Refactor", "Perf")


def _cz_sections(cz: dict[str, Any]) -> dict[str, str]:
    """commitizen's sections as a changelog_sections table, its own settings applied."""
    titles = {"breaking": "BREAKING CHANGE", **CZ_TYPES}
    custom = cz.get("change_type_map")
    if isinstance(custom, dict):
        titles.update({str(k): str(v) for k, v in custom.items() if k in titles})
    order = [str(t) for t in cz.get("change_type_order") or CZ_ORDER]
    rank = {title: n for n, title in enumerate(order)}
    return dict(sorted(titles.items(), key=lambda kv: rank.get(kv[1], len(rank))))


_CZ_TYPE_KEY = r"\^?(?P<type>[A-Za-z][\w-]*)\$?"  # re compiles it on first use


def _whole_number(value: Any) -> int:
    """A limit written as a number (or its text); anything else reads as no limit (0)."""
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def _cz_tag_format(fmt: str, where: str) -> str:
    converted = fmt.replace("${version}", "{version}").replace("$version", "{version}")
    if "$" in converted:
        raise ConfigError(
            f"{where}: tag_format {fmt!r} uses fields autorelease does not support",
            "use $version, e.g. tag_format = 'v$version'",
        )
    return converted


# The files python-semantic-release reads with `--config FILE` (py2puml's release workflow runs
# `semantic-release -c releaserc.toml version`): read when pyproject.toml has no table.
PSR_FILES = ("releaserc.toml", ".releaserc.toml")


def semantic_release_table(
    root: Path, pyproject: Mapping[str, Any]
) -> tuple[str, dict[str, Any] | None]:
    """python-semantic-release's settings and where they are: `[tool.semantic_release]` in
    pyproject.toml, else the first of PSR_FILES with `[tool.semantic_release]` or
    `[semantic_release]` (the tables PSR looks for, in its order)."""
    table = pyproject.get("tool", {}).get("semantic_release")
    if table is not None:
        return "pyproject.toml [tool.semantic_release]", table
    for name in PSR_FILES:
        if not _mentions(root / name, "semantic_release"):
            continue  # another tool's file of that name (a semantic-release one in TOML)
        data = _read_toml(root / name)
        for key, found in (("tool.semantic_release", data.get("tool", {}).get("semantic_release")),
                           ("semantic_release", data.get("semantic_release"))):  # fmt: skip
            if isinstance(found, dict):
                return f"{name} [{key}]", found
    return "pyproject.toml [tool.semantic_release]", None


def _only_version(template: str) -> bool:
    """True when TEMPLATE has the field {version} and no other."""
    return "{version}" in template and "{" not in template.replace("{version}", "")


def psr_settings(root: Path, pyproject: Mapping[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """semantic_release_table, with the defaults of python-semantic-release 9 written in when
    the project pins 9 or older (10 changed them): zero versions allowed, and its conventional
    parser neither reads squashed commits nor ignores merges."""
    where, table = semantic_release_table(root, pyproject)
    if table is None or (psr_version.pinned_major(root) or 10) >= 10:
        return where, table
    options = table.get("commit_parser_options")
    options = dict(options) if isinstance(options, dict) else {}
    options = {"parse_squash_commits": False, "ignore_merge_commits": False, **options}
    return where, {"allow_zero_version": True, **table, "commit_parser_options": options}


def _mentions(path: Path, word: str) -> bool:
    """True when the file at PATH exists and its bytes hold WORD."""
    try:
        return word.encode() in path.read_bytes()
    except OSError:
        return False


def from_semantic_release(psr: dict[str, Any], where: str) -> dict[str, Any]:
    """The subset of python-semantic-release's settings that autorelease honours."""
    out: dict[str, Any] = {}
    if "tag_format" in psr:
        out["tag_format"] = str(psr["tag_format"])
    files = _psr_versions(psr, where)
    if files:
        out["version_files"] = files
    out["max_header_length"] = 0  # PSR checks no message: the project's history has no limit
    message = psr.get("commit_message")
    if isinstance(message, str) and _only_version(message):
        out["commit_message"] = message  # its own release commits: `v1.2.0 [skip ci]`
    out["version_scheme"] = "semver"  # PSR writes 1.2.0-rc.1, which its version_variables match
    for key in ("major_on_zero", "allow_zero_version"):
        if isinstance(psr.get(key), bool):
            out[key] = psr[key]
    out.setdefault("allow_zero_version", False)  # PSR's default: the first release is 1.0.0
    out["bump_rules"] = "semantic-release"  # semantic-release's decision: bump_rules.py
    changelog = psr.get("changelog", {})
    path = changelog.get("changelog_file") or changelog.get("default_templates", {}).get(
        "changelog_file"
    )
    if path:
        out["changelog_file"] = str(path)
    if changelog.get("insertion_flag"):
        out["changelog_marker"] = str(changelog["insertion_flag"])
    if changelog.get("exclude_commit_patterns"):
        out["changelog_exclude"] = [str(p) for p in changelog["exclude_commit_patterns"]]
        _check_changelog(out, *where.split(" ", 1))
    parser = psr.get("commit_parser", "conventional")
    if parser in ("conventional", "angular", "conventional-monorepo"):
        options = psr.get("commit_parser_options", {})
        out["changelog_sections"] = psr_sections(options.get("allowed_tags", PSR_TYPES))
        # The commits a squash merge's body lists are released and listed, as PSR parses them
        # (its parse_squash_commits: on by default but in the angular parser).
        if options.get("parse_squash_commits", parser != "angular") is True:
            out["parse_squash_bodies"] = True
    return out


def _psr_versions(psr: dict[str, Any], where: str) -> list[str]:
    """version_toml and version_variables as version_files entries, as semantic-release reads them.

    Each is `path:what[:nf|:tf]`; a version_variables entry always keeps its stamp, so it reads
    as a semantic-release pattern, and a version_toml one keeps `:tf` only.
    """
    files = []
    for key in ("version_toml", "version_variables"):
        for entry in map(str, psr.get(key, [])):
            parts = entry.split(":", 2)
            stamp = parts[2] if len(parts) == 3 else "nf"
            if len(parts) < 2 or stamp not in ("nf", "tf"):
                raise ConfigError(
                    f"{where}: {key} entry {entry!r} is not 'path:what', 'path:what:nf' or "
                    "'path:what:tf'",
                    "fix it as semantic-release documents it",
                )
            keep = key == "version_variables" or stamp == "tf"
            files.append(f"{parts[0]}:{parts[1]}:{stamp}" if keep else f"{parts[0]}:{parts[1]}")
    return files


# python-semantic-release's conventional parser: the types it accepts by default and the long
# names its templates title its sections with (LONG_TYPE_NAMES); sections are sorted by that
# name and "Breaking Changes" follows them.
PSR_TYPES = ("feat", "fix", "perf", "build", "chore", "ci", "docs", "style", "refactor", "test")
PSR_NAMES = {
    "build": "build system", "ci": "continuous integration", "chore": "chores",
    "docs": "documentation", "feat": "features", "fix": "bug fixes",
    "perf": "performance improvements", "refactor": "refactoring", "style": "code style",
    "test": "testing",
}  # fmt: skip


def psr_sections(types: Any) -> dict[str, str]:
    """The sections python-semantic-release's default templates write for TYPES."""
    names = {str(t): PSR_NAMES.get(str(t), str(t)) for t in types}
    ordered = sorted(names.items(), key=lambda kv: kv[1])
    return {**{t: name.title() for t, name in ordered}, "breaking": "Breaking Changes"}
