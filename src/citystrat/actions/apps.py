from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "citystrat.actions"
    label = "actions"
    verbose_name = _("Actions")

    def ready(self) -> None:
        # The plan file's ``actions`` section: validated, loaded and exported with the plan.
        from citystrat.plans import extensions

        from . import planfile, reminder_services

        extensions.register(planfile.STATUS_SECTION)
        extensions.register(planfile.SECTION)
        extensions.register_reminders("actions", reminder_services.remind_lines)
