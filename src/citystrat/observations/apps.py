from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationsConfig(AppConfig):
    name = "citystrat.observations"
    label = "observations"
    verbose_name = _("Observations")

    def ready(self) -> None:
        # Each indicator's ``observations`` in the plan file: checked, loaded and
        # exported with the plan.
        from citystrat.plans import extensions

        from . import planfile

        extensions.register_indicator_section(planfile.SECTION)
