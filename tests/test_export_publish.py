"""The static site published in one step and kept current (issue 16): ``export-site --atomic``
and ``--follow`` (a symbolic link swapped to a complete version written beside it)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tzcld.export.publish import (
    SourcesUnavailable,
    current_version,
    database_fingerprint,
    follow,
    publish_site,
    published_versions,
    versions_dir,
)

REPO = Path(__file__).resolve().parent.parent


def fake_export(text: str):
    def write(folder: Path):
        folder.mkdir(parents=True)
        (folder / "data").mkdir()
        (folder / "index.html").write_text(text, encoding="utf-8")
        (folder / "data" / "territoires.csv").write_text("id\n", encoding="utf-8")
        return None

    return write


def test_publish_swaps_a_link_to_complete_versions(tmp_path):
    link = tmp_path / "site"
    times = [dt.datetime(2026, 6, 1, 10, 0, i, tzinfo=dt.UTC) for i in range(6)]
    first = publish_site(link, fake_export("v1"), keep=2, now=times[0])
    assert link.is_symlink() and os.readlink(link) == f"site.versions/{first.name}"
    assert (link / "index.html").read_text() == "v1"
    release = json.loads((link / "release.json").read_text())
    assert release["version"] == first.name == "20260601T100000Z" and release["published_at"].startswith("2026-06-01")
    for i in range(1, 5):
        publish_site(link, fake_export(f"v{i + 1}"), keep=2, now=times[i])
    assert (link / "index.html").read_text() == "v5"
    # the current version and the two before it are kept (a rollback is one link away)
    assert published_versions(link) == ["20260601T100002Z", "20260601T100003Z", "20260601T100004Z"]
    assert current_version(link) == "20260601T100004Z"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "site.versions"]


def test_a_failed_export_changes_nothing(tmp_path):
    link = tmp_path / "site"
    publish_site(link, fake_export("bon"), keep=3)

    def broken(folder: Path):
        folder.mkdir()
        (folder / "index.html").write_text("moitié")
        raise OSError("disque plein")

    with pytest.raises(OSError, match="disque plein"):
        publish_site(link, broken, keep=3)
    assert (link / "index.html").read_text() == "bon"
    assert len(published_versions(link)) == 1
    assert [p.name for p in versions_dir(link).iterdir() if p.name.startswith(".build")] == []


def test_a_plain_folder_becomes_the_link_and_is_kept_aside(tmp_path):
    link = tmp_path / "site"
    link.mkdir()
    (link / "index.html").write_text("exporté à la main")
    pub = publish_site(link, fake_export("publié"), keep=3)
    assert link.is_symlink() and (link / "index.html").read_text() == "publié"
    assert pub.earlier is not None and (pub.earlier / "index.html").read_text() == "exporté à la main"


def test_readers_never_see_a_missing_or_half_site(tmp_path):
    """A web server reading the site while it is republished twenty times: every file opened
    through the link (as a web server opens each request's file) is there, complete."""
    link = tmp_path / "site"
    publish_site(link, fake_export("v0"), keep=1)
    stop = threading.Event()
    seen: list[str] = []
    problems: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                page = (link / "index.html").read_text()
                assert (link / "data" / "territoires.csv").read_text() == "id\n"
                assert page.startswith("v")
                seen.append(page)
            except OSError as exc:
                problems.append(repr(exc))

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for th in threads:
        th.start()
    try:
        for i in range(1, 21):
            publish_site(link, fake_export(f"v{i}"), keep=1)
            time.sleep(0.01)
    finally:
        stop.set()
        for th in threads:
            th.join()
    assert problems == [] and len(seen) > 20
    assert (link / "index.html").read_text() == "v20"


def test_follow_republishes_on_change_and_keeps_the_site_when_the_database_fails(tmp_path):
    link = tmp_path / "site"
    states = iter([{"n": 1}, {"n": 1}, RuntimeError("down"), {"n": 2}, {"n": 2}, {"n": 3}])
    said: list[str] = []
    texts = iter(["v1", "v2", "v3"])

    def fingerprint():
        value = next(states)
        if isinstance(value, Exception):
            raise value
        return value

    made = follow(
        link,
        lambda folder: fake_export(next(texts))(folder),
        fingerprint,
        interval_s=0.01,
        keep=5,
        say=said.append,
        max_publications=3,
    )
    assert made == 3 and (link / "index.html").read_text() == "v3"
    assert any("Base de données illisible" in s and "site publié gardé" in s for s in said)
    assert sum(s.startswith("Site publié") for s in said) == 3

    # an export that refuses (database unreadable while exporting) keeps the site too
    said.clear()

    def refuse(folder: Path):
        raise SourcesUnavailable("Registre des progrès illisible (OperationalError).")

    stop = threading.Event()
    ticks = iter(range(100))

    def fp():
        if next(ticks) >= 3:
            stop.set()
        return {"n": 4}

    assert follow(link, refuse, fp, interval_s=0.01, stop=stop, say=said.append) == 0
    assert (link / "index.html").read_text() == "v3"
    assert said and all("Site publié gardé" in s for s in said)


def test_the_database_fingerprint_follows_figures_and_approvals(tmp_path):
    from tests.check_support import approve_gembloux_change
    from tzcld.ledger import ObservationInput, open_store
    from tzcld.ledger.permissions import Account
    from tzcld.perimeters.store import perimeter_store_for

    store = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}", demo=False)
    perimeters = perimeter_store_for(store)
    perimeters.versions()  # the perimeter tables exist
    before = database_fingerprint(store.engine)
    assert database_fingerprint(store.engine) == before  # reading changes nothing
    store.record(
        Account("admin", "admin"),
        [
            ObservationInput(
                "liege", "hired", 12, "persons", "2026-05-01", source_title="Rapport", source_url="https://x.be"
            )
        ],
    )
    after_figure = database_fingerprint(store.engine)
    assert after_figure["observations"][0] == before["observations"][0] + 1
    approve_gembloux_change(perimeters)
    after_approval = database_fingerprint(store.engine)
    assert after_approval["perimeter_versions"] != after_figure["perimeter_versions"]
    assert after_approval["perimeter_versions"][2] == 1  # one decision
    store.dispose()


def _run(*args: str, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tzcld", "export-site", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=timeout,
    )


def test_cli_atomic_publish_keeps_the_site_when_the_database_is_unreadable(tmp_path):
    env = dict(os.environ, TZCLD_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}")
    env.pop("TZCLD_PUBLISH_DIR", None)
    link = tmp_path / "public" / "site"
    done = _run(str(link), "--atomic", env=env)
    assert done.returncode == 0, done.stderr
    assert "Site publié d'un coup" in done.stdout and link.is_symlink()
    assert (link / "index.html").is_file() and (link / "data" / "datapackage.json").is_file()
    first = current_version(link)
    # the database is now unreachable: the published site is kept, the command says so
    bad = dict(env, TZCLD_DATABASE_URL="postgresql://nobody@127.0.0.1:9/none?connect_timeout=2")
    done = _run(str(link), "--atomic", env=bad)
    assert done.returncode == 1 and "est gardé" in done.stderr and "Traceback" not in done.stderr
    assert current_version(link) == first
    # without OUT: the publish path setting
    done = _run(env=dict(env, TZCLD_PUBLISH_DIR=str(link)))
    assert done.returncode == 0, done.stderr
    assert current_version(link) != first and len(published_versions(link)) == 2
    done = _run(env=env)
    assert done.returncode == 2 and "TZCLD_PUBLISH_DIR" in done.stderr


def test_cli_follow_republishes_after_a_ledger_change(tmp_path):
    from tzcld.ledger import ObservationInput, open_store
    from tzcld.ledger.permissions import Account

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = dict(os.environ, TZCLD_DATABASE_URL=url, PYTHONUNBUFFERED="1")
    link = tmp_path / "site"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tzcld", "export-site", str(link), "--follow", "--interval", "1"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while current_version(link) is None and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        first = current_version(link)
        assert first is not None
        before = json.loads((link / "release.json").read_text())["database"]
        store = open_store(url, demo=False)
        store.record(
            Account("admin", "admin"),
            [
                ObservationInput(
                    "gembloux", "hired", 7, "persons", "2026-05-01", source_title="Rapport", source_url="https://x.be"
                )
            ],
        )
        store.dispose()
        while current_version(link) == first and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert current_version(link) != first
        after = json.loads((link / "release.json").read_text())["database"]
        assert after["observations"][0] == before["observations"][0] + 1
        assert "7" in (link / "data" / "registre-progres.csv").read_text(encoding="utf-8")
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Publication suivie arrêtée" in err and "Traceback" not in err
