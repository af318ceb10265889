from django.apps import AppConfig


class PortalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portals"
    verbose_name = "Portails et intégrations"
