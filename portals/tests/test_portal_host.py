import io

from django.core.management import call_command
from django.test import override_settings

from portals.models import Portal
from portals.tests.helpers import PortalTestCase


@override_settings(ALLOWED_HOSTS=["testserver", "actions.federation35.example.org"])
class PortalHostTestCase(PortalTestCase):
    def setUp(self):
        self.portal.host = "actions.federation35.example.org"
        self.portal.save()

    def test_its_own_host_name_serves_the_portal(self):
        r = self.client.get("/", headers={"host": "actions.federation35.example.org"})
        self.assertContains(r, 'class="portal-banner"')
        self.assertContains(r, "Jardin partagé des Marais")
        self.assertNotContains(r, "Repair Café")
        # Addresses on that host have no /portails/ prefix.
        self.assertContains(r, f'href="{self.jardin.get_absolute_url()}"')

    def test_the_main_host_is_not_a_portal(self):
        r = self.client.get("/actions/")
        self.assertNotContains(r, 'class="portal-banner"')
        self.assertContains(r, "Repair Café")


class CreateDemoPortalTestCase(PortalTestCase):
    def test_it_creates_the_example_once(self):
        call_command("create_demo_portal", stdout=io.StringIO())
        call_command("create_demo_portal", stdout=io.StringIO())
        portal = Portal.objects.get(slug="exemple-doubs")
        self.assertTrue(portal.is_example)
        self.assertIn("Exemple", portal.title)
        r = self.client.get("/portails/exemple-doubs/")
        self.assertContains(r, "exemple de démonstration")
