from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = "Découverte"

    def ready(self):
        # Connect the signal receivers (similarity first: duplicates reads its profiles).
        from discovery import duplicates, similarity  # noqa: F401
