"""After a rollback release is public: the bad release marked on GitHub, and how to yank it.

Both are safe to repeat: the note goes on once, and the yank is only described (no index has
an upload API for yanking; PyPI's is its web page).
"""

from __future__ import annotations

import logging
from pathlib import Path

from autorelease.core import config
from autorelease.core.rollback import Released
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
    root: Path, cfg: config.Config, options: PublishOptions, done: Released
) -> str | None:
    """Put the note at the top of the rolled-back release's GitHub release (once), pointing
    to DONE's. DONE's release page, or None without GitHub (not wanted, or not on GitHub)."""
    from autorelease.publish import github

    target = preflight.release_target(root, cfg)
    if not preflight.wants_github(options, cfg) or target is None:
        return None
    url = github.release_state(target, done.tag).html_url
    text = note(done.bad_tag, done.version, url, done.good_version)
    if github.note_at_top(target, done.bad_tag, text, log=_log.info):
        _log.info(f"noted on the GitHub release {done.bad_tag}: rolled back in {done.version}")
    return url


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
