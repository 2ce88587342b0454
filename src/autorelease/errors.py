"""One error type with a message, a hint and an exit code; the CLI maps it to output."""

from __future__ import annotations

import enum


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
    DIRTY_TREE = 20
    WRONG_BRANCH = 21
    NOT_UP_TO_DATE = 22
    TAG_EXISTS = 23
    ALREADY_ON_INDEX = 24
    NO_CREDENTIALS = 25
    INDEX_UNREADABLE = 26
    TESTS_FAILED = 30
    BUILD_FAILED = 31
    PUSH_REJECTED = 32
    UPLOAD_FAILED = 33
    GITHUB_FAILED = 34
    INTERRUPTED = 130


class AutoreleaseError(Exception):
    """A failure the user can act on: what is wrong, and what to do next."""

    code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str | None = None, code: ExitCode | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class GitError(AutoreleaseError):
    code = ExitCode.GIT


class ConfigError(AutoreleaseError):
    code = ExitCode.CONFIG


class VersionError(AutoreleaseError):
    code = ExitCode.NO_VERSION


class ChangelogError(AutoreleaseError):
    code = ExitCode.CHANGELOG
