from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresentConfig(AppConfig):
    name = "citystrat.present"
    label = "present"
    verbose_name = _("Presentation")
