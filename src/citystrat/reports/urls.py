from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("download/", views.download, name="download"),
    path("narratives/<int:measure>/<int:year>/", views.narrative_edit, name="narrative"),
    path("narratives/<int:pk>/decide/", views.narrative_decide, name="decide"),
]
