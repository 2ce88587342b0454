"""A commitizen rule set other than Conventional Commits, as commitizen itself builds it.

When `.cz.toml` or `[tool.commitizen]` names a rule set such as `cz_customize` or a plugin,
commitizen builds it (so plugins and `[tool.commitizen.customize]` mean what they mean to
`cz bump`, `cz changelog` and `cz check`): its `bump_pattern` and `bump_map` decide each
commit's level, its `commit_parser` and change-type maps the changelog entries, and its
`schema_pattern` which messages pass. commitizen is imported only for such projects.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autorelease.core import changelog, config
from autorelease.core.commits import Commit
from autorelease.core.version import Bump
from autorelease.errors import ConfigError

_LEVELS = {"MAJOR": Bump.MAJOR, "MINOR": Bump.MINOR, "PATCH": Bump.PATCH}


@dataclass(frozen=True)
class Rules:
    """A rule set's bump pattern and maps (regex on the pattern's first group → level), its
    changelog parser and sections, and the schema a message must match."""

    name: str
    pattern: re.Pattern[str]
    bump_map: tuple[tuple[re.Pattern[str], Bump], ...]
    zero_map: tuple[tuple[re.Pattern[str], Bump], ...]
    # The changelog side, as `cz changelog` reads it: commit_parser (only one that names a
    # change_type group can sort entries), changelog_pattern, change_type_map and _order.
    parser: re.Pattern[str] | None = None
    listed: re.Pattern[str] | None = None
    titles: Mapping[str, str] = field(default_factory=dict)
    order: tuple[str, ...] = ()
    # What `cz check` holds a message to: schema_pattern (None: the rule set names none) and
    # the rule set's example of a good message.
    schema: re.Pattern[str] | None = None
    example: str = ""

    def entry(self, header: str, body: str) -> Commit | None:
        """The changelog entry the rule set makes of a commit with HEADER; None if it lists
        none (no parser with a change type, or HEADER outside changelog_pattern)."""
        if self.parser is None or (self.listed is not None and not self.listed.match(header)):
            return None
        match = self.parser.match(header)
        if match is None or not match["change_type"]:
            return None
        groups = match.groupdict()
        scope = (groups.get("scope") or "").strip() or None
        message = (groups.get("message") or "").strip() or header.strip()
        return Commit(match["change_type"], scope, message, bool(groups.get("breaking")),
                      header.rstrip(), body)  # fmt: skip

    def layout(self) -> changelog.Layout:
        """The changelog's sections: with a parser, the change types change_type_map names,
        in change_type_order (which lists titles), then any other type under its own name."""
        if self.parser is None:
            return changelog.DEFAULT_LAYOUT
        rank = {title: n for n, title in enumerate(self.order)}
        types = sorted(self.titles, key=lambda t: rank.get(self.titles[t], len(rank)))
        sections = tuple((t, self.titles[t]) for t in types)
        return changelog.Layout((changelog.SECTIONS[0], *sections), others=True)

    def level(self, message: str, *, major_version_zero: bool = False) -> Bump:
        """The highest level any line of MESSAGE earns, as `cz bump` computes it."""
        rules = self.zero_map if major_version_zero else self.bump_map
        best = Bump.NONE
        for line in message.split("\n"):
            found = self.pattern.search(line)
            if found is None:
                continue
            token = found.group(1) if found.re.groups else found.group(0)
            level = next((lvl for key, lvl in rules if key.match(token or "")), Bump.NONE)
            best = max(best, level)
        return best


def load(root: Path, name: str, pyproject: Mapping[str, Any]) -> Rules:
    """The rule set NAME as commitizen builds it for the project at ROOT.

    Raises ConfigError when commitizen is missing, does not know NAME, or NAME cannot bump.
    """
    settings = config.commitizen_settings(root, pyproject)
    return _load(name, json.dumps(settings, sort_keys=True, default=str))


@functools.lru_cache(maxsize=8)
def _load(name: str, settings_json: str) -> Rules:
    cz = _commitizen_rule_set(name, json.loads(settings_json))
    pattern, bump_map = getattr(cz, "bump_pattern", None), getattr(cz, "bump_map", None)
    if not pattern or not bump_map:
        raise ConfigError(
            f"the commitizen rule set {name!r} defines no bump_pattern and bump_map",
            "add them to [tool.commitizen.customize], or use the plugin's documented settings",
        )
    zero_map = getattr(cz, "bump_map_major_version_zero", None) or bump_map
    parser, listed = getattr(cz, "commit_parser", None), getattr(cz, "changelog_pattern", None)
    schema, example = _call(cz, "schema_pattern"), _call(cz, "example")
    try:
        parser_re = re.compile(parser) if parser else None
        return Rules(
            name, re.compile(pattern, re.MULTILINE), _compile(bump_map), _compile(zero_map),
            parser_re if parser_re is not None and "change_type" in parser_re.groupindex else None,
            re.compile(listed) if listed else None,
            {str(k): str(v) for k, v in (getattr(cz, "change_type_map", None) or {}).items()},
            tuple(str(t) for t in getattr(cz, "change_type_order", None) or ()),
            re.compile(schema) if schema else None,
            example,
        )  # fmt: skip
    except re.error as exc:
        raise ConfigError(
            f"the commitizen rule set {name!r} has an invalid regex: {exc}",
            "fix the patterns in [tool.commitizen.customize]",
        ) from None


def _call(cz: Any, method: str) -> str:
    """What the rule set's METHOD returns ("" when it has none or it fails): commitizen's
    base class raises NotImplementedError for what a rule set leaves out."""
    try:
        return str(getattr(cz, method)() or "")
    except (AttributeError, NotImplementedError, TypeError):
        return ""


def _compile(mapping: Mapping[str, Any]) -> tuple[tuple[re.Pattern[str], Bump], ...]:
    return tuple((re.compile(key), _LEVELS.get(str(value).upper(), Bump.NONE))
                 for key, value in mapping.items())  # fmt: skip


def _commitizen_rule_set(name: str, settings: dict[str, Any]) -> Any:
    try:
        from commitizen import factory
        from commitizen.config.base_config import BaseConfig
        from commitizen.exceptions import CommitizenException
    except ImportError:
        raise ConfigError(
            f"the commitizen configuration names the rule set {name!r}, which only commitizen "
            "can read, and commitizen is not installed",
            "pip install commitizen (or pip install 'conventional-autorelease[commitizen]')",
        ) from None
    conf = BaseConfig()
    conf.update({**settings, "name": name})  # type: ignore[typeddict-item]
    # commitizen 3 spells it commiter_factory; 4 added committer_factory.
    make: Any = getattr(factory, "committer_factory", None) or getattr(
        factory, "commiter_factory", None
    )
    try:
        return make(conf)
    except CommitizenException as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(
            f"commitizen cannot build the rule set {name!r}: {detail}",
            "check name and [tool.commitizen.customize], or install the plugin",
        ) from None
