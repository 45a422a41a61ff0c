from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "citystrat.exchange"
    label = "exchange"
    verbose_name = _("Imports and exports")

    def ready(self) -> None:
        from citystrat.safecells import install_openpyxl_guard

        install_openpyxl_guard()
