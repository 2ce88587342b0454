"""What `autorelease publish` was asked to do: the command line, converted once, frozen."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from autorelease.core.plan import PlanOptions
from autorelease.git import RawCommit


class PublishOptions(NamedTuple):
    """The publish command's options as the run reads them (the CLI makes them from argv)."""

    repo: Path = Path(".")
    bump: str | None = None  # --bump: force major|minor|patch
    pre: str | None = None  # --pre: a|b|rc
    test: bool = False  # --test: an alpha pre-release to TestPyPI
    skip_tests: bool = False
    no_push: bool = False
    no_upload: bool = False
    no_github: bool = False
    no_comments: bool = False  # --no-comments: no "released in" comments on issues and PRs
    repository: str | None = None  # --repository: pypi, testpypi, a .pypirc name or a URL
    report: Path | None = None  # --report: write the run as JSON here
    verbose: bool = False
    # Commits made for this release on top of HEAD, not checked out yet, newest first (a
    # rollback's revert): the plan counts them, the release checks them out right before it
    # writes its files, and undoing the release undoes them too.
    on_top: tuple[RawCommit, ...] = ()
    packages: tuple[str, ...] = ()  # --package: a workspace's packages to release (and followers)

    @property
    def wants_prerelease(self) -> bool:
        return bool(self.pre or self.test)

    def plan_options(self) -> PlanOptions:
        options = PlanOptions.from_command_line(self.bump, self.pre, self.test)
        return options._replace(extra_commits=self.on_top)

    def index_spec(self, configured: str) -> str:
        """The index to use: --repository, else TestPyPI for --test, else CONFIGURED."""
        if self.repository:
            return self.repository
        return "testpypi" if self.test else configured
