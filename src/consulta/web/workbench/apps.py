from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "consulta.web.workbench"
    label = "workbench"
    verbose_name = "Analyst workbench"
