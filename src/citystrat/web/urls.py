from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("measures/<str:code>/", views.measure, name="measure"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/<str:code>/", views.indicator, name="indicator"),
    path(
        "indicators/<str:code>/data.<str:fmt>",
        views.indicator_data,
        name="indicator-data",
    ),
    path("projects/", views.projects, name="projects"),
    path("projects/<str:code>/", views.project, name="project"),
    path("actions/", views.actions, name="actions"),
    path("actions/<str:code>/", views.action, name="action"),
    path("actions/<str:code>/evidence/<int:pk>/", views.action_evidence, name="action_evidence"),
    path("partners/", views.partners, name="partners"),
    path("partners/<slug:code>/", views.partner, name="partner"),
    path("comparisons/", views.comparisons, name="comparisons"),
    path("methodology/", views.methodology, name="methodology"),
]
