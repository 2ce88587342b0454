"""Build the sdist and the wheel reproducibly into a fresh directory, then check them.

`build` and `twine` run as processes with this interpreter (sys.executable): twine has no
public Python API, build's output and a crashing backend stay out of our process, and the
child gets SOURCE_DATE_EPOCH without our own os.environ changing.
"""

from __future__ import annotations

import logging
import re
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from autorelease import process
from autorelease.envvars import without_secrets
from autorelease.errors import BuildFailed

Log = Callable[[str], None]

_log = logging.getLogger(__name__)
TAIL_LINES = 20  # of a failed tool's output: shown after its error, and in --report
_TAIL_LINE_CHARS = 400  # a tool may print a megabyte on one line; its start is enough
# The backend's exception says more than the frontend's closing "ERROR Backend subprocess...".
_EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(Error|Exception): \S")
_ERROR_LINE = re.compile(r"(ERROR|error:|FAILED)\b")
# Plain lines, each written when printed (not when a pipe's buffer fills): --verbose streams them.
STREAMING = {"NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}


@dataclass(frozen=True)
class ToolResult:
    """What a finished process said (stdout and stderr merged) and how long it took."""

    args: tuple[str, ...]
    returncode: int
    output: str
    duration: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = TAIL_LINES) -> str:
        """The last LINES lines of output, each cut to a bounded length."""
        return tail_of(self.output.rstrip().splitlines(), lines)

    def error_line(self) -> str:
        """The line that best says why the tool failed: its last exception, error, or any line."""
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        exceptions = [line for line in lines if _EXCEPTION_LINE.match(line)]
        errors = [line for line in lines if _ERROR_LINE.match(line)]
        return (exceptions or errors or lines or [f"exit status {self.returncode}"])[-1]


def tail_of(lines: Iterable[str], count: int = TAIL_LINES) -> str:
    """The last COUNT of LINES, right-stripped and each cut to a bounded length."""
    return "\n".join(_cut(line.rstrip()) for line in list(lines)[-count:])


def _cut(line: str) -> str:
    return line if len(line) <= _TAIL_LINE_CHARS else line[:_TAIL_LINE_CHARS] + "…"


def run_tool(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    echo: Log | None = None,
) -> ToolResult:
    """Run ARGS and return its merged output and duration; never raises for a failed exit.

    ECHO gets each line of the output as it arrives (the debug log: `--verbose`). In a session
    of its own: on an interrupt (SIGTERM, Ctrl-C) or when it returns, everything it started
    ends with it, so no build backend writes into the work tree after a rollback.
    """
    start = time.monotonic()
    lines: list[str] = []
    collect = _collector(lines, echo)
    try:
        end = process.streamed(args, collect, cwd=cwd, env=env, timeout=timeout, own_group=True)
    except FileNotFoundError as exc:
        return ToolResult(tuple(args), 127, str(exc), time.monotonic() - start)
    output = "".join(f"{line}\n" for line in lines)
    if end.timed_out:
        output += f"\nERROR timed out after {timeout} s"
    code = -1 if end.timed_out else end.returncode
    return ToolResult(tuple(args), code, output, time.monotonic() - start)


def _collector(lines: list[str], echo: Log | None) -> Log:
    """An on_line for process.streamed: each line kept in LINES, and passed to ECHO too."""

    def collect(line: str) -> None:
        lines.append(line)
        if echo is not None:
            echo(line.rstrip())

    return collect


def debug_echo(tool: str) -> Log:
    """An ECHO for run_tool: each line of TOOL's output to the debug log (`--verbose`)."""
    return lambda line: _log.debug("%s | %s", tool, line)


@dataclass(frozen=True)
class Distributions:
    """The two files of a release, freshly built and checked."""

    sdist: Path
    wheel: Path
    version: str
    seconds: float

    @property
    def files(self) -> tuple[Path, Path]:
        return (self.sdist, self.wheel)


def build(
    project_dir: Path,
    version: str,
    source_date_epoch: int,
    outdir: Path | None = None,
    *,
    isolation: bool = True,
    log: Log = _log.info,
) -> Distributions:
    """Build, then check, the sdist and wheel of PROJECT_DIR at VERSION into a fresh OUTDIR.

    SOURCE_DATE_EPOCH (the release commit's time) makes the files reproducible. OUTDIR must be
    missing or empty; without it a new temporary directory is used. Raises BuildFailed
    when the build, `twine check --strict` or the version check fails.
    """
    out = fresh_outdir(outdir)
    log(f"building sdist and wheel of {project_dir} into {out}")
    result = run_tool(
        _build_args(project_dir, out, isolation), env=build_env(source_date_epoch),
        cwd=project_dir, echo=debug_echo("build"),
    )  # fmt: skip
    if not result.ok:
        raise _build_failed(project_dir, result, isolation)
    sdist, wheel = find_distributions(out)
    check_versions(sdist, wheel, version)
    twine_check((sdist, wheel))
    log(f"built {sdist.name} and {wheel.name} in {result.duration:.1f} s")
    return Distributions(sdist, wheel, str(Version(version)), result.duration)


def _build_args(project_dir: Path, out: Path, isolation: bool) -> list[str]:
    # No --sdist/--wheel: build makes the sdist, then the wheel *from the sdist*, which proves
    # the sdist is complete enough for anyone to rebuild the wheel from it.
    args = [sys.executable, "-m", "build", "--outdir", str(out)]
    if not isolation:
        args.append("--no-isolation")
    return [*args, str(project_dir)]


def build_env(source_date_epoch: int) -> dict[str, str]:
    """Our environment, with SOURCE_DATE_EPOCH pinned so archive timestamps are reproducible."""
    return without_secrets(SOURCE_DATE_EPOCH=str(int(source_date_epoch))) | STREAMING


def fresh_outdir(outdir: Path | None) -> Path:
    """OUTDIR created if missing; refused if it holds anything, so no stale file is uploaded."""
    if outdir is None:
        return Path(tempfile.mkdtemp(prefix="autorelease-dist-"))
    if outdir.exists() and any(outdir.iterdir()):
        raise BuildFailed(
            f"build output directory {outdir} is not empty",
            "remove it or choose another: autorelease only uploads files it has just built",
        )
    outdir.mkdir(parents=True, exist_ok=True)
    return outdir


def _build_failed(project_dir: Path, result: ToolResult, isolation: bool) -> BuildFailed:
    reason = result.error_line()
    missing = _unmet_requirements(result.output)
    if missing and not isolation:
        reason = f"build requirements not installed: {', '.join(missing)}"
        hint = "install them into this environment, or build with isolation"
    else:
        hint = "the end of the build's output is above (--verbose shows all of it); fix it, re-run"
    return BuildFailed(f"building {project_dir} failed: {reason}", hint, result.tail())


def _unmet_requirements(output: str) -> list[str]:
    # build lists them under "ERROR Missing/Unmet dependencies", one per line with one tab.
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"ERROR \w+ dependencies", line)]
    if not starts:
        return []
    after = lines[starts[0] + 1 :]
    return [line.strip() for line in after if re.match(r"\t[^\t]", line)]


def find_distributions(outdir: Path) -> tuple[Path, Path]:
    """The one sdist and the one wheel in OUTDIR."""
    sdists = sorted(outdir.glob("*.tar.gz"))
    wheels = sorted(outdir.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        found = ", ".join(p.name for p in sorted(outdir.iterdir())) or "nothing"
        raise BuildFailed(
            f"expected one sdist and one wheel in {outdir}, found {found}",
            "check the build backend's configuration",
        )
    return sdists[0], wheels[0]


def check_versions(sdist: Path, wheel: Path, planned: str) -> None:
    """Both file names and both metadata files carry PLANNED (compared after normalisation)."""
    try:
        want = Version(planned)
    except InvalidVersion as exc:
        raise BuildFailed(
            f"planned version {planned!r} is not a valid PEP 440 version",
            "fix the version scheme in [tool.autorelease]",
        ) from exc
    sdist_name, sdist_version = parse_sdist_filename(sdist.name)
    wheel_name, wheel_version, _, _ = parse_wheel_filename(wheel.name)
    if sdist_name != wheel_name:
        raise BuildFailed(
            f"{sdist.name} and {wheel.name} name different projects",
            "check the project name in pyproject.toml",
        )
    found = {
        sdist.name: sdist_version,
        wheel.name: wheel_version,
        f"{wheel.name}: METADATA": _metadata_version(wheel),
        f"{sdist.name}: PKG-INFO": _metadata_version(sdist),
    }
    for where, got in found.items():
        if got != want:
            raise BuildFailed(
                f"{where} has version {got}, but the release is {want}",
                f"make the project's version source say {want} (see version_files in "
                "[tool.autorelease]), then build again",
            )


def _metadata_version(dist: Path) -> Version | str:
    """The Version field of a wheel's METADATA or an sdist's PKG-INFO (as text if invalid)."""
    if dist.name.endswith(".whl"):
        with zipfile.ZipFile(dist) as zf:
            names = [n for n in zf.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
            text = zf.read(names[0]).decode("utf-8", "replace") if names else ""
    else:
        with tarfile.open(dist) as tf:
            members = [m for m in tf.getmembers() if re.fullmatch(r"[^/]+/PKG-INFO", m.name)]
            raw = tf.extractfile(members[0]) if members else None
            text = raw.read().decode("utf-8", "replace") if raw else ""
    field = str(HeaderParser().parsestr(text).get("Version") or "missing")
    try:
        return Version(field)
    except InvalidVersion:
        return field


def twine_check(dists: Sequence[Path]) -> ToolResult:
    """`twine check --strict` on DISTS: a description PyPI could not render fails the build."""
    result = run_tool(
        [sys.executable, "-m", "twine", "--no-color", "check", "--strict", *map(str, dists)],
        env=without_secrets() | STREAMING,
        echo=debug_echo("twine check"),
    )
    if not result.ok:
        raise BuildFailed(
            f"twine check --strict rejected {_names(dists)}: {_twine_reason(result)}",
            "fix the package metadata (often readme / its content-type in pyproject.toml), "
            "then build again",
            result.tail(),
        )
    return result


def _twine_reason(result: ToolResult) -> str:
    # The first WARNING/ERROR line names the problem; the "FAILED" summary does not.
    for line in result.output.splitlines():
        stripped = line.strip()
        if stripped.startswith(("ERROR", "WARNING")):
            return " ".join(stripped.split()[1:]) or stripped
    return result.error_line()


def _names(paths: Sequence[Path]) -> str:
    return " and ".join(p.name for p in paths)


def project_of(dist: Path) -> tuple[str, Version]:
    """The canonical project name and version a distribution file name carries."""
    if dist.name.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(dist.name)
    else:
        name, version = parse_sdist_filename(dist.name)
    return canonicalize_name(name), version
