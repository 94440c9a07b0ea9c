from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "consulta.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"
