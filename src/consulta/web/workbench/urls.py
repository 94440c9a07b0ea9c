from django.urls import path

from consulta.web.workbench import (
    action_views,
    double_views,
    frame_views,
    learning_views,
    views,
)

app_name = "workbench"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("frame/", frame_views.page, name="frame"),
    path("frame/export.<slug:kind>", frame_views.export, name="frame-export"),
    path("frame/import/", frame_views.upload, name="frame-import"),
    path("q/<int:question_id>/", views.question, name="question"),
    path("q/<int:question_id>/queue/", views.queue, name="queue"),
    path("q/<int:question_id>/a/<int:coding_id>/", views.answer, name="answer"),
    path("q/<int:question_id>/double/", double_views.page, name="double"),
    path("q/<int:question_id>/double/start/", double_views.start, name="double-start"),
    path("q/<int:question_id>/double/resolve/<int:coding_id>/", double_views.resolve,
         name="double-resolve"),
    path("q/<int:question_id>/note/", action_views.theme_note, name="theme-note"),
    path("q/<int:question_id>/undo/<int:decision_id>/", action_views.undo, name="undo"),
    path("q/<int:question_id>/apply-rest/", learning_views.apply_rest, name="apply-rest"),
    path("q/<int:question_id>/split/", learning_views.split_theme, name="split"),
    path("q/<int:question_id>/<slug:action>/", action_views.theme_action, name="action"),
]
