from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "regard.search"
    label = "search"
