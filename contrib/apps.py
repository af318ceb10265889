from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(sender, using, verbosity=1, **kwargs):
    """`migrate` also creates the database cache table (rate limits shared by the workers);
    nothing to do when REDIS_URL points the cache at Redis."""
    call_command("createcachetable", database=using, verbosity=0)


class ContribConfig(AppConfig):
    name = "contrib"
    verbose_name = "Contributeurs et modération"

    def ready(self):
        post_migrate.connect(create_cache_table, sender=self)
