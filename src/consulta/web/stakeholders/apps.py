from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    name = "consulta.web.stakeholders"
    label = "stakeholders"
    verbose_name = "Stakeholder network"
