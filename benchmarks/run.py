"""Time autorelease against commitizen, python-semantic-release and the `git log` floor.

For each scenario (a generated repository, see generate.py) this runs, as separate processes:

    autorelease --dry-run                  the release preview
    autorelease --dry-run --json           the plan as JSON
    autorelease version --print            the next version alone
    cz bump --get-next --yes               commitizen: the next version, changing nothing
    semantic-release --noop version --print
    git log --format=%H%n%B RANGE          the floor: reading the messages since the last tag
    python -c pass                         the floor: starting the interpreter

and, in the scenario with a long changelog (e), the full rebuild of the changelog:

    autorelease changelog --init --dry-run
    cz changelog --dry-run

and reports the best wall time of N runs (time.perf_counter around the process, output to
/dev/null), its CPU time and the peak memory of its process tree (wait4's rusage). A command
whose first run takes longer than --slow seconds runs only once, which keeps semantic-release
on 100,000 untagged commits (about 40 s a run) bounded. Every tool's next version is checked
against the others and against the version the generator computed.

    python benchmarks/run.py                  # all scenarios, best of 5
    python benchmarks/run.py --runs 3 --scenarios a,c --markdown results.md
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

SCENARIOS = {
    "a": ("100k commits, tag every 100", generate.Params(100_000, 100, True, 2024)),
    "b": ("100k commits, no tag", generate.Params(100_000, 0, True, 2024)),
    "c": ("1,000 commits, tag every 100", generate.Params(1_000, 100, True, 2024)),
    "d": ("1,000 commits, no tag", generate.Params(1_000, 0, True, 2024)),
    "e": (
        "100k commits, 1,000 tags, 50 unreleased, 2.4 MB changelog",
        generate.Params(100_050, 100, True, 2024, changelog=True),
    ),
    # A uv workspace of 20 packages (generate.workspace_stream): every commit changes one
    # package's file, so which package it releases is read from the paths.
    "f": ("20-package workspace, 100k commits, no tag",
          generate.Params(100_000, 0, True, 2024, packages=20)),
    "g": ("20-package workspace, 100k commits, tags every 100",
          generate.Params(100_050, 100, True, 2024, packages=20)),
}  # fmt: skip
AR, AR_JSON = "autorelease --dry-run", "autorelease --dry-run --json"
AR_PRINT = "autorelease version --print"
CZ, PSR = "cz bump --get-next", "semantic-release version --print"
GIT_LOG, PYTHON = "git log (floor)", "python -c pass"
GIT_NAMES = "git log --name-only (floor)"  # a workspace's floor: messages and paths
AR_INIT, CZ_CHANGELOG = "autorelease changelog --init --dry-run", "cz changelog --dry-run"
VERSION_COMMANDS = (AR_PRINT, CZ, PSR)  # their output is the next version
RATIOS = {  # label: (numerator, the commands whose times add up to the denominator)
    "cz / autorelease": (CZ, (AR,)),
    "semantic-release / autorelease": (PSR, (AR,)),
    "autorelease / (git log + python)": (AR, (GIT_LOG, PYTHON)),
    "autorelease / git log --name-only": (AR, (GIT_NAMES,)),
    "--dry-run --json / --dry-run": (AR_JSON, (AR,)),
    "cz changelog / autorelease changelog --init": (CZ_CHANGELOG, (AR_INIT,)),
}


@dataclass
class Timing:
    """The runs of one command in one scenario."""

    command: str
    argv: list[str]
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system time of the process tree
    peak_kb: list[int] = field(default_factory=list)  # the largest resident set of the tree
    output: str = ""
    error: str = ""

    @property
    def best(self) -> float:
        return min(self.seconds) if self.seconds else float("nan")

    @property
    def best_cpu(self) -> float:
        return min(self.cpu) if self.cpu else float("nan")

    @property
    def peak_mb(self) -> float:
        return max(self.peak_kb) / 1024 if self.peak_kb else float("nan")


def tool(name: str) -> str:
    """The executable NAME from this interpreter's environment, else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not installed: pip install it into {sys.prefix}")
    return found


def commands(result: generate.Result) -> dict[str, list[str]]:
    """The command lines to time in the repository of RESULT."""
    since = f"{result.last_tag}..HEAD" if result.last_tag else "HEAD"
    if result.params.packages:  # every package is tagged on the same release commit
        return {
            AR: [tool("autorelease"), "--dry-run"],
            AR_JSON: [tool("autorelease"), "--dry-run", "--json"],
            GIT_NAMES: ["git", "log", "--format=%H%n%B", "--name-only", since],
            PYTHON: [sys.executable, "-c", "pass"],
        }
    rebuild = {
        AR_INIT: [tool("autorelease"), "changelog", "--init", "--dry-run"],
        CZ_CHANGELOG: [tool("cz"), "changelog", "--dry-run"],
    }
    return ({} if not result.params.changelog else rebuild) | {
        AR: [tool("autorelease"), "--dry-run"],
        AR_JSON: [tool("autorelease"), "--dry-run", "--json"],
        AR_PRINT: [tool("autorelease"), "version", "--print"],
        CZ: [tool("cz"), "bump", "--get-next", "--yes"],
        PSR: [tool("semantic-release"), "--noop", "version", "--print"],
        GIT_LOG: ["git", "log", "--format=%H%n%B", since],
        PYTHON: [sys.executable, "-c", "pass"],
    }  # fmt: skip


def bench_env() -> dict[str, str]:
    """No machine git config, no GIT_* from a hook, no CI variables the tools react to."""
    env = generate.git_env()
    for name in ("GITHUB_ACTIONS", "GITHUB_OUTPUT", "GH_TOKEN", "GITHUB_TOKEN", "CI"):
        env.pop(name, None)
    env["NO_COLOR"] = "1"
    # An installed package comes with its bytecode compiled (pip does it); an editable install
    # under PYTHONDONTWRITEBYTECODE would recompile autorelease's sources on every run instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def measure(timing: Timing, cwd: Path, runs: int, slow: float) -> Timing:
    """Run the command up to RUNS times (once if the first run exceeds SLOW seconds).

    Each run is waited for with wait4, which gives that process tree's own CPU time and its
    peak resident set (the largest of the command and the processes it waited for).
    """
    env = bench_env()
    capture = timing.command in VERSION_COMMANDS
    for _ in range(runs):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = subprocess.Popen(
                timing.argv, cwd=cwd, env=env, stdout=out if capture else subprocess.DEVNULL,
                stderr=err,
            )  # fmt: skip
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            printed, errors = out.read().decode(errors="replace"), err.read()
        if proc.returncode != 0:
            timing.error = f"exit {proc.returncode}: {errors.decode(errors='replace')[-500:]}"
            return timing
        timing.seconds.append(elapsed)
        timing.cpu.append(usage.ru_utime + usage.ru_stime)
        timing.peak_kb.append(usage.ru_maxrss)  # kilobytes on Linux
        if capture and not timing.output:
            lines = printed.strip().splitlines()
            timing.output = lines[-1] if lines else ""
        if elapsed > slow:
            break
    return timing


def run_scenario(key: str, runs: int, slow: float) -> tuple[generate.Result, dict[str, Timing]]:
    label, params = SCENARIOS[key]
    result = generate.generate(params)
    tag = result.last_tag or "-"
    print(f"\n[{key}] {label}: {result.path.name}, last tag {tag}", file=sys.stderr)
    timings = {}
    for name, argv in commands(result).items():
        timing = measure(Timing(name, argv), result.path, runs, slow)
        shown = timing.error or f"best {timing.best:.3f} s of {len(timing.seconds)}"
        print(f"  {name:34} {shown}", file=sys.stderr)
        timings[name] = timing
    return result, timings


Row = tuple[str, generate.Result, dict[str, "Timing"]]


# --- the report ---------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or cpu
    git = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
    git_version = git.stdout.strip()
    versions = {}
    for name, argv in (("cz", ["version"]), ("semantic-release", ["--version"])):
        proc = subprocess.run([tool(name), *argv], capture_output=True, text=True, check=False)
        versions[name] = proc.stdout.strip().split()[-1] if proc.returncode == 0 else "?"
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "git": git_version.removeprefix("git version "),
        "commitizen": versions["cz"],
        "python-semantic-release": versions["semantic-release"],
    }


def _s(value: float) -> str:
    return "failed" if math.isnan(value) else f"{value:.3f} s"


def _x(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}x"


def _best(t: dict[str, Timing], name: str) -> float:
    """The best wall time of NAME in a scenario, NaN if the scenario did not run it."""
    return t[name].best if name in t else float("nan")


def verdicts(key: str, t: dict[str, Timing]) -> list[str]:
    """The targets of the issues that apply to scenario KEY, each with met or MISSED."""
    ar = t[AR].best
    if key == "f":  # on 50 commits (g) start-up and 20,000 tags are the time: no target
        met = ar / t[GIT_NAMES].best <= 2
        return [f"within 2x of git log --name-only: {'met' if met else 'MISSED'}"]
    if key == "g":
        return []
    floor = t[GIT_LOG].best + t[PYTHON].best
    checks = []
    if key in ("a", "e"):
        checks.append((">= 3x faster than cz", t[CZ].best / ar >= 3))
    if key == "a":
        checks.append((">= 50x faster than semantic-release", t[PSR].best / ar >= 50))
    if key == "b":
        checks.append(("within 2x of git log + interpreter start", ar / floor <= 2))
        checks.append(("--json within 1.3x of --dry-run", t[AR_JSON].best / ar <= 1.3))
    if key in ("c", "d"):
        checks.append(("under 0.2 s", ar < 0.2))
    if key == "e":
        init, cz = t[AR_INIT], t[CZ_CHANGELOG]
        checks += [
            ("--dry-run within 0.1 s of version --print", ar - t[AR_PRINT].best <= 0.1),
            ("changelog --init >= 4x faster than cz changelog", cz.best / init.best >= 4),
            ("changelog --init under 2 s", init.best < 2),
            ("changelog --init peak memory below cz's", init.peak_mb < cz.peak_mb),
        ]
    return [f"{text}: {'met' if ok else 'MISSED'}" for text, ok in checks]


def agreement(result: generate.Result, t: dict[str, Timing]) -> str:
    """The next version, or the disagreement between the tools."""
    if result.params.packages:
        return "(a version per package)"
    said = {name.split()[0]: t[name].output or "(nothing)" for name in VERSION_COMMANDS}
    said["generator"] = result.expected_next or "(nothing)"
    if len(set(said.values())) == 1:
        return f"{said['generator']} (all agree)"
    return "DISAGREE: " + ", ".join(f"{k} {v}" for k, v in said.items())


def _cpu(timing: Timing) -> str:
    return _s(timing.best_cpu)


def _peak(timing: Timing) -> str:
    return "failed" if math.isnan(timing.peak_mb) else f"{timing.peak_mb:.0f} MB"


def _header(first: str, rows: list[Row]) -> list[str]:
    return [f"| {first} | " + " | ".join(SCENARIOS[k][0] for k, _, _ in rows) + " |",
            "|---|" + "---:|" * len(rows)]  # fmt: skip


def report(rows: list[Row], info: dict[str, str], runs: int, load: str) -> str:
    """The results as Markdown: machine, absolute times, ratios, targets, versions."""
    lines = [
        f"Machine: {info['cpus']} CPUs, {info['cpu']}, {info['system']}; Python {info['python']}, "
        f"git {info['git']}, commitizen {info['commitizen']}, "
        f"python-semantic-release {info['python-semantic-release']}. Best of {runs} runs "
        f"(slow commands once); load average {load}.",
        "",
        "Wall time:",
        "",
        *_header("command", rows),
    ]
    names = [n for n in (AR, AR_JSON, AR_PRINT, CZ, PSR, GIT_LOG, GIT_NAMES, PYTHON, AR_INIT,
                         CZ_CHANGELOG)
             if any(n in t for _, _, t in rows)]  # fmt: skip
    for name in names:
        cells = []
        for _, _, t in rows:
            runs_done = len(t[name].seconds) if name in t else 0
            once = " (1 run)" if runs_done == 1 and runs > 1 else ""
            cells.append(_s(t[name].best) + once if name in t else "-")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    for title, value in (
        ("CPU time (user + system, the command and its git processes):", _cpu),
        ("Peak memory (the largest resident set of the command and its processes):", _peak),
    ):
        lines += ["", title, "", *_header("command", rows)]
        for name in names:
            cells = [value(t[name]) if name in t else "-" for _, _, t in rows]
            lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    lines += ["", "Ratios of wall times:", "", *_header("ratio", rows)]
    for label, (top, bottom) in RATIOS.items():
        ratios = (_x(_best(t, top) / sum(_best(t, n) for n in bottom)) for _, _, t in rows)
        lines.append(f"| {label} | " + " | ".join(ratios) + " |")
    lines += ["", "| scenario | next version | targets |", "|---|---|---|"]
    for key, result, t in rows:
        targets = "; ".join(verdicts(key, t)) or "-"
        lines.append(f"| {SCENARIOS[key][0]} | {agreement(result, t)} | {targets} |")
    failures = [f"{SCENARIOS[k][0]}: `{n}` {tm.error}" for k, _, t in rows for n, tm in t.items()
                if tm.error]  # fmt: skip
    if failures:
        lines += ["", "Failures:", *(f"- {f}" for f in failures)]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command; the best counts")
    parser.add_argument(
        "--slow", type=float, default=5.0, help="run a command once if it takes longer (seconds)"
    )
    parser.add_argument(
        "--scenarios",
        default="a,b,c,d,e",
        help="a: 100k tagged, b: 100k untagged, c/d: 1,000, e: 100k with a long changelog, "
        "f/g: a 20-package workspace on 100k commits, untagged/tagged",
    )
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    parser.add_argument("--json", type=Path, help="write every run's timings as JSON here")
    args = parser.parse_args(argv)
    keys = [k.strip() for k in args.scenarios.split(",") if k.strip()]
    if unknown := [k for k in keys if k not in SCENARIOS]:
        parser.error(
            f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}"
        )
    started = time.perf_counter()
    info = machine()
    rows = [(key, *run_scenario(key, max(1, args.runs), args.slow)) for key in keys]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = report(rows, info, args.runs, load)
    print(f"\n{text}\n(benchmark took {time.perf_counter() - started:.0f} s)")
    if args.markdown:
        args.markdown.write_text(text)
    if args.json:
        data = {"machine": info, "scenarios": {
            key: {"label": SCENARIOS[key][0], "last_tag": result.last_tag,
                  "expected_next": result.expected_next,
                  "commands": {n: {"argv": tm.argv[1:], "seconds": tm.seconds, "output": tm.output,
                                   "cpu": tm.cpu, "peak_kb": tm.peak_kb, "error": tm.error}
                             for n, tm in t.items()}}
            for key, result, t in rows}}  # fmt: skip
        args.json.write_text(json.dumps(data, indent=2) + "\n")
    missed = any("MISSED" in v for key, _, t in rows for v in verdicts(key, t))
    failed = any(tm.error for _, _, t in rows for tm in t.values())
    return 1 if failed else (2 if missed else 0)


if __name__ == "__main__":
    raise SystemExit(main())
