from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from citystrat.plans.selectors import approved_observations, plan_get, plan_with_tree


def home(request: HttpRequest) -> HttpResponse:
    plan = plan_with_tree(plan_get().pk)
    observations = approved_observations(plan)
    rows = {}
    for indicator in plan.indicators.all():
        obs = observations.get(indicator.pk, [])
        rows[indicator.pk] = obs[-1] if obs else None
    return render(request, "web/home.html", {"plan": plan, "latest": rows})
