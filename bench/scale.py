"""Public pages of a large plan: 1,000 indicators with 20 approved values each.

Builds the plan in a fresh SQLite data folder (through ``plan_load``, as
``citystrat plan load`` does), then, in the same process, through Django's
test client (no HTTP server: the figure is the page's own cost):

* the home page and an indicator page, uncached (page cache, plan tree and
  assessments forgotten before each request), with their query counts;
* the indicator page again in the same content version, page cache emptied
  (plan tree and assessments memoised);
* a value approved through the services, then the indicator page viewed
  (the approval bumps the content version: nothing is reused);
* a cached hit of the same page, the anchor of this run.

Prints each figure in ms, its ratio to the cached hit, the aims, and the load
average.  Run: ``PYTHONPATH=src .venv/bin/python bench/scale.py [--indicators N]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

VALUES = 20


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def document(n: int) -> dict[str, Any]:
    policies = []
    indicators = []
    per_measure = 20
    measures = max(1, n // per_measure)
    for p in range(max(1, measures // 10)):
        policies.append({"code": f"P{p}", "title": {"en": f"Policy {p}"}, "measures": []})
    for m in range(measures):
        policy = policies[m % len(policies)]
        policy["measures"].append({"code": f"{m}", "title": {"en": f"Measure {m}"}})
    for i in range(n):
        base = 100.0 + i % 50
        indicators.append(
            {
                "code": f"X-{i}",
                "name": {"en": f"Indicator {i}"},
                "unit": {"en": "persons"},
                "direction": "increase" if i % 3 else "decrease",
                "period_kind": "fiscal_year",
                "value_kind": "level",
                "measure": f"{i % measures}",
                "headline": i % 100 == 0,
                "baseline": {"period": "FY2002", "value": base},
                "targets": [
                    {"period": "FY2027", "value": base * 1.5},
                    {"period": "FY2031", "value": base * 2},
                ],
                "observations": [
                    {
                        "period": f"FY{2003 + k}",
                        "value": round(base * (1 + 0.02 * k + 0.01 * ((i + k) % 5)), 1),
                        "source": {"en": "Bench statistics"},
                    }
                    for k in range(VALUES)
                ],
            }
        )
    return {
        "format": "citystrat-plan/1",
        "plan": {
            "code": "bench-large",
            "languages": ["en", "ja"],
            "default_language": "en",
            "title": {"en": "A large plan"},
            "period": {"start": "2024-04-01", "end": "2032-03-31"},
        },
        "departments": [{"code": "stats", "name": {"en": "Statistics"}}],
        "policies": policies,
        "indicators": indicators,
    }


CPU: dict[str, float] = {}  # label -> median CPU ms of the last timed() (busy machines)


def timed(fn: Callable[[], Any], repeat: int = 3, label: str = "") -> tuple[float, Any]:
    times, cpu, out = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[label] = statistics.median(cpu) * 1000
    return statistics.median(times) * 1000, out


def main() -> int:
    parser = argparse.ArgumentParser(description="pages of a 1,000-indicator plan")
    parser.add_argument("--indicators", type=int, default=1000)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="citystrat-bench-scale-")
    os.environ["CITYSTRAT_DATA_DIR"] = data
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "citystrat.config.settings.base"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    # Comparable with earlier runs: the view after an approval draws its page itself.
    os.environ.setdefault("CITYSTRAT_REWARM", "off")
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.cache import cache
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment

        from citystrat.accounts.services import user_create
        from citystrat.monitoring import assessments
        from citystrat.observations.services import (
            observation_approve,
            observation_save_draft,
            observation_submit,
        )
        from citystrat.periods import parse_period
        from citystrat.plans.models import Indicator
        from citystrat.plans.services import plan_load

        setup_test_environment()
        settings.ALLOWED_HOSTS = ["testserver"]
        call_command("migrate", interactive=False, verbosity=0)
        print(f"[{load()}]")
        began = time.perf_counter()
        plan_load(document=document(args.indicators), filename="bench.yaml", channel="system")
        print(
            f"plan of {args.indicators:,} indicators x {VALUES} values loaded "
            f"in {time.perf_counter() - began:.1f} s"
        )
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        page = "/en/indicators/X-7/"

        def cold(path: str) -> Callable[[], int]:
            def run() -> int:
                cache.clear()
                assessments.clear_memo()
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(path).status_code == 200
                return len(queries.captured_queries)

            return run

        others = iter(f"/en/indicators/X-{i}/" for i in range(8, 100))

        def same_version() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(next(others)).status_code == 200  # not cached yet
            return len(queries.captured_queries)

        client.get("/en/")  # imports, first chart drawing outside the timings
        home_ms, home_q = timed(cold("/en/"), label="home")
        ind_ms, ind_q = timed(cold(page), label="ind")
        memo_ms, memo_q = timed(same_version, label="memo")
        client.get(page)
        hit_ms, _ = timed(lambda: client.get(page), repeat=20, label="hit")

        editor = user_create(username="coord", role="coordinator")
        reviewer = user_create(username="rev", role="reviewer")
        indicator = Indicator.objects.get(code="X-7")
        years = iter(range(2023, 2027))  # after the loaded values, already started

        def approve_and_view() -> int:
            draft = observation_save_draft(
                actor=editor,
                indicator=indicator,
                period=parse_period(f"FY{next(years)}", "fiscal_year"),
                value=Decimal(170),
                source="Bench statistics",
            )
            submitted = observation_submit(actor=editor, observation=draft)
            observation_approve(actor=reviewer, observation=submitted)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page).status_code == 200
            return len(queries.captured_queries)

        approve_ms, approve_q = timed(approve_and_view, label="approve")
        print(f"{'figure':<52}{'ms':>9}{'CPU ms':>9}{'queries':>9}{'/ hit':>9}")
        rows = [
            ("home page, uncached (aim < 300 ms)", home_ms, "home", home_q),
            ("indicator page, uncached (aim < 300 ms)", ind_ms, "ind", ind_q),
            ("indicator page, same version, page not cached", memo_ms, "memo", memo_q),
            ("approval + indicator page view (aim < 1000 ms)", approve_ms, "approve", approve_q),
            ("indicator page, cached hit (anchor)", hit_ms, "hit", 0),
        ]
        for label, ms, key, queries in rows:
            print(f"{label:<52}{ms:>9.1f}{CPU[key]:>9.1f}{queries:>9}{ms / hit_ms:>9.0f}x")
        print(f"[{load()}]")
        return 0
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
