from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "regard.commitments"
    label = "commitments"
