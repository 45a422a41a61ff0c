"""The content version that invalidates cached pages."""

from __future__ import annotations

import importlib

from django.core.cache import cache

from citystrat.plans import cache as plan_cache


def test_bump_gives_a_new_version_and_a_cleared_cache_never_an_old_one() -> None:
    first = plan_cache.version()
    assert plan_cache.version() == first
    plan_cache.bump()
    second = plan_cache.version()
    assert second != first
    cache.clear()
    # A read of the shared stamps (what signed-in requests do, and every process once its
    # held copy is CITYSTRAT_STAMP_TTL seconds old) never gives an old version back.
    with plan_cache.fresh_stamps():
        third = plan_cache.version()
    assert third not in {first, second}
    plan_cache.forget_held()
    assert plan_cache.version() == third


def test_the_served_settings_share_the_cache_between_processes() -> None:
    """gunicorn runs several workers: a per-process cache would serve stale pages."""
    for name in ("base", "production"):
        settings = importlib.import_module(f"citystrat.config.settings.{name}")
        backend = settings.CACHES["default"]["BACKEND"]
        assert "locmem" not in backend.lower(), (name, backend)
