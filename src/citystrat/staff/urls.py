from django.urls import path

from . import action_views, activities, evaluations, target_proposals, views

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
    path(
        "targets/<int:pk>/propose/",
        target_proposals.target_proposal_page,
        name="target_proposal",
    ),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("actions/", action_views.my_actions, name="my_actions"),
    path("actions/import/", action_views.updates_import_page, name="actions_import"),
    path("actions/<int:pk>/", action_views.action_detail, name="action"),
    path("actions/<int:pk>/update/", action_views.update_form, name="action_update_form"),
    path("actions/<int:pk>/manage/", action_views.action_manage, name="action_manage"),
    path("actions/<int:pk>/tasks/<int:task>/", action_views.task_edit, name="action_task"),
    path("action-updates/<int:pk>/", action_views.update_detail, name="action_update"),
    path("action-evidence/<int:pk>/", action_views.evidence_download, name="action_evidence"),
    path("evaluations/", evaluations.evaluation_index, name="evaluations"),
    path(
        "evaluations/<int:measure>/<str:kind>/<int:year>/",
        evaluations.evaluation_edit,
        name="evaluation",
    ),
    path("translations/", views.translations_page, name="translations"),
    path("profile/", views.profile_page, name="profile"),
    path("activities/", activities.ledger_page, name="activities"),
    path("activities/import/", activities.ledger_import_page, name="activities_import"),
    path("activities/<int:pk>/", activities.record_page, name="activity"),
    path(
        "activities/evidence/<int:pk>/",
        activities.record_evidence_download,
        name="activity_evidence",
    ),
    path("activities/<int:pk>/correct/", activities.record_correct, name="activity_correct"),
    path("activities/<int:pk>/decide/", activities.record_decide, name="activity_decide"),
    path("activities/export.<str:fmt>", activities.ledger_download, name="activities_export"),
]
