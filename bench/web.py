"""Web benchmark: the public pages against a static file of the same size, same server, same run.

Starts the production set-up (``citystrat serve``: gunicorn, settings.production,
whitenoise for static files) on a free loopback port with a fresh data folder
holding the built-in plan, then loads the headline indicator page and the home
page with 50 concurrent clients, and a static file of exactly the same size
for each.  Prints median and p95 latency and throughput for each, and the
ratio of page throughput to static-file throughput (the figure: how close a
cached dynamic page comes to a file served from memory).

Bounded: a fixed number of requests per target (and a time cap), loopback
only; the server is stopped at the end.  Run: ``.venv/bin/python bench/web.py``.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITYSTRAT = ROOT / ".venv" / "bin" / "citystrat"
HOST = "127.0.0.1"
CLIENTS = 50
REQUESTS = int(os.environ.get("BENCH_WEB_REQUESTS", "3000"))  # per target
TIME_CAP = 25.0  # seconds per target, whatever REQUESTS says
WORKERS = max(2, (os.cpu_count() or 1) + 1)
PAGES = {"indicator": "/en/indicators/M1-1/", "home": "/en/"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def get(port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": HOST, "Accept-Encoding": "identity"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


START_TIMES: list[float] = []  # seconds from `citystrat serve` to its first answer


def server_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="citystrat.config.settings.production",
        CITYSTRAT_INSECURE_HTTP="1",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        CITYSTRAT_DATA_DIR=str(data_dir),
    )
    env.pop("DATABASE_URL", None)  # the embedded SQLite database of the fresh data folder
    return env


@contextmanager
def server(data_dir: Path, port: int) -> Iterator[None]:
    env = server_env(data_dir)
    started = time.monotonic()
    cmd = [str(CITYSTRAT), "serve", "--host", HOST, "--port", str(port)]
    cmd += ["--workers", str(WORKERS)]
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=data_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: gunicorn and its workers stop with it
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise SystemExit(f"the server stopped while starting:\n{err[-3000:]}")
            try:
                if get(port, "/en/", timeout=5)[0] == 200:
                    START_TIMES.append(time.monotonic() - started)
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not answer within 120 s")
            time.sleep(0.3)
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def load(port: int, path: str, size: int) -> dict[str, float]:
    """REQUESTS GETs of ``path`` by CLIENTS threads; latencies in ms, throughput in req/s."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    remaining = [REQUESTS]
    stop_at = time.monotonic() + TIME_CAP

    def client() -> None:
        mine: list[float] = []
        bad = 0
        while True:
            with lock:
                if remaining[0] <= 0 or time.monotonic() > stop_at:
                    break
                remaining[0] -= 1
            start = time.perf_counter()
            try:
                status, body = get(port, path)
                ok = status == 200 and len(body) == size
            except OSError:
                ok = False
            mine.append((time.perf_counter() - start) * 1000)
            bad += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "median_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "rps": len(latencies) / elapsed,
    }


def static_file(static_root: Path, name: str, size: int) -> str:
    """A static HTML file of exactly ``size`` bytes; returns its URL path."""
    folder = static_root / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    head = b"<!DOCTYPE html><title>bench</title><p>"
    filler = (b"citystrat static benchmark file " * (size // 32 + 2))[: size - len(head)]
    (folder / name).write_bytes(head + filler)
    return f"/static/bench/{name}"


def main() -> int:
    if not CITYSTRAT.exists():
        print(f"missing {CITYSTRAT}: run `make setup` first", file=sys.stderr)
        return 1
    data_dir = Path(tempfile.mkdtemp(prefix="citystrat-bench-web-"))
    try:
        port = free_port()
        # Set-up, as `make setup` does it: static files collected (hashed, compressed).
        began = time.monotonic()
        subprocess.run(
            [str(CITYSTRAT), "django", "collectstatic", "--noinput", "-v0"],
            env=server_env(data_dir),
            cwd=data_dir,
            check=True,
        )
        (data_dir / "static" / ".collected").touch()
        collect_s = time.monotonic() - began
        # First start: create the database, load the plan, measure sizes.
        with server(data_dir, port):
            sizes = {name: len(get(port, path)[1]) for name, path in PAGES.items()}
        static_root = data_dir / "static"
        statics = {name: static_file(static_root, f"{name}.html", n) for name, n in sizes.items()}
        port = free_port()
        with server(data_dir, port):  # whitenoise indexes the static files at start-up
            for name, path in PAGES.items():  # warm every worker's page cache
                for _ in range(WORKERS * 10):
                    get(port, path)
                    get(port, statics[name])
            print(f"[load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}]")
            print(
                f"serve start to first response: {START_TIMES[0]:.1f} s (new database), "
                f"{START_TIMES[1]:.1f} s (restart; aim < 3 s); static files collected at "
                f"set-up in {collect_s:.1f} s"
            )
            print(
                f"web: {CLIENTS} concurrent clients, {REQUESTS} requests per target, "
                f"gunicorn with {WORKERS} workers, production settings, SQLite, loopback"
            )
            header = f"{'target':<26}{'bytes':>8}{'median ms':>11}{'p95 ms':>9}{'req/s':>9}"
            print(header)
            results = {}
            for name, path in PAGES.items():
                for label, url in ((f"{name} page", path), (f"{name}-size static", statics[name])):
                    r = load(port, url, sizes[name])
                    results[label] = r
                    line = f"{label:<26}{sizes[name]:>8}{r['median_ms']:>11.1f}"
                    line += f"{r['p95_ms']:>9.1f}{r['rps']:>9.0f}"
                    if r["errors"]:
                        line += f"  ({r['errors']} failed)"
                    print(line)
            for name in PAGES:
                page, static = results[f"{name} page"], results[f"{name}-size static"]
                ratio = page["rps"] / static["rps"]
                print(f"{name} page throughput / same-size static file: {ratio:.2f}")
            failed = sum(int(r["errors"]) for r in results.values())
            return 1 if failed else 0
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
