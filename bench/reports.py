"""Time of the full mid-term review PDF of the built-in plan (aim: under 15 s).

In a fresh SQLite database (a temporary data folder) with the built-in
Kumamoto plan loaded, times, in the same run:

* baseline - a one-page PDF through the same machinery: the report's
  stylesheet and CJK fonts, printed by WeasyPrint (the fixed cost of any PDF);
* cold     - the first full mid-term review PDF in the process: assessments,
  the 13 indicator charts (vl-convert starts its engine), HTML, layout, fonts;
* warm     - the same report again (median of ``--repeat`` runs): what a
  server that has made this report before pays (its charts are kept per
  process, the rest is made again).

Prints seconds, pages, bytes, the ratios to the baseline (which stay steady
when the machine is busy, unlike the seconds) and the load average.

    .venv/bin/python bench/reports.py [--lang ja] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

AIM_SECONDS = 15.0


def _setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    os.environ["CITYSTRAT_DATA_DIR"] = tempfile.mkdtemp(prefix="citystrat-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citystrat.config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _pages(pdf: bytes) -> str:
    """Page count by poppler's pdfinfo ("?" when poppler-utils is missing)."""
    import re
    import shutil
    import subprocess

    if shutil.which("pdfinfo") is None:
        return "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True).stdout
    found = re.search(r"Pages:\s+(\d+)", out)
    return found.group(1) if found else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="ja", choices=["ja", "ko", "en"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    _setup()

    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    from citystrat.plans.services import plan_load_file
    from citystrat.reports.render import make_report

    plan = plan_load_file(path=settings.CITYSTRAT_BUILTIN_PLAN, channel="system")
    as_of = date(2027, 9, 30)

    with translation.override(args.lang):
        css = render_to_string("reports/report.css")
    title = plan.tr("title", args.lang).text
    vision = plan.tr("vision", args.lang).text
    one_page = (
        f'<!DOCTYPE html><html lang="{args.lang}"><head><meta charset="utf-8">'
        f"<style>{css}</style></head><body><section class=cover><p class=city>{title}</p>"
        f"<p class=cover-title>{title}</p><p class=vision>{vision}</p></section></body></html>"
    )
    t = time.perf_counter()
    base_pdf = HTML(string=one_page).write_pdf()
    baseline = time.perf_counter() - t
    assert base_pdf is not None

    def full() -> tuple[float, bytes]:
        start = time.perf_counter()
        data = make_report(plan, kind="midterm", as_of=as_of, lang=args.lang, fmt="pdf")
        return time.perf_counter() - start, data

    cold, pdf = full()
    warm_runs = [full()[0] for _ in range(max(1, args.repeat))]
    warm = statistics.median(warm_runs)

    load = os.getloadavg()[0]
    print(f"mid-term review PDF, built-in plan, as of {as_of}, lang {args.lang}")
    print(f"  machine: {os.cpu_count()} CPUs, load average {load:.1f} (times grow with load)")
    print(f"  baseline one-page PDF : {baseline:6.2f} s  ({_pages(base_pdf)} page)")
    print(
        f"  full report, cold     : {cold:6.2f} s  ({_pages(pdf)} pages, {len(pdf):,} bytes)"
        f"  = {cold / baseline:5.1f} x baseline"
    )
    print(
        f"  full report, warm     : {warm:6.2f} s  (median of {len(warm_runs)})"
        f"  = {warm / baseline:5.1f} x baseline"
    )
    verdict = "within" if cold < AIM_SECONDS else "OVER"
    print(f"  aim: under {AIM_SECONDS:.0f} s -> cold run {verdict} the aim")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
