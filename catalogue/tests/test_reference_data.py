from django.test import TestCase

from catalogue.models import Departement, Keyword, PartnerKind, Region


class ReferenceDataTestCase(TestCase):
    def test_it_loads_the_insee_departements_and_regions(self):
        self.assertEqual(Region.objects.count(), 18)
        with_region = Departement.objects.filter(region__isnull=False)
        self.assertEqual(with_region.count(), 101)
        self.assertEqual(Departement.objects.get(code="2B").name, "Haute-Corse")
        self.assertEqual(Departement.objects.get(code="2A").region.name, "Corse")
        self.assertEqual(Departement.objects.get(code="974").region.name, "La Réunion")
        self.assertEqual(Departement.objects.get(code="71").region.name, "Bourgogne-Franche-Comté")
        self.assertIsNone(Departement.objects.get(code="978").region)  # Saint-Martin
        self.assertEqual(Departement.objects.get(code="978").name, "Saint-Martin")

    def test_every_region_has_departements(self):
        for region in Region.objects.all():
            self.assertTrue(region.departements.exists(), region.name)

    def test_it_seeds_the_vocabularies_of_the_product_brief(self):
        self.assertEqual(Keyword.objects.count(), 25)
        self.assertEqual(PartnerKind.objects.count(), 19)
        self.assertFalse(Keyword.objects.filter(needs_review=True).exists())
        self.assertTrue(Keyword.objects.filter(label="Viellissement").exists())


class VocabularyModelTestCase(TestCase):
    def test_matching_is_tolerant_of_case_accents_and_spacing(self):
        keyword = Keyword.objects.get(label="Enfance & jeunesse")
        self.assertEqual(Keyword.objects.matching("ENFANCE  &  Jeunesse").get(), keyword)
        self.assertEqual(
            Keyword.objects.matching("education / scolarite").get().label, "éducation / scolarité"
        )

    def test_a_new_value_gets_a_code_and_key(self):
        keyword = Keyword.objects.create(label="Jardins partagés", needs_review=True)
        self.assertEqual(keyword.value, "jardins-partages")
        self.assertEqual(keyword.key, "jardins partages")
