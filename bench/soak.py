"""Soak test: the production set-up under steady load, with staff writes and imports running.

Starts gunicorn with production settings (``citystrat serve``) and the job worker on a
loopback port, with a fresh data folder holding the built-in plan (SQLite, or
``--database-url`` for PostgreSQL), then for ``--minutes`` (default 10) runs:

- 50 clients: public pages, data downloads and anonymous API reads, API reads with a
  staff token, and staff writes through the API (each client cycles its own value
  through submit and return, with the audit trail written each time);
- one command-line import running over and over (a dry run of the whole export, as a
  department checks its file), while the clients write.

Reports throughput, median and p95 latency, errors (any 5xx, a broken connection, or an
unexpected status) and the growth of the server's memory (resident set of gunicorn
and its workers) from the end of the warm-up to the end.  Bounded in time (the
minutes, plus at most 2 minutes to start and stop) and in count (at most
``--max-requests``); loopback only; it stops the server by itself.  Not part of
``make test``.  Run: ``.venv/bin/python bench/soak.py [--minutes 10]``.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CITYSTRAT = BIN / "citystrat"
HOST = "127.0.0.1"
PORTS = range(8260, 8270)
PASSWORD = "soak-test-Passw0rd-" + "x" * 8
PUBLIC = [
    "/en/",
    "/ja/",
    "/en/indicators/M1-1/",
    "/ja/indicators/M2-2/",
    "/en/projects/",
    "/en/methodology/",
    "/en/indicators/M1-1/data.csv",
    "/api/v1/indicators/",
    "/api/v1/observations/?limit=50",
]
STAFF_READS = ["/api/v1/observations/?status=submitted", "/api/v1/assessments/"]


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8260-8269")


def environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="citystrat.config.settings.production",
        CITYSTRAT_INSECURE_HTTP="1",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECRET_KEY="soak-only-not-a-secret-" + "x" * 40,
        CITYSTRAT_DATA_DIR=str(data_dir),
        CITYSTRAT_LOG_FORMAT="json",
        CITYSTRAT_LOG_LEVEL="ERROR",
        SOAK_PASSWORD=PASSWORD,
    )
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(CITYSTRAT), *args], env=env, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise SystemExit(f"citystrat {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def request(
    port: int, method: str, path: str, *, token: str = "", body: Any = None, timeout: float = 60
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"Host": HOST, "Accept-Encoding": "identity", "Accept-Language": "en"}
    data = None
    if token:
        headers["Authorization"] = f"Token {token}"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (gunicorn and its workers)."""
    total = 0
    pids = [pid]
    seen: set[int] = set()
    while pids:
        p = pids.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        pids.extend(int(c) for c in children)
    return total


@contextmanager
def process(env: dict[str, str], *args: str, cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [str(CITYSTRAT), *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: it and its children stop together
    )
    try:
        yield proc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_until_up(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server stopped while starting")
        try:
            if request(port, "GET", "/en/", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not answer within 120 s")


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {"read": [], "staff": [], "write": []}
        self.errors: Counter[str] = Counter()
        self.conflicts = 0
        self.count = 0

    def add(self, kind: str, ms: float, error: str | None = None, conflict: bool = False) -> None:
        with self.lock:
            self.latencies[kind].append(ms)
            self.count += 1
            if error:
                self.errors[error] += 1
            if conflict:
                self.conflicts += 1


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) + 1))
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    parser.add_argument("--database-url", help="PostgreSQL (an empty database); default SQLite")
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds before memory base")
    options = parser.parse_args()
    duration = options.minutes * 60

    data_dir = Path(tempfile.mkdtemp(prefix="citystrat-soak-"))
    try:
        env = environment(data_dir, options.database_url)
        port = free_port()
        print(f"setting up in {data_dir} (port {port}) ...", flush=True)
        run(env, "user", "add", "--username", "soak", "--role", "coordinator",
            "--password-from-env", "SOAK_PASSWORD")  # fmt: skip
        token = run(env, "django", "drf_create_token", "soak").split()[2]
        indicators = json.loads(run(env, "plan", "show", "--json"))["indicators"]
        slots = [
            (ind["code"], period)
            for ind in indicators
            for period in ("2019", "2020", "2021")
            if not ind["code"].startswith("C")
        ][: options.clients]
        # The import checks every approved value except the ones the clients are editing
        # (those would be refused, rightly, as "already in review").
        full = data_dir / "full.csv"
        run(env, "export", "--format", "csv", "-o", str(full))
        export = data_dir / "export.csv"
        taken = {code for code, _period in slots}
        with full.open(encoding="utf-8") as src, export.open("w", encoding="utf-8") as out:
            reader = csv.DictReader(src)
            writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
            writer.writeheader()
            writer.writerows(row for row in reader if row["indicator"] not in taken)
        with (
            process(
                env,
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
                "--workers",
                str(options.workers),
                cwd=data_dir,
            ) as server,  # fmt: skip
            process(env, "worker", cwd=data_dir),
        ):
            wait_until_up(port, server)
            stats = Stats()
            stop_at = time.monotonic() + duration
            base: list[int] = []
            imports = Counter[str]()

            def budget() -> bool:
                return time.monotonic() < stop_at and stats.count < options.max_requests

            def client(number: int) -> None:
                rng = random.Random(number)
                mine: int | None = None
                slot = slots[number % len(slots)] if slots else None
                while budget():
                    roll = rng.random()
                    kind, method, path, body = "read", "GET", rng.choice(PUBLIC), None
                    auth = ""
                    expected = {200}
                    if roll > 0.9 and slot is not None:
                        kind, auth = "write", token
                        if mine is None:
                            method, path = "POST", "/api/v1/observations/"
                            body = {"indicator": slot[0], "period": slot[1], "value": "1",
                                    "source": f"soak client {number}"}  # fmt: skip
                            expected = {201}
                        else:
                            state = rng.choice(["submit", "return"])
                            method, path = "POST", f"/api/v1/observations/{mine}/{state}/"
                            body = {"reason": "soak"} if state == "return" else {}
                            expected = {200}
                    elif roll > 0.8:
                        kind, auth, path = "staff", token, rng.choice(STAFF_READS)
                    start = time.perf_counter()
                    error = None
                    conflict = False
                    try:
                        status, content = request(port, method, path, token=auth, body=body)
                        if status >= 500:
                            error = f"{status} {method} {path.split('?')[0]}"
                        elif status in (400, 409) and kind == "write":
                            conflict = True  # the workflow said no (state, four eyes, a race)
                            if mine is None and status == 400:
                                slot = None  # this period is taken: read only from now on
                        elif status not in expected:
                            error = f"{status} {method} {path.split('?')[0]}"
                        elif kind == "write" and mine is None:
                            mine = int(json.loads(content)["id"])
                    except OSError as exc:
                        error = f"connection: {type(exc).__name__}"
                    stats.add(kind, (time.perf_counter() - start) * 1000, error, conflict)

            def importer() -> None:
                while budget():
                    done = subprocess.run(
                        [str(CITYSTRAT), "import", str(export), "--dry-run", "--no-progress"],
                        env=env, capture_output=True, text=True, timeout=300,
                    )  # fmt: skip
                    imports["ok" if done.returncode == 0 else "failed"] += 1
                    if done.returncode != 0:
                        stats.add("write", 0.0, "import: " + done.stderr.strip()[-200:])

            def sampler() -> None:
                deadline = time.monotonic() + options.warmup
                while budget() and time.monotonic() < deadline:
                    time.sleep(0.5)
                base.append(rss_kib(server.pid))

            threads = [threading.Thread(target=client, args=(n,)) for n in range(options.clients)]
            threads += [threading.Thread(target=importer), threading.Thread(target=sampler)]
            began = time.perf_counter()
            print(f"running {options.clients} clients for {options.minutes:g} min ...", flush=True)
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - began
            end_rss = rss_kib(server.pid)
        start_rss = base[0] if base else end_rss
        everything = [v for values in stats.latencies.values() for v in values]
        growth = (end_rss - start_rss) / start_rss * 100 if start_rss else 0.0
        report = {
            "minutes": round(elapsed / 60, 2),
            "clients": options.clients,
            "database": "postgresql" if options.database_url else "sqlite",
            "requests": stats.count,
            "throughput_rps": round(stats.count / elapsed, 1),
            "median_ms": round(statistics.median(everything), 1) if everything else None,
            "p95_ms": round(p95(everything), 1),
            "p95_ms_by_kind": {k: round(p95(v), 1) for k, v in stats.latencies.items()},
            "requests_by_kind": {k: len(v) for k, v in stats.latencies.items()},
            "errors": sum(stats.errors.values()),
            "error_kinds": dict(stats.errors.most_common(10)),
            "workflow_refusals": stats.conflicts,
            "imports": dict(imports),
            "memory_start_mib": round(start_rss / 1024, 1),
            "memory_end_mib": round(end_rss / 1024, 1),
            "memory_growth_percent": round(growth, 1),
        }
        print(json.dumps(report, indent=2))
        ok = report["errors"] == 0 and growth < 10
        print("PASS" if ok else "FAIL", "(0 errors and memory growth under 10 % expected)")
        return 0 if ok else 1
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
