from io import StringIO

from django.core.management import call_command
from django.test import override_settings

from contrib import access
from contrib.models import User
from contrib.tests.helpers import ContribTestCase


class CreateDemoAccountsTestCase(ContribTestCase):
    @override_settings(DEBUG=True)
    def test_it_creates_one_account_per_role_and_prints_them(self):
        out = StringIO()
        call_command("create_demo_accounts", stdout=out)
        call_command("create_demo_accounts", stdout=StringIO())  # idempotent
        self.assertIn("contributrice@essaimage.local", out.getvalue())
        self.assertIn("essaimage-demo", out.getvalue())
        writer = User.objects.get(email="contributrice@essaimage.local")
        self.assertTrue(writer.check_password("essaimage-demo"))
        self.assertEqual(list(access.member_structures(writer)), [self.adesir])
        moderator = User.objects.get(email="moderateur@essaimage.local")
        self.assertTrue(access.can_review(moderator, self.sheet))
        self.assertEqual(User.objects.filter(email__endswith="@essaimage.local").count(), 5)

    @override_settings(DEBUG=True)
    def test_it_fills_a_fictional_card_the_sheet_contact_reaches(self):
        call_command("create_demo_accounts", stdout=StringIO())
        self.adesir.refresh_from_db()
        self.assertEqual(self.adesir.email, "contact@centre-social.example.org")
        self.assertIn("fictives", self.adesir.history)
        r = self.client.get(self.sheet.get_absolute_url())
        self.assertContains(r, "centre-social.example.org")

    @override_settings(DEBUG=True)
    def test_it_leaves_a_card_the_structure_filled(self):
        self.adesir.email = "accueil@adesir.fr"
        self.adesir.save()
        call_command("create_demo_accounts", stdout=StringIO())
        self.adesir.refresh_from_db()
        self.assertEqual(self.adesir.email, "accueil@adesir.fr")
        self.assertEqual(self.adesir.address, "")

    def test_it_refuses_outside_debug(self):
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "hors DEBUG"):
            call_command("create_demo_accounts", stdout=StringIO())
