"""Version parsing and rendering, and next_version's rules for bumps and pre-releases."""

from __future__ import annotations

import pytest

from autorelease.core.version import Bump, Version, next_version, parse_version, require_version
from autorelease.errors import ExitCode, VersionError


def v(text: str) -> Version:
    version = parse_version(text)
    assert version is not None, text
    return version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2.3", Version(1, 2, 3)),
        ("v1.2.3", Version(1, 2, 3)),
        ("1.2", Version(1, 2, 0)),
        ("1", Version(1, 0, 0)),
        ("2.0.0a1", Version(2, 0, 0, (0, 1))),
        ("2.0.0b2", Version(2, 0, 0, (1, 2))),
        ("2.0.0rc3", Version(2, 0, 0, (2, 3))),
        ("2.0.0-rc.1", Version(2, 0, 0, (2, 1))),
        ("2.0.0-alpha.4", Version(2, 0, 0, (0, 4))),
        ("2.0.0-beta.1", Version(2, 0, 0, (1, 1))),
        ("2.0.0.post1", Version(2, 0, 0, None, 1)),
        ("2.0.0.dev3", Version(2, 0, 0, None, -1, True)),
        ("1.2.3+local.7", Version(1, 2, 3)),
        (" 1.2.3\n", Version(1, 2, 3)),
    ],
)
def test_parse(text: str, expected: Version) -> None:
    assert parse_version(text) == expected


@pytest.mark.parametrize("text", ["", "x", "1.2.3.4", "v", "latest", "1.2.3-", "py311"])
def test_parse_rejects(text: str) -> None:
    assert parse_version(text) is None


def test_require_version_names_where() -> None:
    with pytest.raises(VersionError, match=r"setup\.cfg: 'abc' is not a version") as info:
        require_version("abc", "setup.cfg")
    assert info.value.code == ExitCode.NO_VERSION


@pytest.mark.parametrize(
    ("text", "pep440", "semver"),
    [
        ("1.2.0", "1.2.0", "1.2.0"),
        ("1.2.0rc1", "1.2.0rc1", "1.2.0-rc.1"),
        ("2.0.0a2", "2.0.0a2", "2.0.0-alpha.2"),
        ("2.0.0b1", "2.0.0b1", "2.0.0-beta.1"),
    ],
)
def test_render(text: str, pep440: str, semver: str) -> None:
    assert (v(text).render(), v(text).render("semver")) == (pep440, semver)
    assert parse_version(v(text).render("semver")) == v(text)


def test_ordering_follows_pep440() -> None:
    ordered = ["1.0.0.dev1", "1.0.0a1", "1.0.0a2", "1.0.0b1", "1.0.0rc1", "1.0.0", "1.0.0.post1",
               "1.0.1", "1.1.0", "2.0.0"]  # fmt: skip
    assert sorted(ordered[1::2] + ordered[::2], key=lambda t: v(t).sort_key()) == ordered
    assert v("1.0.0a1") < v("1.0.0") < v("1.0.1")
    # The comparison operators themselves follow PEP 440, not the order of the fields.
    versions = [v(t) for t in ordered[1::2] + ordered[::2]]
    assert [x.render() for x in sorted(versions)] == [v(t).render() for t in ordered]
    assert max(versions) == v("2.0.0")
    assert min(versions) == v("1.0.0.dev1")
    assert v("1.0.0") > v("1.0.0rc1") >= v("1.0.0rc1")
    assert v("1.0.0.dev1") <= v("1.0.0a1")
    assert v("1.0.0") == v("1.0")
    assert v("1.0.0") != v("1.0.0.post1")


@pytest.mark.parametrize(
    ("name", "bump"),
    [("major", Bump.MAJOR), ("Minor", Bump.MINOR), ("PATCH", Bump.PATCH), ("none", Bump.NONE)],
)
def test_bump_parse(name: str, bump: Bump) -> None:
    assert Bump.parse(name) is bump


def test_bump_parse_rejects() -> None:
    with pytest.raises(ValueError, match="unknown bump 'huge'"):
        Bump.parse("huge")


# (last final, level, keyword arguments, expected version or None, expected bump name)
CASES = [
    ("1.2.3", Bump.MAJOR, {}, "2.0.0", "major"),
    ("1.2.3", Bump.MINOR, {}, "1.3.0", "minor"),
    ("1.2.3", Bump.PATCH, {}, "1.2.4", "patch"),
    ("1.2.3", Bump.NONE, {}, None, "none"),
    # 0.x: a breaking change makes 1.0.0 by default; major_on_zero = false keeps 0.x
    ("0.4.1", Bump.MAJOR, {}, "1.0.0", "major"),
    ("0.4.1", Bump.MAJOR, {"major_on_zero": False}, "0.5.0", "minor"),
    ("0.4.1", Bump.MINOR, {"major_on_zero": False}, "0.5.0", "minor"),
    ("0.4.1", Bump.MAJOR, {"major_on_zero": False, "forced": True}, "1.0.0", "major"),
    ("0.4.1", Bump.PATCH, {"allow_zero": False}, "1.0.0", "major"),
    (None, Bump.MINOR, {}, "0.1.0", "minor"),
    # pre-releases: 2.0.0a1, then only the counter moves
    ("1.2.3", Bump.MAJOR, {"pre": "a"}, "2.0.0a1", "major"),
    ("1.2.3", Bump.MAJOR, {"pre": "a", "pending": "2.0.0a1"}, "2.0.0a2", "prerelease"),
    ("1.2.3", Bump.PATCH, {"pre": "a", "pending": "2.0.0a1"}, "2.0.0a2", "prerelease"),
    ("1.2.3", Bump.NONE, {"pre": "a", "pending": "2.0.0a1"}, "2.0.0a2", "prerelease"),
    ("1.2.3", Bump.MAJOR, {"pre": "rc", "pending": "2.0.0a2"}, "2.0.0rc1", "prerelease"),
    ("1.2.3", Bump.MAJOR, {"pre": "b", "pending": "2.0.0b1",
                            "taken": ["2.0.0b1", "2.0.0b2"]}, "2.0.0b3", "prerelease"),
    # ...unless the commits call for a higher base
    ("1.2.3", Bump.MAJOR, {"pre": "a", "pending": "1.3.0a2"}, "2.0.0a1", "major"),
    # a final release graduates the pending pre-release
    ("1.2.3", Bump.MAJOR, {"pending": "2.0.0rc2"}, "2.0.0", "major"),
    ("1.2.3", Bump.PATCH, {"pending": "2.0.0rc2"}, "2.0.0", "major"),
    ("1.2.3", Bump.NONE, {"pending": "2.0.0rc2"}, "2.0.0", "major"),
    ("1.2.3", Bump.NONE, {"pending": "1.3.0a1"}, "1.3.0", "minor"),
    ("1.2.3", Bump.MAJOR, {"pending": "1.3.0a1"}, "2.0.0", "major"),
    # --bump forces the level even while a pre-release is pending
    ("1.2.3", Bump.PATCH, {"pending": "2.0.0rc2", "forced": True}, "1.2.4", "patch"),
]  # fmt: skip


@pytest.mark.parametrize(("last", "level", "kwargs", "expected", "name"), CASES)
def test_next_version(
    last: str | None, level: Bump, kwargs: dict[str, object], expected: str | None, name: str
) -> None:
    options = dict(kwargs)
    if "pending" in options:
        options["pending"] = v(str(options["pending"]))
    options["taken"] = frozenset(v(t) for t in options.get("taken", []))  # type: ignore[attr-defined]
    decision = next_version(v(last) if last else None, level, **options)  # type: ignore[arg-type]
    assert (str(decision.version) if decision.version else None, decision.bump) == (expected, name)


def test_semver_rendering_of_a_prerelease() -> None:
    decision = next_version(v("1.1.0"), Bump.MINOR, pre="rc")
    assert decision.version is not None
    assert decision.version.render("semver") == "1.2.0-rc.1"


def test_an_earlier_pre_kind_than_the_pending_one_is_refused() -> None:
    with pytest.raises(VersionError, match="would not be newer") as info:
        next_version(v("1.2.3"), Bump.MAJOR, pre="a", pending=v("2.0.0rc1"))
    assert info.value.code == ExitCode.VERSION_CONFLICT


def test_counter_skips_versions_already_tagged() -> None:
    decision = next_version(v("1.0.0"), Bump.MINOR, pre="a", taken=frozenset({v("1.1.0a1")}))
    assert str(decision.version) == "1.1.0a2"
