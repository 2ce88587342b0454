"""After a rollback release is public: the bad release marked on GitHub, and how to yank it.

Both are safe to repeat: the note goes on once, and the yank is only described (no index has
an upload API for yanking; PyPI's is its web page).
"""

from __future__ import annotations

import logging
from pathlib import Path

from autorelease.core import config
from autorelease.publish import preflight
from autorelease.publish.index_target import PYPI_UPLOAD, TESTPYPI_UPLOAD, resolve_target
from autorelease.publish.options import PublishOptions

_log = logging.getLogger(__name__)
_MANAGE = {PYPI_UPLOAD: "https://pypi.org", TESTPYPI_UPLOAD: "https://test.pypi.org"}


def note(bad_tag: str, new_version: str, new_url: str | None, good_version: str) -> str:
    """The note at the top of the bad release's notes."""
    name = f"[{new_version}]({new_url})" if new_url else new_version
    return (
        f"> [!WARNING]\n> Rolled back in {name}: the changes of {bad_tag} were taken out, and "
        f"{new_version} ships what {good_version} shipped."
    )


def mark_on_github(
    root: Path, cfg: config.Config, options: PublishOptions, bad_tag: str, text: str
) -> str | None:
    """Put TEXT at the top of BAD_TAG's GitHub release; its URL, or None when there is none
    (no GitHub release wanted, the project is not on GitHub, or BAD_TAG has no release)."""
    from autorelease.publish import github

    target = preflight.release_target(root, cfg)
    if not preflight.wants_github(options, cfg) or target is None:
        return None
    return github.note_at_top(target, bad_tag, text, log=_log.info)


def new_release_url(
    root: Path, cfg: config.Config, options: PublishOptions, tag: str
) -> str | None:
    """The GitHub release page of TAG, when there is one."""
    from autorelease.publish import github

    target = preflight.release_target(root, cfg)
    if not preflight.wants_github(options, cfg) or target is None:
        return None
    return github.release_state(target, tag).html_url


def yank_advice(
    cfg: config.Config, options: PublishOptions, project: str, version: str, reason: str
) -> str:
    """How to yank VERSION of PROJECT on the index this project uploads to (PEP 592)."""
    target = resolve_target(options.index_spec(str(cfg.repository)))
    site = next((s for url, s in _MANAGE.items() if target.upload_url.startswith(url)), None)
    where = (
        f"open {site}/manage/project/{project}/release/{version}/ (Options, Yank)"
        if site
        else f"yank it in {target.name}'s web interface (twine cannot)"
    )
    return (
        f"to yank {version} (installers then skip it unless pinned with =={version}), {where} "
        f"with the reason: {reason}"
    )
