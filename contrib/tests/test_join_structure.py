from django.core import mail

from contrib.models import JoinRequest, Membership, User
from contrib.tests.helpers import ContribTestCase


class SignUpTestCase(ContribTestCase):
    def test_it_creates_an_account_and_leads_to_joining(self):
        r = self.client.post(
            "/compte/inscription/",
            {
                "email": "Zoe@Example.org",
                "first_name": "Zoé",
                "last_name": "Martin",
                "password1": "un-secret-solide-77",
                "password2": "un-secret-solide-77",
            },
        )
        self.assertRedirects(r, "/contribuer/structures/rejoindre/")
        self.assertTrue(User.objects.filter(email="zoe@example.org").exists())

    def test_it_refuses_a_taken_address(self):
        r = self.client.post(
            "/compte/inscription/",
            {
                "email": "alice@example.org",
                "password1": "un-secret-solide-77",
                "password2": "un-secret-solide-77",
            },
        )
        self.assertContains(r, "Un compte existe déjà avec cette adresse.")


class JoinStructureTestCase(ContribTestCase):
    def test_it_finds_structures_by_name(self):
        self.client.force_login(self.charlie)
        r = self.client.get("/contribuer/structures/rejoindre/", {"q": "adesir"})
        self.assertContains(r, "ADESIR")
        self.assertNotContains(r, "MARAIS")

    def test_a_member_accepts_a_request(self):
        self.client.force_login(self.charlie)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                f"/contribuer/structures/{self.adesir.pk}/rejoindre/",
                {"message": "Référente familles"},
            )
        join = JoinRequest.objects.get()
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            ["alice@example.org", "mona@example.org", "remi@example.org"],
        )
        self.client.force_login(self.alice)
        r = self.client.get("/contribuer/")
        self.assertContains(r, "Référente familles")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"/contribuer/demandes/{join.pk}/accepter/")
        self.assertTrue(
            Membership.objects.filter(user=self.charlie, structure=self.adesir).exists()
        )
        self.assertEqual(mail.outbox[-1].to, ["charlie@example.org"])
        self.assertIn("acceptée", mail.outbox[-1].subject)

    def test_outsiders_cannot_accept(self):
        join = JoinRequest.objects.create(user=self.charlie, structure=self.adesir)
        self.client.force_login(self.bob)
        r = self.client.post(f"/contribuer/demandes/{join.pk}/accepter/")
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Membership.objects.filter(user=self.charlie).exists())

    def test_a_moderator_refuses_a_request(self):
        join = JoinRequest.objects.create(user=self.charlie, structure=self.adesir)
        self.client.force_login(self.mona)
        self.client.post(f"/contribuer/demandes/{join.pk}/refuser/")
        join.refresh_from_db()
        self.assertEqual(join.state, JoinRequest.State.REFUSED)
        self.assertFalse(Membership.objects.filter(user=self.charlie).exists())


class InvitationTestCase(ContribTestCase):
    def test_a_member_invites_a_new_person(self):
        self.client.force_login(self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                f"/contribuer/structures/{self.adesir.pk}/membres/",
                {"email": "Nouveau@Example.org"},
            )
        self.assertEqual(mail.outbox[0].to, ["nouveau@example.org"])
        link = next(
            line for line in mail.outbox[0].body.splitlines() if "/compte/invitation/" in line
        )
        path = (
            link.split("127.0.0.1:8000", 1)[1]
            if "127.0.0.1:8000" in link
            else link[link.index("/compte/") :]
        )
        self.client.logout()
        r = self.client.get(path)
        self.assertContains(r, "ADESIR")
        r = self.client.post(
            path, {"password1": "un-secret-solide-77", "password2": "un-secret-solide-77"}
        )
        self.assertRedirects(r, "/contribuer/")
        user = User.objects.get(email="nouveau@example.org")
        self.assertTrue(Membership.objects.filter(user=user, structure=self.adesir).exists())
        self.assertEqual(self.client.get(path).status_code, 404)  # used once

    def test_it_hides_other_structures(self):
        self.client.force_login(self.bob)
        r = self.client.post(
            f"/contribuer/structures/{self.adesir.pk}/membres/", {"email": "x@example.org"}
        )
        self.assertEqual(r.status_code, 404)
        self.assertEqual(mail.outbox, [])


class InvitationRulesTestCase(ContribTestCase):
    def test_it_must_be_accepted_by_the_invited_address(self):
        from contrib.models import Invitation

        invitation = Invitation.objects.create(
            email="zoe@example.org", structure=self.adesir, invited_by=self.alice
        )
        self.client.force_login(self.charlie)
        r = self.client.post(f"/compte/invitation/{invitation.token}/", follow=True)
        self.assertContains(r, "Cette invitation a été envoyée à zoe@example.org")
        self.assertFalse(Membership.objects.filter(user=self.charlie).exists())

    def test_it_expires(self):
        from datetime import timedelta

        from django.utils import timezone

        from contrib.models import Invitation

        invitation = Invitation.objects.create(
            email="zoe@example.org",
            structure=self.adesir,
            created_at=timezone.now() - timedelta(days=15),
        )
        r = self.client.get(f"/compte/invitation/{invitation.token}/", follow=True)
        self.assertContains(r, "Cette invitation a expiré")
