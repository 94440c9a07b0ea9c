from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "consulta.web.reports"
    label = "reports"
    verbose_name = "Reports"
