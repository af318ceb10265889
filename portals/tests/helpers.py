"""A portal of Ille-et-Vilaine (35) over BaseTestCase's cast, plus sheets in and out of it."""

from catalogue.models import PublicationStatus
from catalogue.signals import sheets_changed
from contrib.tests.helpers import ContribTestCase
from essaimage.test import make_sheet
from portals.models import Portal, PortalAdministrator


class PortalTestCase(ContribTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.jardin = make_sheet(cls.marais, "Jardin partagé des Marais")
        cls.gouter = make_sheet(cls.marais, "Goûter des familles")
        cls.secret = make_sheet(cls.marais, "Action à ne pas montrer")
        cls.marais_draft = make_sheet(
            cls.marais, "Brouillon des Marais", publication_status=PublicationStatus.DRAFT
        )
        cls.portal = Portal.objects.create(
            slug="ille-et-vilaine",
            title="Les actions d'Ille-et-Vilaine",
            introduction="Bienvenue sur le **portail** de la fédération.",
            selection="departement=35",
        )
        cls.portal.excluded.set([cls.secret])
        cls.portal.highlighted.set([cls.jardin])
        # Paula administers the portal; Charlie (ContribTestCase) has an account and nothing else.
        from contrib.tests.helpers import make_user

        cls.paula = make_user("paula")
        # Index the new sheets' text, as the importer and the editor do.
        ids = [s.pk for s in (cls.jardin, cls.gouter, cls.secret, cls.marais_draft)]
        sheets_changed.send(sender=None, sheet_ids=ids)
        PortalAdministrator.objects.create(portal=cls.portal, user=cls.paula)
