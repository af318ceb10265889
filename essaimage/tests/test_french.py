from django.template import Context, Template
from django.test import SimpleTestCase

from catalogue.display import display_label
from essaimage.lib.french import count_noun, de


class CountNounTestCase(SimpleTestCase):
    def test_it_agrees_with_the_number(self):
        self.assertEqual(count_noun(0, "fiche"), "aucune fiche")
        self.assertEqual(count_noun(1, "fiche"), "1 fiche")
        self.assertEqual(count_noun(2, "fiche"), "2 fiches")
        self.assertEqual(count_noun(0, "champ utile"), "aucun champ utile")
        self.assertEqual(count_noun(1, "champ utile"), "1 champ utile")
        self.assertEqual(count_noun(19, "champ utile"), "19 champs utiles")
        self.assertEqual(
            count_noun(3, "fiche en attente de relecture"), "3 fiches en attente de relecture"
        )
        self.assertEqual(count_noun(3200, "fiche"), "3\u202f200 fiches")
        self.assertEqual(
            count_noun(2, "fiche action publiée|fiches actions publiées"),
            "2 fiches actions publiées",
        )

    def test_templates_use_it_without_loading_anything(self):
        template = Template('{{ n|compte:"fiche"|capfirst }} · {{ name|de }}')
        self.assertEqual(
            template.render(Context({"n": 0, "name": "Le Trait d'Union"})),
            "Aucune fiche · du Trait d&#x27;Union",
        )


class DeTestCase(SimpleTestCase):
    def test_it_contracts_articles(self):
        self.assertEqual(de("Le Trait d'Union"), "du Trait d'Union")
        self.assertEqual(de("LE CENTRE ESPACE DE VIE SOCIALE"), "du CENTRE ESPACE DE VIE SOCIALE")
        self.assertEqual(de("Les Amis du quartier"), "des Amis du quartier")
        self.assertEqual(de("La Maison pour tous"), "de La Maison pour tous")
        self.assertEqual(de("L'Escale"), "de L'Escale")
        self.assertEqual(de("ADESIR"), "d'ADESIR")
        self.assertEqual(de("Espace Rol Tanguy"), "d'Espace Rol Tanguy")
        self.assertEqual(de("CENTRE SOCIAL DES MARAIS"), "de CENTRE SOCIAL DES MARAIS")
        self.assertEqual(de("Lespace"), "de Lespace")


class DisplayLabelTestCase(SimpleTestCase):
    def test_it_corrects_what_pages_show_only(self):
        self.assertEqual(display_label("Viellissement"), "Vieillissement")
        self.assertEqual(display_label("intergénérationnel"), "Intergénérationnel")
        self.assertEqual(display_label("évènementiel"), "Événementiel")
        self.assertEqual(display_label("Etat"), "État")
        self.assertEqual(display_label("Parentalité"), "Parentalité")

    def test_it_names_the_successor_of_a_renamed_body(self):
        self.assertEqual(display_label("Pôle emploi"), "Pôle emploi (aujourd'hui France Travail)")
        self.assertEqual(display_label("DDCS"), "DDCS (aujourd'hui DDETS)")
