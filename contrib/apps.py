from django.apps import AppConfig


class ContribConfig(AppConfig):
    name = "contrib"
    verbose_name = "Contributeurs et modération"
