"""Generate synthetic conventional-commit repositories for the benchmarks, with `git fast-import`.

A generated repository is a minimal Python project that autorelease, commitizen (`cz`) and
python-semantic-release (`semantic-release`) all read under equivalent settings: tags `v{version}`,
the version in `[project].version` of pyproject.toml, a breaking change on 0.x goes to 1.0.0,
and no 0.x releases at all (so an untagged history's first release is 1.0.0 for every tool).

The history is linear and deterministic for a given seed: a seeded mix of feat, fix, perf, chore,
docs, test and ci commits, some with bodies and footers, a few breaking changes (`!` or a
`BREAKING CHANGE:` footer) and a few messages that are not conventional at all. With
`--tag-every N`, every Nth commit is a release commit (`chore(release): X.Y.Z`) that writes the
version into pyproject.toml and is tagged with the version the commits since the previous tag
call for; the commits after the last tag are left unreleased. `--tag-every 0` makes no tags.
With `--changelog`, the last release commit also writes the CHANGELOG.md those releases would
have written (a section per release, newest first, under PSR's and autorelease's markers), the
file a long-lived project carries: about 3 MB for 1,000 releases.

Fast-import writes 100,000 commits in a few seconds. Repositories are cached under
benchmarks/.repos/ (gitignored) and reused when the parameters match:

    python benchmarks/generate.py --commits 100000 --tag-every 100
    python benchmarks/generate.py --commits 1000 --tag-every 0 --out /tmp/repo
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Bump this when the generated content changes, so that cached repositories are rebuilt.
GENERATOR_VERSION = 4
REPOS = Path(__file__).resolve().parent / ".repos"
META = "autorelease-bench.json"  # inside .git, so the work tree stays clean
EPOCH = 1_577_836_800  # 2020-01-01T00:00:00Z; commit i is dated EPOCH + 600 * i
AUTHOR = b"Bench Mark <bench@example.com>"
REMOTE = "https://github.com/example/demo.git"

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "demo"
version = "{version}"
description = "A synthetic project for the autorelease benchmarks."
requires-python = ">=3.11"

[tool.commitizen]
name = "cz_conventional_commits"
tag_format = "v$version"
version_scheme = "pep440"
version_provider = "pep621"
major_version_zero = false
update_changelog_on_bump = false

[tool.semantic_release]
tag_format = "v{{version}}"
version_toml = ["pyproject.toml:project.version"]
commit_parser = "conventional"
major_on_zero = true
allow_zero_version = false
commit_message = "chore(release): {{version}}"

[tool.semantic_release.branches.main]
match = "main"
prerelease = false

[tool.semantic_release.changelog]
mode = "update"

[tool.semantic_release.changelog.default_templates]
changelog_file = "CHANGELOG.md"
"""

# Weighted commit types; refactor is left out on purpose: commitizen bumps it as a patch,
# autorelease and semantic-release do not, and the benchmark compares speed, not policy.
TYPES = (
    ("feat", 22),
    ("fix", 26),
    ("perf", 4),
    ("chore", 16),
    ("docs", 12),
    ("test", 8),
    ("ci", 4),
)
SCOPES = ("api", "cli", "core", "parser", "deps", "docs", "io", "config")
_TEXT = (
    "add handle parse render cache retry stream config option flag release version tag commit "
    "changelog header footer scope body error message path file index upload build wheel sdist "
    "remote branch history range token timeout window buffer reader writer entry point plugin "
    "the a of for when with without on in from to and before after every each first last"
)
WORDS = tuple(_TEXT.split())
NON_CONVENTIONAL = (
    "Update README.md",
    "WIP",
    "Initial import of the parser",
    "Bump dependencies",
    "Fix typo",
    "tweak tests",
    "Apply suggestions from code review",
)
FOOTERS = ("Refs: #{n}", "Reviewed-by: Dev {n} <dev{n}@example.com>", "Closes #{n}")


@dataclass(frozen=True)
class Params:
    """What identifies a generated repository; it is stored inside it as JSON."""

    commits: int
    tag_every: int
    annotated: bool
    seed: int
    generator: int = GENERATOR_VERSION
    changelog: bool = False  # the last release commit writes the CHANGELOG.md of every release
    packages: int = 0  # a uv workspace of this many packages (see workspace_stream)

    def name(self) -> str:
        tags = f"tag{self.tag_every}{'a' if self.annotated else 'l'}" if self.tag_every else "notag"
        return (
            f"c{self.commits}-{tags}-s{self.seed}"
            + ("-changelog" if self.changelog else "")
            + (f"-ws{self.packages}" if self.packages else "")
        )


@dataclass(frozen=True)
class Result:
    """A generated repository: where, what, and the version each tool should propose next."""

    path: Path
    params: Params
    last_tag: str | None
    expected_next: str | None
    tags: int
    seconds: float


# --- messages and versions (pure) -----------------------------------------------------------


class _Messages:
    """Seeded commit messages, drawn from pools built once (per-word draws would dominate)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.subjects = [self._sentence(3, 9) for _ in range(997)]
        self.bodies = [self._body() for _ in range(499)]
        self.notes = [self._sentence(4, 10) for _ in range(53)]
        self.kinds = [t for t, weight in TYPES for _ in range(weight)]
        self.last_entry: tuple[str, str] | None = None

    def _sentence(self, low: int, high: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def _body(self) -> str:
        paragraphs = []
        for _ in range(self.rng.randint(1, 3)):
            lines, line = [], ""
            for word in self._sentence(8, 40).split():
                if len(line) + len(word) + 1 > 72:
                    lines.append(line)
                    line = word
                else:
                    line = f"{line} {word}".strip()
            lines.append(line)
            paragraphs.append("\n".join(lines).capitalize() + ".")
        return "\n\n".join(paragraphs)

    def next(self) -> tuple[str, str]:
        """One commit message and the bump it calls for: major, minor, patch or none."""
        text, level = self._next()
        self.last_entry = _entry(text, level)
        return text, level

    def _next(self) -> tuple[str, str]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.03:
            return rng.choice(NON_CONVENTIONAL), "none"
        kind = rng.choice(self.kinds)
        scope = f"({rng.choice(SCOPES)})" if rng.random() < 0.5 else ""
        level = {"feat": "minor", "fix": "patch", "perf": "patch"}.get(kind, "none")
        bang, footers = "", []
        if roll > 0.997 and kind in ("feat", "fix"):  # about one commit in 700 breaks the API
            if rng.random() < 0.5:
                bang = "!"
            else:
                footers.append(f"BREAKING CHANGE: {rng.choice(self.notes)}")
            level = "major"
        parts = [f"{kind}{scope}{bang}: {rng.choice(self.subjects)}"]
        if rng.random() < 0.45:
            parts.append(rng.choice(self.bodies))
        if rng.random() < 0.2:
            footers.append(rng.choice(FOOTERS).format(n=rng.randint(1, 9999)))
        if footers:
            parts.append("\n".join(footers))
        return "\n\n".join(parts), level


_ORDER = ("none", "patch", "minor", "major")
_TITLES = {"feat": "Features", "fix": "Bug Fixes", "perf": "Performance Improvements"}
# The changelog a long-lived project has: PSR's marker near the top, and autorelease's.
CHANGELOG_HEAD = (
    "# Changelog\n\n<!-- version list -->\n\n"
    "<!-- autorelease: new releases go below this line -->\n\n"
)


def _entry(text: str, level: str) -> tuple[str, str] | None:
    """The changelog group and line of a commit message, or None if the changelog omits it."""
    header = text.split("\n", 1)[0]
    kind, _, description = header.partition(": ")
    breaking = level == "major"
    kind = kind.rstrip("!")
    scope = ""
    if "(" in kind:
        kind, scope = kind[:-1].split("(")
    if kind not in _TITLES and not breaking:
        return None
    line = f"- **{scope}:** {description}" if scope else f"- {description}"
    return ("Breaking Changes" if breaking else _TITLES[kind]), line


def _section(version: str, when: int, entries: list[tuple[str, str]]) -> str:
    """One release of the generated changelog, in autorelease's default layout."""
    date = time.strftime("%Y-%m-%d", time.gmtime(when))
    lines = [f"## v{version} ({date})"]
    for title in ("Breaking Changes", "Features", "Bug Fixes", "Performance Improvements"):
        group = [line for group, line in entries if group == title]
        if group:
            lines += ["", f"### {title}", "", *group]
    return "\n".join(lines) + "\n"


def bump(version: tuple[int, int, int], level: str) -> tuple[int, int, int]:
    """The next version; 0.x is not allowed, so anything from 0.x goes to 1.0.0."""
    major, minor, patch = version
    if major == 0:
        return (1, 0, 0)
    if level == "major":
        return (major + 1, 0, 0)
    if level == "minor":
        return (major, minor + 1, 0)
    return (major, minor, patch + 1)  # a release with no bumping commit is forced as a patch


def _render(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))


# --- the fast-import stream -------------------------------------------------------------------


def _data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def _commit(mark: int, when: int, text: str, files: dict[str, str], first: bool) -> bytes:
    who = b"%s %d +0000" % (AUTHOR, when)
    out = [b"commit refs/heads/main\nmark :%d\n" % mark]
    out.append(b"author %s\ncommitter %s\n" % (who, who))
    out.append(_data(text.encode()))
    if not first:
        out.append(b"from :%d\n" % (mark - 1))
    for path, content in files.items():
        out.append(b"M 100644 inline %s\n" % path.encode())
        out.append(_data(content.encode()))
    return b"".join(out) + b"\n"


def _tag(name: str, mark: int, when: int, annotated: bool) -> bytes:
    if not annotated:
        return b"reset refs/tags/%s\nfrom :%d\n\n" % (name.encode(), mark)
    return b"tag %s\nfrom :%d\ntagger %s %d +0000\n%s" % (
        name.encode(), mark, AUTHOR, when, _data(f"Release {name}".encode()),
    )  # fmt: skip


@dataclass
class _State:
    version: tuple[int, int, int] = (0, 0, 0)
    pending: str = "none"  # the highest bump since the last tag
    last_tag: str | None = None
    tags: int = 0
    entries: list[tuple[str, str]] = field(default_factory=list)  # since the last tag
    sections: list[str] = field(default_factory=list)  # oldest release first


def stream(params: Params, state: _State) -> Iterator[bytes]:
    """The fast-import commands for the whole history; STATE ends with the last tag and bump."""
    messages = _Messages(random.Random(params.seed))
    initial = {
        "pyproject.toml": PYPROJECT.format(version="0.0.0"),
        "README.md": "# demo\n\nA synthetic project for the autorelease benchmarks.\n",
        "src/demo/__init__.py": '"""A synthetic project."""\n',
        ".gitignore": "__pycache__/\n/dist/\n",
    }
    for i in range(1, params.commits + 1):
        when = EPOCH + 600 * i
        if params.tag_every and i % params.tag_every == 0 and 1 < i < params.commits:
            state.version = bump(state.version, state.pending)
            version = _render(state.version)
            files = {"pyproject.toml": PYPROJECT.format(version=version)}
            if params.changelog:
                state.sections.append(_section(version, when, state.entries))
                state.entries.clear()
                if i + params.tag_every >= params.commits:  # the last release writes the file
                    body = "\n".join(reversed(state.sections))
                    files["CHANGELOG.md"] = CHANGELOG_HEAD + body
            yield _commit(i, when, f"chore(release): {version}", files, i == 1)
            state.last_tag, state.pending, state.tags = f"v{version}", "none", state.tags + 1
            yield _tag(state.last_tag, i, when, params.annotated)
            continue
        text, level = messages.next() if i > 1 else ("chore: initial commit", "none")
        if _ORDER.index(level) > _ORDER.index(state.pending):
            state.pending = level
        if params.changelog and i > 1 and (entry := messages.last_entry):
            state.entries.append(entry)
        # Ordinary commits change no file: every tool reads messages only, and 100,000 new
        # trees would make fast-import ten times slower without changing what is measured.
        files = initial if i == 1 else {}
        yield _commit(i, when, text, files, i == 1)


WORKSPACE_ROOT = """\
[tool.uv.workspace]
members = ["packages/*"]
"""
MEMBER = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
dependencies = [{needs}]
"""


def _member(k: int, version: str) -> tuple[str, str]:
    """Package K's pyproject.toml: every package after the first needs the one before it."""
    needs = f'"p{k - 1:02d}>=1"' if k else ""
    return f"packages/p{k:02d}/pyproject.toml", MEMBER.format(
        name=f"p{k:02d}", version=version, needs=needs
    )


def workspace_stream(params: Params, state: _State) -> Iterator[bytes]:
    """A uv workspace of PARAMS.packages packages (p00, p01, ...; each needs the one before):
    each commit changes one file of one package (one in 30 a file outside every package);
    with --tag-every, a release commit tags every package `pNN-vX.Y.Z` (its own version)."""
    messages = _Messages(random.Random(params.seed))
    where = random.Random(params.seed + 1)
    versions = dict.fromkeys(range(params.packages), (1, 0, 0))
    pending = dict.fromkeys(range(params.packages), "none")
    initial = {"pyproject.toml": WORKSPACE_ROOT, "README.md": "# a workspace\n"}
    for k in range(params.packages):
        initial.update([_member(k, "1.0.0")])
        initial[f"packages/p{k:02d}/src/p{k:02d}/__init__.py"] = '"""A package."""\n'
    for i in range(1, params.commits + 1):
        when = EPOCH + 600 * i
        if params.tag_every and i % params.tag_every == 0 and 1 < i < params.commits:
            files = {}
            for k in versions:
                versions[k] = bump(versions[k], pending[k])
                files.update([_member(k, _render(versions[k]))])
            pending = dict.fromkeys(pending, "none")
            yield _commit(i, when, "chore(release): the workspace", files, False)
            for k, version in versions.items():
                state.last_tag = f"p{k:02d}-v{_render(version)}"
                yield _tag(state.last_tag, i, when, params.annotated)
            state.tags += len(versions)
            continue
        text, level = messages.next() if i > 1 else ("chore: initial commit", "none")
        k = where.randrange(params.packages)
        if _ORDER.index(level) > _ORDER.index(pending[k]):
            pending[k] = level
        if i == 1:
            files = initial
        elif where.random() < 1 / 30:
            files = {"docs/notes.md": f"note {i}\n"}
        else:
            files = {f"packages/p{k:02d}/src/p{k:02d}/data.py": f"i = {i}\n"}
        yield _commit(i, when, text, files, i == 1)


# --- writing the repository -------------------------------------------------------------------


def git_env() -> dict[str, str]:
    """git isolated from the machine's configuration and from any hook's GIT_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    return env


def _git(args: list[str], cwd: Path, **kwargs: object) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=git_env(), check=True, **kwargs)  # type: ignore[call-overload]


def _cached(path: Path, params: Params) -> Result | None:
    try:
        data = json.loads((path / ".git" / META).read_text())
    except (FileNotFoundError, ValueError):
        return None
    if data.get("params") != asdict(params):
        return None
    return Result(path, params, data["last_tag"], data["expected_next"], data["tags"], 0.0)


def generate(params: Params, out: Path | None = None, force: bool = False) -> Result:
    """The repository for PARAMS at OUT (default benchmarks/.repos/NAME), generated if needed."""
    path = (out or REPOS / params.name()).resolve()
    if not force and (cached := _cached(path, params)):
        return cached
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    start = time.perf_counter()
    _git(["init", "--quiet", "-b", "main"], path)
    state = _State()
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"], cwd=path, env=git_env(), stdin=subprocess.PIPE
    )
    assert proc.stdin is not None
    batch: list[bytes] = []
    for chunk in (workspace_stream if params.packages else stream)(params, state):
        batch.append(chunk)
        if len(batch) >= 2000:
            proc.stdin.write(b"".join(batch))
            batch.clear()
    proc.stdin.write(b"".join(batch) + b"done\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit(f"git fast-import failed in {path}")
    _git(["reset", "--quiet", "--hard", "main"], path)
    # A clone has its tags in packed-refs, not in one loose file each as fast-import leaves them.
    _git(["pack-refs", "--all"], path)
    _git(["remote", "add", "origin", REMOTE], path)
    expected = None
    if params.packages:
        pass  # one version per package: run.py compares the workspace's speed, not versions
    elif state.pending != "none" or state.last_tag is None:
        expected = _render(bump(state.version, state.pending))
    seconds = time.perf_counter() - start
    meta = {"params": asdict(params), "last_tag": state.last_tag, "expected_next": expected,
            "tags": state.tags}  # fmt: skip
    (path / ".git" / META).write_text(json.dumps(meta, indent=2) + "\n")
    return Result(path, params, state.last_tag, expected, state.tags, seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=1000, help="number of commits")
    parser.add_argument("--tag-every", type=int, default=100, help="tag every N commits; 0: none")
    parser.add_argument(
        "--lightweight", action="store_true", help="lightweight tags (default: annotated)"
    )
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    parser.add_argument(
        "--changelog", action="store_true", help="commit the CHANGELOG.md the releases wrote"
    )
    parser.add_argument("--packages", type=int, default=0, help="a uv workspace of N packages")
    parser.add_argument("--out", type=Path, help="where to write (default benchmarks/.repos/NAME)")
    parser.add_argument("--force", action="store_true", help="regenerate even if cached")
    args = parser.parse_args(argv)
    if args.commits < 1 or args.tag_every < 0:
        parser.error("--commits must be at least 1 and --tag-every at least 0")
    params = Params(
        args.commits, args.tag_every, not args.lightweight, args.seed, changelog=args.changelog,
        packages=args.packages,
    )  # fmt: skip
    result = generate(params, args.out, args.force)
    how = f"generated in {result.seconds:.2f} s" if result.seconds else "cached"
    print(
        f"{result.path}: {params.commits} commits, {result.tags} tags, last tag "
        f"{result.last_tag or '-'}, expected next version {result.expected_next or '-'} ({how})",
        file=sys.stderr,
    )
    print(result.path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
