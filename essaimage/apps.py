from django.apps import AppConfig


class EssaimageConfig(AppConfig):
    """The project: wires the apps together once they are all loaded."""

    name = "essaimage"
    verbose_name = "Essaimage"

    def ready(self):
        from catalogue.signals import sheets_changed
        from essaimage import sheet_changes

        sheets_changed.connect(sheet_changes.follow, dispatch_uid="essaimage_sheet_changes")
