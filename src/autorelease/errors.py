"""The errors autorelease ends with: one type per problem the user can fix, each owning its
exit code, with a message and a hint; the CLI maps them to output and exit status."""

from __future__ import annotations

import enum
from typing import ClassVar


class ExitCode(enum.IntEnum):
    """Every exit status autorelease can end with (documented in docs/troubleshooting.md)."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    NOTHING_TO_RELEASE = 3
    INVALID_COMMIT = 4
    NOT_A_REPO = 10
    SHALLOW = 11
    GIT = 12
    CONFIG = 13
    NO_VERSION = 14
    VERSION_CONFLICT = 15
    CHANGELOG = 16
    NO_CHANGELOG = 17
    NOT_SUPPORTED = 18
    DIRTY_TREE = 20
    WRONG_BRANCH = 21
    NOT_UP_TO_DATE = 22
    TAG_EXISTS = 23
    ALREADY_ON_INDEX = 24
    NO_CREDENTIALS = 25
    INDEX_UNREADABLE = 26
    NO_REMOTE = 27
    NO_SUCH_RELEASE = 28
    REVERT_CONFLICT = 29
    TESTS_FAILED = 30
    BUILD_FAILED = 31
    PUSH_REJECTED = 32
    UPLOAD_FAILED = 33
    GITHUB_FAILED = 34
    INTERRUPTED = 130


class AutoreleaseError(Exception):
    """A failure the user can act on: what is wrong, and what to do next.

    Raise one of the subclasses below, never this class: each owns the exit code of its
    problem (`code`), so callers catch by type and only the CLI turns an error into a status.
    """

    code: ClassVar[ExitCode] = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class UsageError(AutoreleaseError):
    """The command line is incomplete or wrong."""

    code = ExitCode.USAGE


# --- the repository and the plan ---------------------------------------------------------------


class GitError(AutoreleaseError):
    """A git command failed."""

    code = ExitCode.GIT


class NotARepository(GitError):
    """The path is not inside a git work tree."""

    code = ExitCode.NOT_A_REPO


class ShallowClone(GitError):
    """The clone lacks history the version depends on."""

    code = ExitCode.SHALLOW


class ConfigError(AutoreleaseError):
    """A setting is wrong."""

    code = ExitCode.CONFIG


class VersionError(AutoreleaseError):
    """No current version can be found, or a version text is not one."""

    code = ExitCode.NO_VERSION


class VersionConflict(VersionError):
    """The version declarations disagree, or a pre-release would go backwards."""

    code = ExitCode.VERSION_CONFLICT


class ChangelogError(AutoreleaseError):
    """The changelog cannot be read or updated."""

    code = ExitCode.CHANGELOG


class NoChangelog(ChangelogError):
    """`changelog_file = ""`: the project keeps no changelog file to write."""

    code = ExitCode.NO_CHANGELOG


class NotSupported(AutoreleaseError):
    """The command cannot do that yet (no command raises it now; the exit code stays reserved)."""

    code = ExitCode.NOT_SUPPORTED


# --- publish's checks, before anything is written ---------------------------------------------


class DirtyTree(AutoreleaseError):
    """The working tree has uncommitted changes."""

    code = ExitCode.DIRTY_TREE


class WrongBranch(AutoreleaseError):
    """The checked-out branch is not the release branch."""

    code = ExitCode.WRONG_BRANCH


class NotUpToDate(AutoreleaseError):
    """The branch, or the last release tag, differs from the remote's."""

    code = ExitCode.NOT_UP_TO_DATE


class NoRemote(AutoreleaseError):
    """There is no git remote of the configured name to push the release to."""

    code = ExitCode.NO_REMOTE


class TagExists(AutoreleaseError):
    """The release tag exists already, on the remote or in the clone."""

    code = ExitCode.TAG_EXISTS


class AlreadyOnIndex(AutoreleaseError):
    """The index holds this version, or a different file of the same name, already."""

    code = ExitCode.ALREADY_ON_INDEX


class NoCredentials(AutoreleaseError):
    """No credentials for the index or for GitHub."""

    code = ExitCode.NO_CREDENTIALS


class IndexUnreadable(AutoreleaseError):
    """The checks could not read the index; nothing was pushed."""

    code = ExitCode.INDEX_UNREADABLE


# --- the steps of a release --------------------------------------------------------------------


class NoSuchRelease(AutoreleaseError):
    """`rollback`: no such release on this branch, or none before it to go back to."""

    code = ExitCode.NO_SUCH_RELEASE


class RevertConflict(AutoreleaseError):
    """`rollback`: taking a release's changes out of HEAD conflicts with what changed since."""

    code = ExitCode.REVERT_CONFLICT


class ToolFailed(AutoreleaseError):
    """A tool failed; `output` holds the tail of what it printed (shown after the error and in
    --report), `shown` says the user saw all of it already as it ran. Raise a subclass."""

    def __init__(self, message: str, hint: str | None, output: str = "", shown: bool = False):
        super().__init__(message, hint)
        self.output = output
        self.shown = shown


class TestsFailed(ToolFailed):
    """The test command failed."""

    __test__ = False  # not a pytest test class, whatever its name
    code = ExitCode.TESTS_FAILED


class BuildFailed(ToolFailed):
    """The build, `twine check` or the version check of the built files failed."""

    code = ExitCode.BUILD_FAILED


class PushRejected(AutoreleaseError):
    """The remote refused the atomic push."""

    code = ExitCode.PUSH_REJECTED


class UploadFailed(ToolFailed):
    """The upload to the index failed, or the index could not be read during it."""

    code = ExitCode.UPLOAD_FAILED


class GitHubFailed(AutoreleaseError):
    """The GitHub release could not be read or made."""

    code = ExitCode.GITHUB_FAILED
