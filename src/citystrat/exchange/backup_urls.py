"""``/<lang>/staff/backup/``: administrators make a backup (a background job), then fetch it."""

from django.urls import path

from . import views

app_name = "backup"
urlpatterns = [
    path("", views.backup_page, name="index"),
    path("<uuid:job_id>/file", views.backup_file, name="file"),
]
