from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's room: the synthetic sheet generator (`manage.py generate_synthetic`)
    and the measuring scripts (run.py, worker.py…), which are plain scripts, not imported."""

    name = "bench"
    verbose_name = "banc d'essai"
