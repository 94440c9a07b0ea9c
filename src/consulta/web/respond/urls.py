"""The respondent journey's addresses (other apps build links with these names: outreach's
invitation emails use ``respond:invitation``). Included at the site root."""

from django.urls import path

from consulta.web.respond import draft_views, link_views, views

app_name = "respond"

urlpatterns = [
    path("c/<slug:slug>/<int:number>/", views.phase_start, name="phase-start"),
    path("c/<slug:slug>/<int:number>/begin/", views.begin, name="begin"),
    path("c/<slug:slug>/<int:number>/closed/", views.closed, name="closed"),
    path("i/<str:token>/", views.invitation, name="invitation"),
    path("i/<str:token>/begin/", views.invitation_begin, name="invitation-begin"),
    path("r/<str:token>/", draft_views.resume, name="resume"),
    path("r/<str:token>/q/<int:position>/", draft_views.question, name="question"),
    path("r/<str:token>/q/<int:position>/save/", draft_views.question_save, name="question-save"),
    path("r/<str:token>/about/", draft_views.about, name="about"),
    path("r/<str:token>/about/save/", draft_views.about_save, name="about-save"),
    path("r/<str:token>/consent/", draft_views.consent, name="consent"),
    path("r/<str:token>/consent/save/", draft_views.consent_save, name="consent-save"),
    path("r/<str:token>/check/", draft_views.check, name="check"),
    path("r/<str:token>/submit/", draft_views.submit, name="submit"),
    path("r/<str:token>/return/", link_views.return_link, name="return-link"),
    path("r/<str:token>/return/send/", link_views.return_link_send, name="return-link-send"),
    path("r/<str:token>/share/", link_views.share, name="share"),
    path("done/<str:signed>/", link_views.confirmation, name="confirmation"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
