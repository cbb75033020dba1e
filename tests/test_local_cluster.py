"""The local cluster (issue 16): ``bash deploy/local-cluster.sh --check`` passes; everything it
starts is stopped (after the check, on Ctrl-C, on a failure); a replica stopped mid-run
leaves the other replica's sessions working and new visitors served; PostgreSQL stopped for
a few seconds gives the French fallback, then the pages recover.

Slow (a cluster starts in 10–60 s on a busy machine): about 4 minutes in all, most of it
waiting for the dashboard's own retry delays after the database outage (its cached ledger
read lives 30 s, a failed database is left alone 60 s). No timed assertion: every wait is
bounded and only fails when the expected state never comes."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.check_support import requires_icar


def _run(coro):
    """``asyncio.run(coro)`` in a thread of its own: the session's browser tests (Playwright's
    sync API) may have left an event loop running in this one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


REPO = Path(__file__).resolve().parent.parent
NGINX = Path("/usr/sbin/nginx")

pytestmark = [
    requires_icar,
    pytest.mark.postgres,
    pytest.mark.skipif(not NGINX.exists(), reason="nginx missing: bash tests/setup.sh"),
]


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of the running processes whose command line or environment mention
    ``text`` (a run folder: the services get their data folder there)."""
    found = []
    needle = text.encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
            env = (proc / "environ").read_bytes()
        except OSError:
            continue
        if needle in cmd or needle in env:
            line = cmd.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{proc.name}: {line[:160]}")
    return found


def _cluster_cmd(*args: str) -> list[str]:
    return ["bash", str(REPO / "deploy" / "local-cluster.sh"), *args]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TZCLD_") or k in ("TZCLD_PG_BIN", "TZCLD_RAW_DIR")}
    return {**env, "PYTHONUNBUFFERED": "1"}


def test_check_passes_and_everything_is_stopped(address_index_dir, tmp_path):
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        _cluster_cmd(
            "--check",
            "--visitors",
            "4",
            "--api-clients",
            "2",
            "--api-checks",
            "10",
            "--index",
            str(address_index_dir),
            "--json",
            str(figures),
        ),
        capture_output=True,
        text=True,
        env=_env(),
        cwd=REPO,
        timeout=1200,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-6000:]
    assert "RESULT: PASSED" in done.stdout
    data = json.loads(figures.read_text())
    assert data["passed"] and data["held"] == data["visitors"] == 4 and data["visitor_errors"] == []
    assert data["api_ok"] == 20 and data["checks_per_s"] > 0 and data["median_page_s"] > 0
    names = [name for name, ok, _ in data["smoke"] if ok]
    assert "browser: a file uploaded on Vérifier (XSRF on, through nginx)" in names
    assert "browser: no Content-Security-Policy violation" in names
    run_dir = next(line.split("run folder ")[1].rstrip(")") for line in out.splitlines() if "run folder " in line)
    assert not Path(run_dir).exists()  # removed: nothing failed
    assert _processes_mentioning(run_dir) == []


def test_ctrl_c_and_a_failure_stop_everything_started(address_index_dir):
    # Ctrl-C once the cluster is up
    proc = subprocess.Popen(
        _cluster_cmd("--index", str(address_index_dir)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
        cwd=REPO,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Tableau de bord :"):
                break
        assert any(line.startswith("Tableau de bord :") for line in lines), "".join(lines)
        run_dir = next(line.split("run folder ")[1].strip().rstrip(")") for line in lines if "run folder " in line)
        assert len(_processes_mentioning(run_dir)) >= 5  # PostgreSQL, 2 replicas, the API, the publisher, nginx…
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, rest
    assert "stopped (Ctrl-C)" in rest
    assert _processes_mentioning(run_dir) == [] and not Path(run_dir).exists()

    # a failure half-way (no nginx): what was started is stopped, the logs are kept
    done = subprocess.run(
        _cluster_cmd("--index", str(address_index_dir)),
        capture_output=True,
        text=True,
        env={**_env(), "TZCLD_NGINX_BIN": "/nonexistent/nginx"},
        cwd=REPO,
        timeout=600,
    )
    assert done.returncode == 1 and "nonexistent/nginx not found" in done.stderr
    kept = next(line.split("logs kept in ")[1].strip() for line in done.stdout.splitlines() if "logs kept in" in line)
    assert _processes_mentioning(kept) == []
    assert (Path(kept) / "logs" / "api.log").exists()
    shutil.rmtree(kept, ignore_errors=True)


# ----------------------------------------------------------------------------- one cluster, two outages
@pytest.fixture(scope="module")
def cluster(address_index_dir):
    from deploy.cluster import Cluster
    from deploy.loadcheck import warm_up

    with Cluster(replicas=2, index_dir=address_index_dir, say=lambda m: print(m, file=sys.stderr)) as c:
        _run(warm_up(c))
        yield c


def test_stopping_one_replica_mid_run(cluster):
    from deploy.loadcheck import ADDRESS, EXPECTED_ANSWER, VisitError, Visitor, source_address

    origin = cluster.plan.origin

    async def scenario() -> None:
        # visitors until both replicas have some (the cookie decides, not the address)
        visitors: list[Visitor] = []
        for i in range(40):
            v = Visitor(origin, source=source_address(30, i))
            await v.open()
            await v.run("")
            visitors.append(v)
            where = {cluster.replica_of(x.upstream or "") for x in visitors}
            if where == {"dashboard-1", "dashboard-2"} and len(visitors) >= 4:
                break
        on_1 = [v for v in visitors if cluster.replica_of(v.upstream or "") == "dashboard-1"]
        on_2 = [v for v in visitors if cluster.replica_of(v.upstream or "") == "dashboard-2"]
        assert on_1 and on_2, [v.upstream for v in visitors]
        for v in on_2:  # mid-run: these visitors are on Vérifier, one answer received
            await v.run("verifier")
            assert any(EXPECTED_ANSWER in t for t in await v.check_address(ADDRESS))

        cluster.stop_service("dashboard-2")  # SIGKILL: as a crash

        # the other replica's sessions keep working, on their open websocket
        for v in on_1:
            await v.run("verifier")
            assert any(EXPECTED_ANSWER in t for t in await v.check_address(ADDRESS))
        # the stopped replica's sessions lost their connection; reconnecting (as Streamlit's
        # page does, same cookie) they are served by the other replica
        for v in on_2:
            with pytest.raises(VisitError):
                await v.run("verifier", timeout=30)
            await v.close()
            again = Visitor(origin, source=v.source, cookie=v.cookie)
            await again.open("/verifier")
            await again.run("verifier")
            assert any(EXPECTED_ANSWER in t for t in await again.check_address(ADDRESS))
            assert cluster.replica_of(again.upstream or "") == "dashboard-1"
            await again.close()
        # new visitors are served (those whose cookie points at the stopped replica too)
        for i in range(6):
            fresh = Visitor(origin, source=source_address(31, i))
            await fresh.open()
            assert await fresh.run("")
            await fresh.run("verifier")
            assert any(EXPECTED_ANSWER in t for t in await fresh.check_address(ADDRESS))
            await fresh.close()
        for v in on_1:
            await v.close()

    _run(scenario())
    # the replica comes back (for the next test)
    cluster.start_service("dashboard-2")
    cluster.wait_healthy("dashboard-2")


def test_postgresql_stopped_for_a_few_seconds(cluster):
    from deploy.loadcheck import ADDRESS, Visitor, request, source_address
    from tzcld.i18n import t

    origin = cluster.plan.origin
    fallback = t("home.unavailable", "fr")
    counter = iter(range(10_000))

    async def home_texts() -> list[str]:
        v = Visitor(origin, source=source_address(40, next(counter)))
        await v.open()
        try:
            return await v.run("")
        finally:
            await v.close()

    async def wait_for(want_fallback: bool, limit_s: float) -> float:
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit_s:
            shown = any(fallback in s for s in await home_texts())
            if shown == want_fallback:
                return time.monotonic() - t0
            await asyncio.sleep(3)
        raise AssertionError(f"{'no fallback' if want_fallback else 'still the fallback'} after {limit_s:.0f} s")

    async def scenario() -> None:
        assert not any(fallback in s for s in await home_texts())
        cluster.stop_postgres("immediate")
        try:
            # the page says, in French, that the ledger is unavailable and shows the published figures
            await wait_for(True, 150)
            texts = await home_texts()
            assert any("Où en est le programme" in s for s in texts)  # the page is drawn, not an error
            # the API goes on checking addresses with the committed perimeters, and says so
            health = json.loads(request(origin, "GET", "/api/health").body)
            assert "unavailable" in str(health["perimeter_database"]), health
            body = json.dumps({"address": ADDRESS}).encode()
            answer = request(origin, "POST", "/api/v1/check", body, {"Content-Type": "application/json"})
            assert answer.status == 200 and json.loads(answer.body)["status"] == "inside"
            await asyncio.sleep(5)
        finally:
            cluster.start_postgres()
        await wait_for(False, 180)  # the dashboard's retry delay (60 s) and cache (30 s)
        t0 = time.monotonic()  # the API tries the database again after 60 s too
        while True:
            health = json.loads(request(origin, "GET", "/api/health").body)
            if health["perimeter_database"] == "ok" or time.monotonic() - t0 > 150:
                break
            await asyncio.sleep(3)
        assert health["perimeter_database"] == "ok", health

    _run(scenario())
