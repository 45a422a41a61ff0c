from django.urls import path

from . import evaluations, views

app_name = "staff"
urlpatterns = [
    path("", views.my_indicators, name="home"),
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("indicators/<int:pk>/", views.indicator_entry, name="indicator"),
    path("indicators/<int:pk>/history/", views.indicator_history_page, name="history"),
    path("indicators/<int:pk>/schedule/", views.schedule_page, name="schedule"),
    path("observations/<int:pk>/", views.observation_detail, name="observation"),
    path("review/", views.review, name="review"),
    path("targets/<int:pk>/revise/", views.target_revise_page, name="target_revise"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("evaluations/", evaluations.evaluation_index, name="evaluations"),
    path(
        "evaluations/<int:measure>/<str:kind>/<int:year>/",
        evaluations.evaluation_edit,
        name="evaluation",
    ),
    path("translations/", views.translations_page, name="translations"),
    path("profile/", views.profile_page, name="profile"),
]
