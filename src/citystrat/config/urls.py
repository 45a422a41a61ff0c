"""URLs.  Public and staff pages carry a language prefix (/ja/, /ko/, /en/); the API does not."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("citystrat.api.urls")),
]
urlpatterns += i18n_patterns(
    path("staff/reports/", include("citystrat.reports.urls")),
    path("staff/import/", include("citystrat.exchange.urls")),
    path("staff/jobs/", include("citystrat.jobs.urls")),
    path("staff/backup/", include("citystrat.exchange.backup_urls")),
    path("staff/", include("citystrat.staff.urls")),
    path("", include("citystrat.web.urls")),
    prefix_default_language=True,
)
