"""Never a dead end: the contact block names who can answer, and the "mise en relation" form
relays a visitor's message by e-mail (structure, else the territory's relay, else the site)."""

from django.core import mail
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse

from catalogue.models import Structure, TerritoryRelay
from essaimage.test import make_sheet, make_structure

MESSAGE = {
    "name": "Camille",
    "email": "camille@exemple.fr",
    "message": "Bonjour, je voudrais lancer la même action chez nous.",
}


@override_settings(CONTACT_EMAIL="contact@essaimage.example.org")
class RelayMessageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.lacaune = make_structure(
            "L'ARC EN CIEL", dep="81", email="adeline.gazel@ccmlhl.fr", commune="Lacaune"
        )
        cls.sheet = make_sheet(cls.lacaune, "Jardin partagé")
        cls.quiet = make_structure("CENTRE SOCIAL SANS COURRIEL", dep="46")
        cls.quiet_sheet = make_sheet(cls.quiet, "Repair café")
        cls.elsewhere = make_structure("CENTRE SOCIAL LOINTAIN", dep="35")

    def setUp(self):
        cache.clear()

    def url(self, structure):
        return reverse("contrib:relay-message", args=[structure.pk])

    def test_the_sheet_page_offers_the_form_without_showing_a_personal_address(self):
        r = self.client.get(self.sheet.get_absolute_url())
        self.assertContains(r, "Écrire un message à la structure")
        self.assertContains(r, f'action="{self.url(self.lacaune)}"')
        self.assertContains(r, f'name="fiche" value="{self.sheet.pk}"')
        self.assertNotContains(r, "adeline.gazel")

    def test_the_message_goes_to_the_structure_with_a_copy_to_the_visitor(self):
        r = self.client.post(self.url(self.lacaune), {**MESSAGE, "fiche": self.sheet.pk})
        self.assertRedirects(r, self.sheet.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(len(mail.outbox), 2)
        to_structure, copy = mail.outbox
        self.assertEqual(to_structure.to, ["adeline.gazel@ccmlhl.fr"])
        self.assertEqual(to_structure.reply_to, ["camille@exemple.fr"])
        self.assertIn("« Jardin partagé »", to_structure.subject)
        self.assertIn("je voudrais lancer la même action", to_structure.body)
        self.assertEqual(copy.to, ["camille@exemple.fr"])
        self.assertIn("je voudrais lancer la même action", copy.body)
        self.assertNotIn("adeline.gazel", copy.body)
        r = self.client.get(self.sheet.get_absolute_url())
        self.assertContains(r, "Message envoyé à L&#x27;ARC EN CIEL")

    def test_without_an_address_the_territory_relay_answers(self):
        TerritoryRelay.objects.create(
            departement_id="46",
            kind=TerritoryRelay.Kind.FEDERATION,
            name="Fédération des centres sociaux du Lot",
            email="federation@cs46.example.org",
            phone="05 65 00 00 00",
        )
        r = self.client.get(self.quiet_sheet.get_absolute_url())
        self.assertContains(r, "<strong>Fédération des centres sociaux du Lot</strong>", html=True)
        self.assertContains(r, "federation@cs46.example.org")
        self.assertContains(r, "Fédération des centres sociaux) peut vous mettre en relation")
        self.client.post(self.url(self.quiet), {**MESSAGE, "fiche": self.quiet_sheet.pk})
        self.assertEqual(mail.outbox[0].to, ["federation@cs46.example.org"])
        self.assertIn("CENTRE SOCIAL SANS COURRIEL", mail.outbox[0].body)
        self.assertIn("merci de lui transmettre ce message", mail.outbox[0].body)

    def test_else_the_site_contact_answers_also_for_a_sheet_without_structure(self):
        r = self.client.get(self.elsewhere.get_absolute_url())
        self.assertContains(r, "l'équipe d'Essaimage peut vous mettre en relation")
        unspecified = make_sheet(Structure.unspecified(), "Fiche sans structure")
        r = self.client.get(unspecified.get_absolute_url())
        self.assertContains(r, "La structure de cette action n'est pas précisée")
        self.client.post(self.url(unspecified.structure), {**MESSAGE, "fiche": unspecified.pk})
        self.assertEqual(mail.outbox[0].to, ["contact@essaimage.example.org"])

    @override_settings(CONTACT_EMAIL="")
    def test_with_nobody_configured_the_page_says_where_to_turn(self):
        r = self.client.get(self.url(self.elsewhere))
        self.assertContains(r, "Aucune adresse n'est encore configurée")
        r = self.client.post(self.url(self.elsewhere), MESSAGE)
        self.assertEqual(len(mail.outbox), 0)

    def test_bad_input_gets_french_errors_and_sends_nothing(self):
        r = self.client.post(self.url(self.lacaune), {"email": "pas-un-courriel", "message": "Oui"})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "Ce courriel n&#x27;est pas valide", status_code=400)
        self.assertContains(r, "Votre message est trop court", status_code=400)
        self.assertEqual(len(mail.outbox), 0)

    def test_what_the_visitor_wrote_is_escaped(self):
        r = self.client.post(
            self.url(self.lacaune), {"email": "x@exemple.fr", "name": "<script>", "message": "<b>"}
        )
        self.assertNotContains(r, "<script>", status_code=400)

    @override_settings(RELAY_MESSAGE_RATE="2/hour")
    def test_it_is_throttled(self):
        for _ in range(2):
            self.client.post(self.url(self.lacaune), MESSAGE)
        r = self.client.post(self.url(self.lacaune), MESSAGE)
        self.assertEqual(r.status_code, 429)
        self.assertEqual(len(mail.outbox), 4)

    def test_a_sheet_of_another_structure_is_not_named(self):
        self.client.post(self.url(self.lacaune), {**MESSAGE, "fiche": self.quiet_sheet.pk})
        self.assertNotIn("Repair café", mail.outbox[0].subject)
