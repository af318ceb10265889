from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The public web layer over the catalogue: pages, listings, exports and their jobs."""

    name = "public"
    verbose_name = "Pages publiques"
