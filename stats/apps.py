from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Statistiques"

    def ready(self):
        from stats import figures  # noqa: F401  (connects the signal receiver)
