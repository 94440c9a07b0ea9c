from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "consulta.web.outreach"
    label = "outreach"
    verbose_name = "Invitations and reminders"
