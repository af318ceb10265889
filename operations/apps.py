from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Exploitation"

    def ready(self):
        from essaimage.views import HEALTH_REPORTS
        from operations import metrics

        metrics.connect()
        HEALTH_REPORTS["search_index"] = metrics.search_index_state
