from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Recherche"

    def ready(self):
        from django.db.models.signals import post_migrate

        from search import changes, indexing  # noqa: F401  (connects the signal receivers)

        post_migrate.connect(
            indexing.ensure_current_index, sender=self, dispatch_uid="search_reindex_after_migrate"
        )
