import re

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from contrib.models import JoinRequest, Membership, User
from contrib.tests.helpers import ContribTestCase


class SignUpTestCase(ContribTestCase):
    def setUp(self):
        cache.clear()

    def sign_up(self, email: str, **extra):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                "/compte/inscription/",
                {
                    "email": email,
                    "first_name": "Zoé",
                    "last_name": "Martin",
                    "password1": "un-secret-solide-77",
                    "password2": "un-secret-solide-77",
                },
                **extra,
            )

    def test_it_creates_an_account_confirmed_by_e_mail_then_leads_to_joining(self):
        r = self.sign_up("Zoe@Example.org")
        self.assertRedirects(r, "/compte/inscription/envoye/")
        zoe = User.objects.get(email="zoe@example.org")
        self.assertFalse(zoe.is_active)
        self.assertFalse(self.client.login(username="zoe@example.org", password="x"))
        self.assertEqual(mail.outbox[-1].to, ["zoe@example.org"])
        link = re.search(r"http\S+/compte/inscription/\S+/", mail.outbox[-1].body).group(0)
        r = self.client.get(link.removeprefix(settings.SITE_URL))
        self.assertRedirects(r, "/contribuer/structures/rejoindre/")
        zoe.refresh_from_db()
        self.assertTrue(zoe.is_active)
        self.assertEqual(self.client.session["_auth_user_id"], str(zoe.pk))
        # The link works once.
        self.client.logout()
        r = self.client.get(link.removeprefix(settings.SITE_URL), follow=True)
        self.assertContains(r, "Ce lien de confirmation n&#x27;est plus valable")

    def test_it_says_the_same_whether_the_address_has_an_account_or_not(self):
        taken = self.sign_up("alice@example.org", follow=True)
        free = self.sign_up("zoe@example.org", follow=True)
        self.assertEqual(taken.redirect_chain, free.redirect_chain)
        self.assertContains(taken, "Vérifiez votre messagerie")
        self.assertNotContains(taken, "existe déjà")
        # The owner of the address is told, by e-mail only; her account is unchanged.
        alice_mail = next(m for m in mail.outbox if m.to == ["alice@example.org"])
        self.assertIn("Un compte existe déjà avec cette adresse", alice_mail.body)
        self.assertTrue(
            self.client.login(username="alice@example.org", password="mot-de-passe-solide-42")
        )

    @override_settings(SIGN_UP_RATE="2/hour")
    def test_it_limits_sign_ups_per_address(self):
        self.sign_up("a@example.org")
        self.sign_up("b@example.org")
        r = self.sign_up("c@example.org")
        self.assertContains(r, "Trop de comptes ont été demandés", status_code=429)
        self.assertGreater(int(r["Retry-After"]), 0)
        self.assertFalse(User.objects.filter(email="c@example.org").exists())
        r = self.sign_up("c@example.org", REMOTE_ADDR="198.51.100.7")
        self.assertEqual(r.status_code, 302)


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
