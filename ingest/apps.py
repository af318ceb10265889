from django.apps import AppConfig
from django.db.backends.signals import connection_created


class IngestConfig(AppConfig):
    name = "ingest"

    def ready(self):
        from ingest import write_gate

        connection_created.connect(write_gate.install, dispatch_uid="ingest_write_gate")
