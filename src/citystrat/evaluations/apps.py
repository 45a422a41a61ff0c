from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "citystrat.evaluations"
    label = "evaluations"
    verbose_name = _("Measure evaluations")
    default_auto_field = "django.db.models.BigAutoField"
