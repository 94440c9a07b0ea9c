from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "consulta.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from consulta.web.accounts.models import ColleagueInvitation

        # Sending and accepting show in the consultation's audit trail; the link's hash never.
        auditlog.register(ColleagueInvitation, exclude_fields=["token_hash"])
