"""Work done in separate processes by test_races (spawned: nothing here touches Django
before each function has set up its own settings)."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from django.db import connections


def _django(data_dir: str, timeout: str = "20") -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "citystrat.config.settings.base"
    os.environ["CITYSTRAT_DATA_DIR"] = data_dir
    os.environ["CITYSTRAT_SQLITE_TIMEOUT"] = timeout
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def _setup(data_dir: str, out: Any) -> None:
    """Create the database, a coordinator and one draft value (M2-2, FY2022)."""
    _django(data_dir)
    from citystrat.accounts.services import user_create
    from citystrat.bootstrap import ensure_ready
    from citystrat.observations.services import observation_save_draft
    from citystrat.plans.models import Indicator

    ensure_ready()
    user = user_create(username="coord", role="coordinator", password="a-long-Passw0rd!")
    indicator = Indicator.objects.get(code="M2-2")
    from citystrat.exchange.normalize import period_token, resolve_period

    period = resolve_period(period_token("FY2022"), indicator.period_kind, 4)
    obs = observation_save_draft(
        actor=user, indicator=indicator, period=period, value=Decimal(1), source="a"
    )
    out.put(obs.pk)


def _editor(data_dir: str, obs_id: int, rounds: int, barrier: Any, out: Any) -> None:
    """Save the same draft ``rounds`` times, each round at the same moment as the other."""
    _django(data_dir)
    from django.contrib.auth import get_user_model

    from citystrat.observations.models import Observation
    from citystrat.observations.services import observation_save_draft
    from citystrat.review.errors import ConflictError

    user = get_user_model().objects.get(username="coord")
    outcomes = []
    for n in range(rounds):
        obs = Observation.objects.select_related("indicator__plan").get(pk=obs_id)
        barrier.wait()
        try:
            observation_save_draft(
                actor=user,
                indicator=obs.indicator,
                period=obs.period,
                value=Decimal(n + 2),
                source="b",
                observation=obs,
                expected_version=obs.version,
            )
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("stale")
        except Exception as exc:
            from citystrat.observations.dbtrouble import classify

            outcomes.append(f"{classify(exc)}: {type(exc).__name__}: {exc}")
        finally:
            connections.close_all()
    out.put(outcomes)


def _holder(data_dir: str, barrier: Any, release: Any, out: Any) -> None:
    """A long import: holds the write transaction until told to let go."""
    _django(data_dir)
    from django.db import transaction

    from citystrat.observations.models import Observation

    with transaction.atomic():
        Observation.objects.filter(indicator__code="M2-2").update(note={"ja": "importing"})
        barrier.wait()
        release.wait(60)
    out.put("committed")


def _writer(data_dir: str, obs_id: int, barrier: Any, out: Any) -> None:
    _django(data_dir, timeout="1")
    from django.contrib.auth import get_user_model

    from citystrat.observations.models import Observation
    from citystrat.observations.services import observation_save_draft

    user = get_user_model().objects.get(username="coord")
    obs = Observation.objects.select_related("indicator__plan").get(pk=obs_id)
    barrier.wait()
    try:
        observation_save_draft(
            actor=user,
            indicator=obs.indicator,
            period=obs.period,
            value=Decimal(7),
            source="c",
            observation=obs,
        )
        out.put("saved")
    except Exception as exc:
        from citystrat.observations.dbtrouble import classify

        out.put(f"{classify(exc)}")
