"""Benchmark of the HTTP API (run by hand: ``.venv/bin/python bench/bench_api.py``).

Starts ``python -m tzcld serve-api`` on 127.0.0.1 (rate limit off, the session's address
index), waits until the index is loaded, then for each number N of concurrent clients
sends single checks (``POST /v1/check``) for a fixed time: half register addresses typed as
people type them, half WGS84 points. Each client keeps one HTTP/1.1 connection.

Prints, per N: requests per second, median and p95 latency, errors, and the CPU time the
server process used (user + system, from ``/proc``) per request; the client side's CPU
(this process, which shares the same 2 cores) and the machine's load average before and
after, so that the noise of a shared machine is visible. Baseline in the same run: the same
checks in-process, one thread, through :class:`tzcld.check.Checker` (no HTTP, no JSON) —
the ceiling of one core.

Every request goes to 127.0.0.1 only; the loops are bounded in time and count.
Options: ``--clients 1,4,16`` ``--seconds 8`` ``--port 8551`` (default: a free one).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_REQUESTS_PER_CLIENT = 200_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children still running (Linux ``/proc``)."""
    total = 0.0
    for p in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out + [g for c in out for g in children(c)]


def payloads(n: int, seed: int = 7) -> list[bytes]:
    """Half addresses from the register (typed three ways), half points over the territories."""
    from tzcld.geocode.normalize import fold
    from tzcld.runtime import Settings

    rng = np.random.default_rng(seed)
    icar = pd.read_parquet(
        Settings.from_env().raw_dir / "icar_addresses_wallonia_2019.parquet",
        columns=["street", "housenumber", "postcode", "municipality"],
    )
    rows = icar.sample(n // 2, random_state=seed)
    out = []
    for i, r in enumerate(rows.itertuples(index=False)):
        text = [
            f"{r.street} {r.housenumber}, {r.postcode} {r.municipality}",
            fold(f"{r.street} {r.housenumber} {r.postcode} {r.municipality}"),
            f"{r.postcode} {r.municipality}, {r.street} {r.housenumber}",
        ][i % 3]
        out.append(json.dumps({"address": text}).encode())
    lat = rng.uniform(49.6, 50.8, n - len(out))
    lon = rng.uniform(3.5, 6.0, n - len(out))
    out += [json.dumps({"lat": round(a, 6), "lon": round(b, 6)}).encode() for a, b in zip(lat, lon, strict=True)]
    rng.shuffle(out)
    return out


def client(port: int, bodies: list[bytes], stop_at: float, latencies: list[float], errors: list[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    i = 0
    try:
        while time.perf_counter() < stop_at and i < MAX_REQUESTS_PER_CLIENT:
            body = bodies[i % len(bodies)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/v1/check", body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            latencies.append(time.perf_counter() - t0)
            if not ok:
                errors.append(1)
    finally:
        conn.close()


def run_level(port: int, pid: int, n: int, seconds: float, bodies: list[bytes]) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    load_before = os.getloadavg()[0]
    server_cpu0, client_cpu0 = cpu_seconds(pid), time.process_time()
    start = time.perf_counter()
    stop_at = start + seconds
    threads = [
        threading.Thread(target=client, args=(port, bodies[k::n] or bodies, stop_at, latencies, errors))
        for k in range(n)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - start
    server_cpu = cpu_seconds(pid) - server_cpu0
    client_cpu = time.process_time() - client_cpu0
    count = len(latencies)
    ordered = sorted(latencies)
    return {
        "clients": n,
        "requests": count,
        "rps": count / elapsed,
        "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p95_ms": ordered[int(0.95 * (count - 1))] * 1000 if ordered else float("nan"),
        "errors": len(errors),
        "server_cpu_ms_per_request": server_cpu / max(count, 1) * 1000,
        "server_cpu_share": server_cpu / elapsed,
        "client_cpu_share": client_cpu / elapsed,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def in_process_baseline(bodies: list[bytes], index: str, seconds: float) -> tuple[float, float, float]:
    """Checks per second, median ms and CPU ms per check of the same requests, in-process, one thread."""
    from tzcld.check import Checker
    from tzcld.eligibility import default_classifier
    from tzcld.geocode.register import default_geocoder

    checker = Checker(default_classifier(), default_geocoder(index))
    reqs = [json.loads(b) for b in bodies]
    for r in reqs[:50]:  # the same warm-up as the server's
        checker.check_text(r["address"]) if "address" in r else checker.check_latlon(r["lat"], r["lon"])
    times = []
    cpu0 = time.thread_time()
    stop_at = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < stop_at and i < 100_000:
        r = reqs[i % len(reqs)]
        i += 1
        t0 = time.perf_counter()
        if "address" in r:
            checker.check_text(r["address"])
        else:
            checker.check_latlon(r["lat"], r["lon"])
        times.append(time.perf_counter() - t0)
    cpu = time.thread_time() - cpu0
    return len(times) / sum(times), statistics.median(times) * 1000, cpu / max(len(times), 1) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    levels = [int(x) for x in args.clients.split(",") if x.strip()]
    index = os.environ.get("TZCLD_ADDRESS_INDEX") or str(ROOT / "data" / "address_index")
    data = tempfile.mkdtemp(prefix="tzcld-bench-api-")
    env = {**os.environ, "TZCLD_DATA_DIR": data, "TZCLD_ADDRESS_INDEX": index, "TZCLD_API_RATE_LIMIT": "0"}
    env.pop("TZCLD_DATABASE_URL", None)
    port = args.port or free_port()
    log = open(Path(data) / "api.log", "wb")  # noqa: SIM115 - closed below
    cmd = [sys.executable, "-m", "tzcld", "serve-api", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"serve-api did not start:\n{(Path(data) / 'api.log').read_text()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/health")
                health = json.loads(conn.getresponse().read())
                conn.close()
                if health["address_index"] in ("ready", "unavailable"):
                    break
            except OSError:
                pass
            time.sleep(0.3)
        if health["address_index"] != "ready":
            raise SystemExit("the address index is unavailable: build it with python -m tzcld address-index build")
        bodies = payloads(4000)
        for b in bodies[:50]:  # warm up (classifier, caches)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("POST", "/v1/check", body=b, headers={"Content-Type": "application/json"})
            conn.getresponse().read()
            conn.close()
        base = in_process_baseline(bodies, index, min(args.seconds, 5.0))
        print(
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, data {health['data_version']}"
        )
        print(
            f"{'clients':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} {'srv CPU ms/req':>14} {'srv CPU':>7} {'client CPU':>10} {'load':>11}"
        )
        for n in levels:
            r = run_level(port, proc.pid, n, args.seconds, bodies)
            print(
                f"{r['clients']:>7} {r['rps']:>8.0f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} {r['errors']:>6}"
                f" {r['server_cpu_ms_per_request']:>14.2f} {r['server_cpu_share']:>6.0%} {r['client_cpu_share']:>10.0%}"
                f" {r['load_before']:>5.1f}→{r['load_after']:<5.1f}"
            )
        print(
            f"baseline in-process Checker, 1 thread (run first, server idle): {base[0]:.0f} checks/s, "
            f"median {base[1]:.2f} ms, CPU {base[2]:.2f} ms/check"
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
