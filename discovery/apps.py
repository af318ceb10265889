from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = "Découverte"

    def ready(self):
        from discovery import similarity  # noqa: F401  (connects the signal receiver)
