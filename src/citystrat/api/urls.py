"""``/api/v1/``: the REST API, its OpenAPI 3 schema and its documentation page."""

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.views import SpectacularJSONAPIView

from . import activities, views

app_name = "api"
urlpatterns: list[URLPattern | URLResolver] = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    path("plan/", views.PlanTreeView.as_view(), name="plan"),
    path("indicators/", views.IndicatorListView.as_view(), name="indicators"),
    path("indicators/<str:code>/", views.IndicatorDetailView.as_view(), name="indicator"),
    path("observations/", views.ObservationListView.as_view(), name="observations"),
    path("observations/<str:pk>/", views.ObservationDetailView.as_view(), name="observation"),
    path(
        "observations/<str:pk>/submit/",
        views.ObservationSubmitView.as_view(),
        name="observation-submit",
    ),
    path(
        "observations/<str:pk>/approve/",
        views.ObservationApproveView.as_view(),
        name="observation-approve",
    ),
    path(
        "observations/<str:pk>/return/",
        views.ObservationReturnView.as_view(),
        name="observation-return",
    ),
    path("assessments/", views.AssessmentListView.as_view(), name="assessments"),
    path("imports/", views.ImportView.as_view(), name="imports"),
    path("activities/", activities.ActivityListView.as_view(), name="activities"),
    path("activities/compute/", activities.ComputeView.as_view(), name="activities-compute"),
    path("activities/imports/", activities.LedgerImportView.as_view(), name="activities-import"),
    path("activities/<str:pk>/", activities.ActivityDetailView.as_view(), name="activity"),
    path(
        "activities/<str:pk>/approve/",
        activities.ActivityApproveView.as_view(),
        name="activity-approve",
    ),
    path(
        "activities/<str:pk>/return/",
        activities.ActivityReturnView.as_view(),
        name="activity-return",
    ),
]
