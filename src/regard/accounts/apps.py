from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "regard.accounts"
    label = "accounts"
