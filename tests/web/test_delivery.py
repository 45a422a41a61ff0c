"""How pages and static files travel: compressed pages, hashed static files cached long."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.module_loading import import_string

from citystrat.config.settings import base

# Reaches the database through a subprocess or the connection itself: runs on PostgreSQL too.
pytestmark = pytest.mark.reaches_database


def test_pages_go_out_gzip_compressed_when_the_client_accepts_it(client, builtin_plan):
    plain = client.get("/en/indicators/M1-1/")
    assert plain.status_code == 200 and "Content-Encoding" not in plain
    packed = client.get("/en/indicators/M1-1/", headers={"accept-encoding": "gzip, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 3


def test_static_files_get_hashed_names_and_a_far_future_cache(
    tmp_path: Path, settings, monkeypatch
) -> None:
    # Production keeps whitenoise's manifest storage (compressed copies too).
    backend = import_string(base.STORAGES["staticfiles"]["BACKEND"])
    assert issubclass(backend, ManifestFilesMixin)
    # The same storage, without the brotli/gzip copies (they take a while to make).
    monkeypatch.setattr(backend, "compress_files", lambda self, names: iter(()))
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": base.STORAGES["staticfiles"]}
    call_command("collectstatic", interactive=False, verbosity=0)
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = paths["web/site.css"]
    assert hashed != "web/site.css" and hashed.startswith("web/site.")
    from whitenoise.middleware import WhiteNoiseMiddleware

    middleware = WhiteNoiseMiddleware(lambda request: HttpResponse(status=404))
    long = middleware(RequestFactory().get(f"/static/{hashed}"))
    assert long.status_code == 200
    max_age = int(long["Cache-Control"].split("max-age=")[1].split(",")[0])
    assert max_age >= 365 * 24 * 3600 and "immutable" in long["Cache-Control"]
    short = middleware(RequestFactory().get("/static/web/site.css"))
    assert short.status_code == 200 and "immutable" not in short["Cache-Control"]
    from django.templatetags.static import static

    assert static("web/site.css") == f"/static/{hashed}"


def test_pages_render_before_static_files_are_collected(tmp_path: Path, settings) -> None:
    settings.STATIC_ROOT = tmp_path  # nothing collected there
    settings.STORAGES = {**settings.STORAGES, "staticfiles": base.STORAGES["staticfiles"]}
    from django.templatetags.static import static

    assert static("web/site.css") == "/static/web/site.css"
