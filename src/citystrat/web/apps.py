from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "citystrat.web"
    label = "web"
    verbose_name = _("Public dashboard")

    def ready(self) -> None:
        from citystrat.plans import cache as plan_cache

        from . import rewarm

        plan_cache.on_bump(rewarm.after_bump)  # approved: draw the most visited pages again
