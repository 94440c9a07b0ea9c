from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "consulta.web.publishing"
    label = "publishing"
    verbose_name = "Publishing results"

    def ready(self) -> None:
        # Organisers' promises are audited like the rest of the consultation. Registered here,
        # not in consultations.audit.AUDITED_MODELS, so this app stays self-contained.
        from auditlog.registry import auditlog

        from consulta.web.publishing.models import Action, ActionUpdate

        for model in (Action, ActionUpdate):
            if not auditlog.contains(model):
                auditlog.register(model)
