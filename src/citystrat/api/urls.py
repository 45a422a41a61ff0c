"""``/api/v1/``: the REST API, its OpenAPI 3 schema and its documentation page."""

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.views import SpectacularJSONAPIView

from . import views

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
]
