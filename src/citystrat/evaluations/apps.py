from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "citystrat.evaluations"
    label = "evaluations"
    verbose_name = _("Measure evaluations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The plan file's ``evaluation_directions`` section (the 今後の方向性 categories).
        from citystrat.plans import extensions

        from . import planfile_services

        extensions.register(planfile_services.SECTION)
