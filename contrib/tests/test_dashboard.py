from contrib.tests.helpers import ContribTestCase


class DashboardTestCase(ContribTestCase):
    def setUp(self):
        self.url = "/contribuer/"

    def test_an_administrator_sees_the_whole_catalogue_not_an_empty_space(self):
        self.client.force_login(self.ada)
        r = self.client.get(self.url)
        self.assertContains(r, "Vous administrez tout le catalogue : 1 fiche publiée")
        self.assertContains(r, 'href="/admin/"')
        self.assertNotContains(r, "Demander à rejoindre une structure")
        # Drafts of every structure are the administrator's work list.
        self.assertContains(r, "Café des parents")

    def test_a_contributor_sees_her_structures_and_their_contact_form(self):
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, f'href="/contribuer/structures/{self.adesir.pk}/coordonnees/"')
        self.assertNotContains(r, "Vous administrez")

    def test_an_account_without_structure_is_led_to_join_one(self):
        self.client.force_login(self.charlie)
        r = self.client.get(self.url)
        self.assertContains(r, "Demander à rejoindre une structure")
