from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "citystrat.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from citystrat.jobs.services import runner_register

        from .job_services import report_job_run

        runner_register("report", report_job_run)
