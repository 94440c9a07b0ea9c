"""Outreach: a phase's invitations and email wording (organisers), and unsubscribe links."""

from django.urls import path

from consulta.web.outreach import monitoring_views, unsubscribe, views

app_name = "outreach"

PHASE = "organise/<slug:slug>/phases/<int:number>/"
MESSAGE = PHASE + "messages/<slug:kind>/"

urlpatterns = [
    # Organisers: invitations and reminders of one phase, and their wording
    path(PHASE + "invitations/", views.invitations, name="invitations"),
    path(PHASE + "invitations/send/", views.invite, name="invite"),
    path(PHASE + "invitations/remind/", views.remind, name="remind"),
    path(MESSAGE, views.message, name="message"),
    path(MESSAGE + "update/", views.message_update, name="message-update"),
    # The unsubscribe link in every email (public, signed)
    path("unsubscribe/<str:signed>/", unsubscribe.confirm_page, name="unsubscribe"),
    path("unsubscribe/<str:signed>/confirm/", unsubscribe.confirm, name="unsubscribe-confirm"),
    # The List-Unsubscribe header's address: mail providers' one-click button (RFC 8058)
    path("unsubscribe/<str:signed>/one-click/", unsubscribe.one_click,
         name="unsubscribe-one-click"),
    # Organisers: who has responded, when, and who has not yet
    path("organise/<slug:slug>/monitoring/", monitoring_views.monitoring, name="monitoring"),
]
