from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "regard.customers"
    label = "customers"
