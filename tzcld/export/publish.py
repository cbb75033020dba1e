"""Publishing the static site atomically, and keeping it current (``export-site --atomic`` /
``--follow``, issue 16).

A publish path ``P`` (say ``/srv/tzcld/site``, what the web server serves) is a **symbolic
link** to one complete export in ``P.versions/`` (``P.versions/20260601T101500Z/``). A new
version is written beside the others (``P.versions/.build-…``), renamed into place, then the
link is swapped in one step (:func:`tzcld.fsatomic.point_link`): a visitor gets either the
old site or the new one, never half of each, and a failed export changes nothing. The last
``TZCLD_PUBLISH_KEEP`` (:attr:`tzcld.runtime.Settings.publish`) versions before the current one are kept (a rollback is
``ln -sfn P.versions/OLDER P.tmp && mv -T P.tmp P``). Each version holds ``release.json``
(when, what data) for monitoring. One lock file (``P.versions/.lock``) serialises
publishers (a timer and a follower, two hosts on a shared volume).

:func:`follow` re-publishes when the database changes — a new or corrected figure, an
import or a restore, a perimeter proposal, approval or refusal — looked at every
``TZCLD_PUBLISH_INTERVAL`` seconds (:func:`database_fingerprint`: a few
counts, nothing personal), and once a day (the page's date). While the database cannot be
read the published site is kept as it is, never replaced by a poorer one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tzcld.errors import TzcldError

#: File written into each published version (when, what data): for monitoring.
RELEASE_FILE = "release.json"
#: Prefix of versions being written (never served: the link never points there).
BUILDING_PREFIX = ".build-"


class SourcesUnavailable(TzcldError, RuntimeError):
    """The database could not be read: the published site is kept as it is (``errors.sources.*``)."""

    domain = "errors.sources"


def versions_dir(link: Path) -> Path:
    """Where the versions of the publish path ``link`` are kept: ``link.versions`` beside it."""
    return link.parent / f"{link.name}.versions"


@contextlib.contextmanager
def _publish_lock(versions: Path) -> Iterator[None]:
    versions.mkdir(parents=True, exist_ok=True)
    with (versions / ".lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def current_version(link: Path) -> str | None:
    """Name of the version ``link`` points to (``None``: nothing published this way yet)."""
    if not link.is_symlink():
        return None
    target = Path(os.readlink(link))
    return target.name if (link.parent / target).is_dir() else None


def published_versions(link: Path) -> list[str]:
    """The complete versions kept beside ``link``, oldest first."""
    versions = versions_dir(link)
    if not versions.is_dir():
        return []
    return sorted(p.name for p in versions.iterdir() if p.is_dir() and not p.name.startswith("."))


@dataclass(frozen=True)
class Publication:
    """One published version: its ``name``, ``folder``, the number of ``files`` and bytes."""

    link: Path
    name: str
    folder: Path
    files: int
    total_bytes: int
    perimeter_version: str | None
    earlier: Path | None = None  #: where a former plain folder at ``link`` was moved


def _new_name(versions: Path, now: dt.datetime) -> str:
    base = now.strftime("%Y%m%dT%H%M%SZ")
    name, n = base, 1
    while (versions / name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def publish_site(
    link: Path,
    write: Callable[[Path], object],
    *,
    keep: int = 3,
    fingerprint: dict | None = None,
    now: dt.datetime | None = None,
) -> Publication:
    """Export with ``write(folder)`` (a :func:`tzcld.export.site.export_site` call returning
    its ``SiteExport``) into a new version beside ``link``, then point ``link`` at it in one
    step; keep ``keep`` older versions. Raises what ``write`` raises, with nothing changed."""
    link = Path(link)
    versions = versions_dir(link)
    now = now or dt.datetime.now(dt.UTC)
    with _publish_lock(versions):
        name = _new_name(versions, now)
        work = versions / f"{BUILDING_PREFIX}{name}"
        if work.exists():
            shutil.rmtree(work)
        try:
            result = write(work)
            files = [p for p in work.rglob("*") if p.is_file()]
            release = {
                "version": name,
                "published_at": now.isoformat(timespec="seconds"),
                "perimeter_version": getattr(result, "perimeter_version", None),
                "files": len(files) + 1,
                "database": fingerprint,
            }
            (work / RELEASE_FILE).write_text(json.dumps(release, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            for folder in [work, *(p for p in work.rglob("*") if p.is_dir())]:
                os.chmod(folder, 0o755)  # served by another account (the web server's)
            os.rename(work, versions / name)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        earlier = _point(link, versions, name)
        _prune(versions, keep, name)
    final = versions / name
    total = sum(p.stat().st_size for p in final.rglob("*") if p.is_file())
    return Publication(link, name, final, len(files) + 1, total, _text_or_none(release["perimeter_version"]), earlier)


def _point(link: Path, versions: Path, name: str) -> Path | None:
    from tzcld.fsatomic import point_link

    return point_link(link, f"{versions.name}/{name}")


def _prune(versions: Path, keep: int, current: str) -> None:
    done = sorted(p.name for p in versions.iterdir() if p.is_dir() and not p.name.startswith("."))
    older = [n for n in done if n != current]
    for name in older[: max(0, len(older) - keep)]:
        shutil.rmtree(versions / name, ignore_errors=True)
    for p in versions.iterdir():  # builds left by a publisher that was killed
        if p.name.startswith(BUILDING_PREFIX) and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


def database_fingerprint(engine) -> dict:
    """What the published site depends on in the database, in a few numbers: the ledger's
    rows (count, last id) and the perimeter versions (count, last id, decisions, last
    decision). Any write — a figure, a correction, an import, a proposal, an approval —
    changes it. Raises what the database raises when it cannot be read."""
    from sqlalchemy import inspect, text

    out: dict = {}
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if "observations" in tables:
            n, last = conn.execute(text("SELECT count(*), max(id) FROM observations")).one()
            out["observations"] = [int(n), int(last or 0)]
        if "perimeter_versions" in tables:
            n, last, decided, when = conn.execute(
                text("SELECT count(*), max(id), count(decided_at), max(decided_at) FROM perimeter_versions")
            ).one()
            out["perimeter_versions"] = [int(n), int(last or 0), int(decided), str(when) if when else None]
    return out


def follow(
    link: Path,
    write: Callable[[Path], object],
    fingerprint: Callable[[], dict],
    *,
    interval_s: float = 30.0,
    keep: int = 3,
    stop: threading.Event | None = None,
    say: Callable[[str], None] = print,
    max_publications: int | None = None,
    today: Callable[[], dt.date] = lambda: dt.datetime.now(dt.UTC).date(),
) -> int:
    """Publish now, then each time :func:`database_fingerprint` (``fingerprint()``) or the
    day changes, looking every ``interval_s`` seconds, until ``stop`` is set (or after
    ``max_publications``). A database that cannot be read, or an export that fails, keeps
    the published site and is tried again at the next look. Returns the publications made."""
    stop = stop or threading.Event()
    last: tuple | None = None
    made = 0
    while not stop.is_set():
        try:
            state = fingerprint()
        except Exception as exc:  # noqa: BLE001 - any database failure: keep the site, retry
            say(
                f"Base de données illisible ({type(exc).__name__}) : site publié gardé, nouvel essai dans {interval_s:g} s."
            )
            stop.wait(interval_s)
            continue
        key = (json.dumps(state, sort_keys=True), today().isoformat())
        if key != last:
            try:
                pub = publish_site(link, write, keep=keep, fingerprint=state)
            except SourcesUnavailable as exc:
                say(f"{exc} Site publié gardé, nouvel essai dans {interval_s:g} s.")
            except Exception as exc:  # noqa: BLE001 - an export that fails: keep the site, retry
                say(
                    f"Publication impossible ({type(exc).__name__}) : site publié gardé, nouvel essai dans {interval_s:g} s."
                )
            else:
                last = key
                made += 1
                say(
                    f"Site publié : {pub.link} → {pub.folder.parent.name}/{pub.name} "
                    f"({pub.files} fichiers, {pub.total_bytes / 1024:.0f} Ko"
                    + (f", périmètres {pub.perimeter_version}" if pub.perimeter_version else "")
                    + ")."
                )
                if max_publications is not None and made >= max_publications:
                    break
        stop.wait(interval_s)
    return made


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)
