"""The SENACS page parser (ingest.senacs_pages), field by field on every page the project ships
in data/senacs_pages/ (copies cut after about 2,000 characters), and on pages written here."""

from datetime import date
from pathlib import Path

import pytest

from ingest import senacs_pages as pages

PAGES = Path(__file__).resolve().parents[2] / "data" / "senacs_pages"


def read(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def directory(name: str) -> pages.DirectoryPage:
    return pages.parse_directory(read(name))


def sheet(name: str) -> pages.ArchivedSheet:
    return pages.parse_archived_sheet(read(name))


DIAGNOSTIC = "Quels furent les éléments de diagnostic à l'origine de l'expérience ?"
IMPACTS = (
    "Quels sont les impacts ou effets positifs produits par cette expérience au niveau du "
    "public, du centre social ou de l'environnement ?"
)
SUCCESS = "Quels furent les facteurs de réussite de cette expérience ?"
LIMITS = "Quelles sont les limites de cette expérience ?"


def test_every_shipped_page_is_told_apart():
    kinds = {path.name: pages.sniff(path.read_text()) for path in PAGES.glob("*.txt")}
    assert len(kinds) == 12
    for name, kind in kinds.items():
        expected = pages.KIND_SHEET if name.startswith("action-") else pages.KIND_DIRECTORY
        assert kind == expected, name


def test_the_current_export_and_a_listing_table_are_told_apart():
    sample = Path(__file__).resolve().parents[2] / "data" / "senacs_sample.txt"
    assert pages.sniff(sample.read_text()) == pages.KIND_EXPORT
    assert pages.sniff("Nom | Ville |\n---|---|\nLA RUCHE | 34400Lunel-Viel |\n") == (
        pages.KIND_LISTING
    )
    assert pages.sniff("URL: https://senacs.fr/page/charte\nCharte\n") == pages.KIND_UNKNOWN


# -- the directory ------------------------------------------------------------------------------


def test_figeac_card_is_read_whole():
    page = directory("structure-csx-page-8-asc.txt")
    assert page.url == "https://senacs.fr/structure/csx?direction=asc&page=8"
    assert page.type == "cs" and page.listing == []
    assert len(page.structures) == 2
    card = page.structures[0]
    assert card.name == "CENTRE SOCIAL ET DE PRÉVENTION DE FIGEAC"
    assert card.type == "cs"
    assert card.source_url == page.url
    assert card.address == "8 place vival"
    assert (card.postcode, card.commune, card.departement_code) == ("46100", "Figeac", "46")
    assert card.email == "centresocial@ville-figeac.fr"
    assert card.website == "http://www.ville-figeac.fr"
    assert card.siret == "21460102300010"
    assert card.first_agrement == date(1975, 1, 1)
    assert card.population == 9802
    assert card.history == [
        "Le centre social a été géré par la Caf du Lot jusqu'en 2021. Depuis, la commune de "
        "Figeac a pris gère le centre social et bénéficie du soutien de la Caf et du Département."
    ]
    assert card.project_axes == [
        "L'implication des habitants",
        "L'accueil, un service inconditionnel pour les habitants",
        "Le projet famille",
        "La prévention spécialisée",
    ]
    assert card.management_mode == "Collectivité locale"
    assert card.territory_type == "Un espace à dominante urbaine"
    assert card.territory_size == "Une commune"
    assert card.priority_geography == "Non concernée"
    assert card.is_federation_member is True
    assert card.other_federation == "Fédération des centres sociaux"
    assert (card.is_travellers, card.is_multi_site, card.is_itinerant) == (False, False, False)
    assert card.incomplete is False and card.problems == []


def test_a_card_cut_in_its_history_keeps_what_was_read():
    card = directory("structure-csx-page-8-asc.txt").structures[1]
    assert card.name == "MJC Centre Social ARCHIPEL SUD"
    assert card.address == "3 rue du travail"
    assert (card.postcode, card.commune, card.departement_code) == ("74000", "Annecy", "74")
    assert card.email == "mjcarchipelsud@gmail.com"
    assert card.website == "http://www.mjcarchipelsud.com"
    assert card.siret == "41497607600011"
    assert card.first_agrement == date(2002, 10, 1)
    assert card.population == 15000
    assert len(card.history) == 1 and card.history[0].startswith("Positionnée depuis 1998")
    assert card.history[0].endswith("en locaux éclatés au sein d")
    assert card.project_axes == [] and card.management_mode == ""
    assert card.is_federation_member is None
    assert card.incomplete is True


def test_malt_siret_with_spaces_and_a_long_history():
    page = directory("structure-csx-page-85.txt")
    assert page.url == "https://senacs.fr/structure/csx?page=85"
    [card] = page.structures
    assert card.name == "MALT"
    assert card.address == "101 rue de Paris"
    assert (card.postcode, card.commune, card.departement_code) == (
        "77220",
        "Tournan-en-Brie",
        "77",
    )
    assert card.email == "direction@malt77.org"
    assert card.website == "http://www.malt77.org"
    assert card.siret == "32318058800036"
    assert card.first_agrement == date(2018, 9, 1)
    assert card.population == 8822
    assert len(card.history) == 1 and "premier agrément centre social" in card.history[0]
    assert card.incomplete is True


def test_page_89_quotes_in_the_name_empty_siret_and_empty_axes():
    page = directory("structure-csx-page-89.txt")
    first, second = page.structures
    assert first.name == 'CENTRE SOCIAL "LE LIEN"'
    assert first.address == "64 avenue Saint Exupery"
    assert (first.postcode, first.commune) == ("53940", "Saint-Berthevin")
    assert first.email == "accueil.lelien@ville-saint-berthevin.fr"
    assert first.website == "https://www.saint-berthevin.fr/"
    assert first.siret == ""
    assert first.first_agrement == date(2024, 11, 25)
    assert first.population == 7500
    assert first.history == []
    assert first.project_axes == [
        "Faire du Centre Social « Le Lien » un lieu d'accueil pour tous",
        "Favoriser la participation des habitants",
        "Renforcer les liens sociaux, familiaux, intergénérationnels et territoriaux des "
        "Berthevinois",
    ]
    assert first.management_mode == "Collectivité locale"
    assert (first.territory_type, first.territory_size) == (
        "Un espace à dominante urbaine",
        "Une commune",
    )
    assert first.priority_geography == "Non concernée"
    assert first.is_federation_member is True and first.other_federation == "Francas"
    assert (first.is_travellers, first.is_multi_site, first.is_itinerant) == (False, True, False)
    assert first.incomplete is False

    assert second.name == "CENTRE SOCIAL INTERCOMMUNAL DES BERGERIES"
    assert second.address == "4 allee des Bergeries"
    assert (second.postcode, second.commune, second.departement_code) == ("91210", "Draveil", "91")
    assert second.email == "centresocial-bergeries@vyvs.fr"
    assert second.website == "https://www.vyvs.fr"
    assert second.siret == "20005847700015"
    assert second.first_agrement == date(2019, 1, 1)
    assert second.population == 2773
    assert second.history == [
        "1985 création du syndicat intercommunal des bergeries Draveil/ Vigneux sur seine"
    ]
    assert len(second.project_axes) == 3
    assert second.project_axes[2] == (
        "Renforcer l'accès aux droits , à l'insertion sociale et professionnelle"
    )
    # The copy stops in "Mode d…": nothing of it is taken for a value.
    assert second.management_mode == "" and second.history[-1].startswith("1985")
    assert second.incomplete is True


def test_evs_table_with_postcodes_glued_to_communes_and_its_card():
    page = directory("structure-evs-page-58.txt")
    assert page.type == "evs"
    assert len(page.listing) == 25
    assert page.listing[0] == pages.ListingEntry(
        "L'ARC EN CIEL", "81230", "Lacaune", "evs", page.url
    )
    assert page.listing[6] == pages.ListingEntry(
        "NATURE IS THE KEY", "97150", "Saint-Martin", "evs", page.url
    )
    assert page.listing[12].commune == "Murviel-lès-Montpellier"
    assert page.listing[-1] == pages.ListingEntry(
        "L'ESPACE DES POSSIBLES", "31230", "L'Isle-en-Dodon", "evs", page.url
    )
    assert pages.departement_of_postcode("97150") == "978"
    [card] = page.structures
    assert card.name == "L'ARC EN CIEL" and card.type == "evs"
    assert card.address == "PLACE DU GENERAL DE GAULLE"
    assert (card.postcode, card.commune, card.departement_code) == ("81230", "Lacaune", "81")
    assert card.email == "adeline.gazel@ccmlhl.fr"
    assert card.website == "https://www.montsdelacauneetmontagneduhautlanguedoc.fr/"
    assert card.siret == "20006655300013"
    assert card.first_agrement == date(2022, 9, 1)
    assert card.population == 8000
    assert card.history[0].startswith("Depuis sa création en 2017")
    assert card.incomplete is True


def test_a_card_cut_inside_a_value_does_not_keep_half_a_value():
    text = (
        "URL: https://senacs.fr/structure/csx?page=2\nInformations sur la structure\nCS TEST\n"
        "Fiche identité\nAdresse\nCS TEST1 rue Haute\n35000 Rennes\n"
        "Adresse mail contact : contact@cs-te"
    )
    [card] = pages.parse_directory(text).structures
    assert card.email == "" and card.incomplete is True
    assert (card.address, card.commune) == ("1 rue Haute", "Rennes")


def test_unreadable_values_are_reported_in_french():
    text = (
        "URL: https://senacs.fr/structure/csx\nInformations sur la structure\nCS\nFiche identité\n"
        "Numéro SIRET : 123\nDate du 1er agrément : 31/02/2020\nPopulation de la zone de "
        "compétence : beaucoup\nStructure itinérante : Non\n"
    )
    [card] = pages.parse_directory(text).structures
    assert card.siret == "" and card.first_agrement is None and card.population is None
    assert card.problems == [
        "SIRET illisible « 123 »",
        "date d'agrément illisible « 31/02/2020 »",
        "population illisible « beaucoup »",
    ]


# -- the older sheets ---------------------------------------------------------------------------


def test_sheet_469_with_structure_and_publisher():
    parsed = sheet("action-show-469.txt")
    assert parsed.senacs_id == 469
    assert parsed.url == "http://senacs.fr/action/show/469"
    assert parsed.title == "Sortie Spinassienne"
    assert parsed.structure_name == "MC² Maison du Centre"
    assert parsed.departement_name == "Seine-Saint-Denis"
    assert parsed.published_by == "Hichem LABOUBI"
    assert parsed.themes == [
        "Intergénérationel",
        "Promotion de la culture local",
        "Service de proximité",
    ]
    assert parsed.files == []
    assert parsed.keywords == ["intergénérationnel"]
    assert parsed.description.startswith("le centre social propose des sorties culturelles")
    assert parsed.experience.startswith("Nous aons proposé des sorties à la MTD")
    assert parsed.sections == [
        (
            DIAGNOSTIC,
            "certains habitants ne connaissait pas la MTD et les opéras projetés au Méga CGR",
        ),
        (
            IMPACTS,
            "le public bénéficie des sorties culturelles locales, les horaires tardives ne sont "
            "plus un obstacle pour sortir.",
        ),
        (
            SUCCESS,
            "la demande de certains habbitants et la découverte de nouvelle chose comme les opéras.",
        ),
    ]
    # The copy stops right after "Quelles sont les limites…": its text is missing.
    assert parsed.incomplete is True


def test_sheet_1099_with_a_named_file_and_a_cut_label():
    parsed = sheet("action-show-1099.txt")
    assert (parsed.senacs_id, parsed.title) == (1099, "La Ludothèque")
    assert parsed.structure_name == "" and parsed.published_by == ""
    assert parsed.themes == ["Tout public"]
    assert parsed.files == [pages.ArchivedFile("La Ludothèque.pdf", 186972)]
    assert parsed.keywords == [
        "intergénérationnel",
        "Famille",
        "Parentalité",
        "éducation / scolarité",
        "Solidarité",
        "Enfance & jeunesse",
        "Culture",
        "Mixité sociale",
    ]
    assert parsed.description.startswith("Le Centre social et culturel Georges Brassens")
    # The last line is the start of the impacts question: not text of the experience.
    assert parsed.experience.endswith("en direction des familles.")
    assert [label for label, _ in parsed.sections] == [DIAGNOSTIC]
    assert parsed.sections[0][1].startswith("Mise en place du 1er projet social")
    assert parsed.incomplete is True


def test_sheet_1343_is_complete():
    parsed = sheet("action-show-1343.txt")
    assert (parsed.senacs_id, parsed.title) == (1343, "Français Langue Etrangère")
    assert parsed.url == "https://senacs.fr/action/show/1343"
    assert parsed.themes == [
        "Adultes mixtes",
        "Lutte contre l'exclusion",
        "Soutien à la fonction parentale",
        "Lutte contre les discriminations",
    ]
    assert parsed.files == []
    assert len(parsed.keywords) == 7 and parsed.keywords[4] == (
        "alphabétisation & apprentissage du français"
    )
    assert parsed.description.startswith("Acquisition, pas à pas, de la langue française")
    assert parsed.experience.startswith("Il s'agit d'appréhender l'ensemble des codes")
    assert parsed.sections == [
        (DIAGNOSTIC, "Etude et recensement des besoins des habitants."),
        (
            IMPACTS,
            "Lien social et rupture de l'isolement. Développement de la communication et "
            "d'espaces de parole partagée. Evolution dans des parcours professionnels, une "
            "situation sociale et ou familiale.",
        ),
        (SUCCESS, "Importance de l'accueil, des informations et de l'accompagnement des usagers."),
        (LIMITS, "Les limites se situent en terme d'accompagnants et de formation"),
    ]
    assert parsed.incomplete is False


def test_sheets_1037_and_311_drop_theme_placeholders():
    first = sheet("action-show-1037.txt")
    assert (first.senacs_id, first.title) == (1037, "Repas de l'amitié")
    assert first.url == "https://www.senacs.fr/action/show/1037"
    assert first.themes == ["Lutte contre l'exclusion"]
    assert first.keywords == ["Solidarité", "Viellissement", "Santé", "Précarité"]
    assert first.description.startswith("Préparer et partager ensemble un repas")
    assert first.experience.startswith("Un lundi sur deux une équipe de bénévoles")
    assert [label for label, _ in first.sections] == [DIAGNOSTIC, IMPACTS]
    assert first.sections[1][1].endswith("n'étaient d'ailleurs pas c")
    assert first.incomplete is True

    second = sheet("action-show-311.txt")
    assert (second.senacs_id, second.title) == (311, "ASL")
    assert second.themes == [
        "Adultes femmes",
        "Education à l'environnement",
        "Lutte contre l'exclusion",
    ]
    assert second.keywords == ["alphabétisation & apprentissage du français"]
    assert second.description == "Atelier socio-linguistique"
    assert second.experience.startswith("Objectifs Généraux : -Accompagner le public")
    assert [label for label, _ in second.sections] == [DIAGNOSTIC]
    assert second.incomplete is True


@pytest.mark.parametrize(
    "name", ["action-show-46.txt", "action-show-85.txt", "action-show-1931.txt"]
)
def test_copies_starting_mid_sheet_are_refused_with_a_reason(name):
    with pytest.raises(pages.PageRefused, match="copie commencée au milieu de la fiche"):
        sheet(name)


def test_a_charter_under_an_action_address_is_skipped():
    text = (
        "URL: https://senacs.fr/action/show/2\nCharte des centres sociaux\n\nLes centres "
        "sociaux et socioculturels fédérés se réfèrent à une charte.\n"
    )
    assert pages.sniff(text) == pages.KIND_SHEET
    with pytest.raises(pages.PageSkipped, match="ne contient pas de fiche"):
        pages.parse_archived_sheet(text)


def test_a_file_size_in_megabytes_and_a_structure_without_departement():
    text = (
        "URL: https://senacs.fr/action/show/7\nActions\n\nJardin partagé\n\nStructure "
        "organisatrice\nCSC DU PARC\nFichier(s) associé(s)\nbilan.pdf\n( 1.5M )\nphotos.zip\n"
        f"{LIMITS}\nLe temps.\n"
    )
    parsed = pages.parse_archived_sheet(text)
    assert (parsed.structure_name, parsed.departement_name) == ("CSC DU PARC", "")
    assert parsed.files == [
        pages.ArchivedFile("bilan.pdf", 1572864),
        pages.ArchivedFile("photos.zip", 0),
    ]
    assert parsed.sections == [(LIMITS, "Le temps.")] and parsed.incomplete is False
