"""``/api/v1/``: the REST API, its OpenAPI 3 schema and its documentation page."""

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.views import SpectacularJSONAPIView

from . import action_views, activities, views

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
    path("jobs/<str:pk>/", views.JobDetailView.as_view(), name="job"),
    path("actions/", action_views.ActionListView.as_view(), name="actions"),
    path("actions/<str:code>/", action_views.ActionDetailView.as_view(), name="action"),
    path("action-updates/", action_views.ActionUpdateListView.as_view(), name="action-updates"),
    path(
        "action-updates/import/",
        action_views.ActionUpdateImportView.as_view(),
        name="action-updates-import",
    ),
    path(
        "action-updates/<str:pk>/",
        action_views.ActionUpdateDetailView.as_view(),
        name="action-update",
    ),
    path(
        "action-updates/<str:pk>/submit/",
        action_views.ActionUpdateSubmitView.as_view(),
        name="action-update-submit",
    ),
    path(
        "action-updates/<str:pk>/approve/",
        action_views.ActionUpdateApproveView.as_view(),
        name="action-update-approve",
    ),
    path(
        "action-updates/<str:pk>/return/",
        action_views.ActionUpdateReturnView.as_view(),
        name="action-update-return",
    ),
    path("activities/", activities.ActivityListView.as_view(), name="activities"),
    path("activities/compute/", activities.ComputeView.as_view(), name="activities-compute"),
    path("activities/imports/", activities.LedgerImportView.as_view(), name="activities-import"),
    path("activities/<str:pk>/", activities.ActivityDetailView.as_view(), name="activity"),
    path(
        "activities/<str:pk>/evidence/",
        activities.ActivityEvidenceView.as_view(),
        name="activity-evidence",
    ),
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
