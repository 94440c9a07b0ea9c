from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "consulta.web.analysis"
    label = "analysis"
    verbose_name = "Analysis"
