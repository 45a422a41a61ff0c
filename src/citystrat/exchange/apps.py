from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "citystrat.exchange"
    label = "exchange"
    verbose_name = _("Imports and exports")

    def ready(self) -> None:
        from citystrat.safecells import install_openpyxl_guard

        install_openpyxl_guard()
        from citystrat.jobs.services import runner_register

        from .job_services import backup_job_run, import_job_run

        runner_register("import", import_job_run)
        runner_register("backup", backup_job_run)
