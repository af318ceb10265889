"""Synthetic, realistic action sheets for load tests and benchmarks (issue 6).

`synthetic_records(count, seed, ...)` yields sheets as plain dicts shaped like the canonical
record (PRODUCT §5, labels for vocabulary values); `generate_sheets` writes them to the database
in batches; `write_senacs_export` prints records (synthetic or from `sheet_record`) in the SENACS
text export format (PRODUCT §4), so the importer can be measured on them.

Everything derives from `random.Random(seed)`: the same seed and the same vocabularies give the
same records. Distributions follow the real sample `data/senacs_sample.txt` (how often each field
is empty, text lengths, one public, 1–5 keywords) and départements are weighted by population.
"""

import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from django.db import reset_queries, transaction

from catalogue.fields import CHOICE_FIELDS, LIST_FIELDS, TEXT_FIELDS
from essaimage.lib.text import normalize_key

YEARS = tuple(range(2015, 2027))
# More sheets in recent years, as a growing catalogue has.
YEAR_WEIGHTS = tuple(6 + i for i in range(len(YEARS)))
SOURCE_REF_PREFIX = "synth"

# --- Words the sentences are made of -------------------------------------------------------------

# Activities by keyword (matched on normalize_key of the label); unknown keywords use GENERIC.
THEMES: dict[str, tuple[str, ...]] = {
    "intergenerationnel": (
        "des ateliers intergénérationnels",
        "un repair café animé par des bénévoles de tous âges",
        "des rencontres entre seniors et collégiens",
        "un jardin partagé entre générations",
        "des après-midi jeux entre grands-parents et petits-enfants",
    ),
    "famille": (
        "des sorties familles",
        "un week-end en famille",
        "des vacances familiales accompagnées",
        "un temps d'accueil parents-enfants",
        "des soirées jeux en famille",
    ),
    "parentalite": (
        "un café des parents",
        "des ateliers de soutien à la parentalité",
        "un groupe de parole entre parents",
        "une université populaire de parents",
        "des conférences-débats sur l'éducation des enfants",
    ),
    "education scolarite": (
        "l'aide aux devoirs",
        "un contrat local d'accompagnement à la scolarité (CLAS)",
        "un accompagnement scolaire des collégiens",
        "des ateliers de lecture pour les enfants",
        "un soutien aux parents dans le suivi de la scolarité",
    ),
    "solidarite": (
        "une épicerie solidaire",
        "un réseau d'entraide entre voisins",
        "une collecte solidaire",
        "un vestiaire solidaire",
        "des visites de convivialité aux personnes isolées",
    ),
    "enfance jeunesse": (
        "un accueil de loisirs pour les enfants",
        "des chantiers jeunes",
        "un espace jeunes ouvert le samedi",
        "des séjours pour les adolescents",
        "un conseil de jeunes",
    ),
    "culture": (
        "un festival de quartier",
        "des ateliers de théâtre forum",
        "une chorale d'habitants",
        "des sorties au spectacle",
        "une fresque participative",
    ),
    "democratie citoyennete": (
        "un conseil citoyen",
        "des débats publics sur la vie du quartier",
        "un budget participatif",
        "un comité d'usagers",
        "une démarche de pouvoir d'agir des habitants",
    ),
    "emploi economie": (
        "des permanences emploi",
        "un atelier de recherche d'emploi",
        "un accompagnement vers la formation",
        "des rencontres avec les entreprises locales",
        "une aide à la rédaction de CV",
    ),
    "sante": (
        "des ateliers santé",
        "une action de prévention santé",
        "des ateliers nutrition et alimentation",
        "un parcours d'activité physique adaptée",
        "des temps d'information sur l'accès aux soins",
    ),
    "environnement": (
        "un jardin partagé",
        "des ateliers de compostage",
        "des opérations de nettoyage du quartier",
        "un potager pédagogique",
        "des balades nature",
    ),
    "logement": (
        "un accompagnement dans les démarches de logement",
        "des ateliers sur les économies d'énergie",
        "une médiation avec le bailleur social",
        "des visites d'appartements pédagogiques",
    ),
    "precarite": (
        "un accès aux droits",
        "une aide alimentaire",
        "une permanence d'écrivain public",
        "un accompagnement budgétaire",
        "une lutte contre la fracture numérique",
    ),
    "mobilite transport": (
        "un transport solidaire",
        "des ateliers vélo",
        "une aide au passage du permis de conduire",
        "un covoiturage entre habitants",
    ),
    "vacances loisirs": (
        "des départs en vacances accompagnés",
        "des sorties à la mer",
        "un séjour en gîte",
        "des loisirs de proximité l'été",
    ),
    "discriminations": (
        "des actions de lutte contre les discriminations",
        "des ateliers sur l'égalité filles-garçons",
        "une exposition sur la diversité",
    ),
    "developpement durable": (
        "un repair café",
        "une ressourcerie",
        "des ateliers zéro déchet",
        "une grainothèque",
    ),
    "evenementiel": (
        "une fête de quartier",
        "une fête du jeu",
        "un marché de Noël solidaire",
        "un carnaval",
        "un repas partagé",
    ),
    "habitants": (
        "un collectif d'habitants",
        "des initiatives d'habitants",
        "un accueil des nouveaux arrivants",
        "un livret d'accueil des habitants",
    ),
    "petite enfance": (
        "un lieu d'accueil enfants-parents",
        "des ateliers d'éveil pour les tout-petits",
        "une halte-garderie",
        "des ateliers motricité",
    ),
    "mixite sociale": (
        "des rencontres interculturelles",
        "des repas du monde",
        "un projet mêlant les quartiers",
    ),
    "viellissement": (
        "la lutte contre l'isolement des seniors isolés",
        "des ateliers mémoire",
        "des visites à domicile des personnes âgées",
        "un accompagnement au numérique des seniors",
    ),
    "integration": (
        "un accueil des personnes en situation de handicap",
        "des ateliers de français",
        "un accompagnement des primo-arrivants",
        "une journée handisport",
    ),
    "alphabetisation apprentissage du francais": (
        "des ateliers sociolinguistiques",
        "des cours de français langue étrangère",
        "des ateliers d'alphabétisation",
        "une conversation en français autour d'un café",
    ),
    "entrepreneuriat social": (
        "une pépinière d'initiatives",
        "un accompagnement de porteurs de projets",
        "une coopérative jeunesse de services",
        "une couveuse d'activités",
    ),
}
GENERIC = (
    "des ateliers collectifs",
    "un projet d'habitants",
    "des temps conviviaux",
    "un accompagnement individuel",
)

TITLES: dict[str, tuple[str, ...]] = {
    "intergenerationnel": (
        "Repair Café",
        "Actions intergénérationnelles",
        "Générations solidaires",
    ),
    "famille": ("Sorties familles", "Week-end en famille", "Vacances en famille"),
    "parentalite": (
        "Café des parents",
        "Soutenir la parentalité",
        "Université populaire de parents",
    ),
    "education scolarite": ("CLAS Primaire", "Aide aux devoirs", "Accompagnement à la scolarité"),
    "solidarite": ("Épicerie solidaire", "Réseau d'entraide", "Bénévolat d'insertion"),
    "enfance jeunesse": ("Chantiers Ville Vie Vacances", "Espace jeunes", "Séjour ados"),
    "culture": ("Théâtre forum", "Festival de quartier", "Café concert"),
    "democratie citoyennete": ("Conseil citoyen", "Faites ensemble", "Budget participatif"),
    "emploi economie": ("Permanence emploi", "Atelier CV", "Coup de pouce emploi"),
    "sante": ("Ateliers santé", "Bouger ensemble", "Alimentation du jeune enfant"),
    "environnement": ("Jardin partagé", "Compost collectif", "Quartier propre"),
    "logement": ("Appartement pédagogique", "Économies d'énergie"),
    "precarite": ("Accès aux droits", "Écrivain public", "Service collectif numérique"),
    "mobilite transport": ("Atelier vélo", "Transport solidaire"),
    "vacances loisirs": ("Changer d'air", "Sortie à la mer", "Un été au quartier"),
    "developpement durable": ("Ressourcerie", "Zéro déchet", "Grainothèque"),
    "evenementiel": ("Fête du jeu", "Fête de quartier", "Carnaval"),
    "habitants": ("Livret d'accueil", "Collectif d'habitants"),
    "petite enfance": ("Lieu d'accueil enfants-parents", "Éveil des tout-petits"),
    "viellissement": ("Rompre l'isolement des seniors", "Ateliers mémoire"),
    "integration": ("Challenge Mix Cité", "Ateliers de français"),
    "alphabetisation apprentissage du francais": (
        "Ateliers sociolinguistiques",
        "Parlons français",
    ),
    "entrepreneuriat social": ("Pépinière d'initiatives jeunesse", "Coopérative jeunesse"),
}
GENERIC_TITLES = ("Café de la connaissance", "Accueil convivial", "Rencontres du jeudi")
TITLE_SUFFIXES = (
    "",
    "",
    "",
    "",
    " 2.0",
    " au quartier",
    " - édition {year}",
    " {year}",
    " solidaire",
)

PUBLIC_PHRASES = (
    "les habitants du quartier",
    "les familles",
    "les jeunes de 11 à 17 ans",
    "les enfants et leurs parents",
    "les seniors",
    "les adultes en recherche d'emploi",
    "les nouveaux arrivants",
    "les bénévoles",
    "les personnes isolées",
    "tous les publics",
)
PLACES = (
    "au centre social",
    "dans les locaux de la maison de quartier",
    "à la médiathèque",
    "dans la salle polyvalente de la commune",
    "au pied des immeubles",
    "à l'école du quartier",
    "dans le jardin du centre",
    "dans les différents villages du territoire",
)
RHYTHMS = (
    "chaque semaine",
    "tous les mercredis",
    "une fois par mois",
    "chaque trimestre",
    "pendant les vacances scolaires",
    "le samedi matin",
    "deux fois par semaine",
)
GOALS = (
    "créer du lien social",
    "rompre l'isolement",
    "favoriser l'entraide",
    "valoriser les savoir-faire des habitants",
    "renforcer le pouvoir d'agir des habitants",
    "lutter contre la fracture numérique",
    "soutenir les parents dans leur rôle éducatif",
    "faciliter l'accès aux droits",
    "développer la solidarité",
    "ouvrir le centre social à de nouveaux publics",
    "favoriser la mixité sociale",
)
ACTORS = (
    "une animatrice famille",
    "la référente familles",
    "deux animateurs jeunesse",
    "le directeur du centre",
    "une conseillère en économie sociale et familiale",
    "une dizaine de bénévoles",
    "un groupe d'habitants",
    "les partenaires du territoire",
    "une volontaire en service civique",
)
OPENERS = ("Depuis {year}, ", "En {year}, ", "", "", "Cette année, ", "Suite au diagnostic, ")

SENTENCES: dict[str, tuple[str, ...]] = {
    "summary": (
        "{opener}le centre social propose {activity} pour {public}.",
        "Nous organisons {activity} {rhythm} {place}.",
        "L'objectif est de {goal} et de {goal2}.",
        "Cette action permet {a_public} de se retrouver autour {de_activity}.",
        "L'action est animée par {actor} avec l'appui {de_actor2}.",
        "Le projet s'inscrit dans le projet social du centre et vise à {goal}.",
        "Les participants choisissent ensemble les thèmes abordés {rhythm}.",
        "Une attention particulière est portée {a_public}.",
    ),
    "experience": (
        "Le projet est né d'une demande {de_public} exprimée lors du diagnostic partagé.",
        "Une première phase a permis de réunir {actor} et {actor_b} pour définir les objectifs.",
        "Les objectifs : {goal}, {goal2}.",
        "Nous avons ensuite mis en place {activity} {rhythm} {place}.",
        "Un bilan est réalisé à la fin de chaque saison avec les participants.",
        "Les habitants ont été associés à chaque étape, de la préparation à l'évaluation.",
        "- {goal}\n- {goal2}",
    ),
    "description": (
        "Dans le cadre du projet social, un groupe de travail s'est constitué autour {de_activity}.",
        "À raison d'une réunion par mois depuis {year}, le groupe prépare {activity}.",
        "La coordination et le lien avec les partenaires sont assurés par {actor}.",
        "Les inscriptions se font à l'accueil du centre social.",
        "La participation est gratuite ou adaptée au quotient familial.",
        "Une communication est faite par affiches, flyers et réseaux sociaux.",
    ),
    "results_territory": (
        "Meilleure lisibilité des services proposés sur le territoire.",
        "Des liens renforcés entre les partenaires.",
        "- un temps d'animation supplémentaire sur la commune\n- des solidarités nouvelles créées",
        "Une dynamique collective autour {de_activity}.",
        "Une meilleure connaissance des besoins {de_public}.",
    ),
    "results_centre": (
        "Accueillir de nouveaux publics.",
        "Élargissement de notre réseau de bénévoles.",
        "Une meilleure reconnaissance du centre social par les partenaires.",
        "Renforcement de l'équipe autour {de_activity}.",
        "Le centre social est identifié comme lieu ressource pour {public}.",
    ),
    "results_residents": (
        "Création de lien social et reconnaissance des personnes.",
        "Les participants prennent confiance en eux.",
        "- valorisation des savoir-faire\n- rencontres entre les générations",
        "Plus de facilité à franchir les portes du centre social.",
        "Les habitants s'impliquent dans l'organisation {de_activity}.",
    ),
    "limits": (
        "La difficulté à mobiliser {public} dans la durée.",
        "Taille des locaux d'accueil.",
        "Nombre de bénévoles disponibles.",
        "Des financements à renouveler chaque année.",
        "La mise à jour du projet tous les ans.",
    ),
    "perspectives": (
        "Pérenniser {activity} et l'ouvrir {a_public2}.",
        "Former de nouveaux bénévoles.",
        "Développer le partenariat avec les acteurs locaux ({partner}).",
        "Faire évoluer l'action vers un collectif d'habitants autonome.",
        "Étendre l'action aux communes voisines.",
    ),
    "end_reason": (
        "Fin du financement.",
        "Départ de l'animatrice référente.",
        "Action ponctuelle, réalisée comme prévu.",
        "Le collectif d'habitants a pris le relais.",
    ),
    "initiators_detail": (
        "Le conseil citoyen du quartier.",
        "L'école primaire du secteur.",
        "Une association de parents d'élèves.",
        "Le service jeunesse de la commune.",
    ),
}

STRUCTURE_NAMES = (
    "DES MARAIS",
    "LA PASSERELLE",
    "JEAN MOULIN",
    "DU VIEUX BOURG",
    "L'ARC-EN-CIEL",
    "LES TILLEULS",
    "DU PLATEAU",
    "LA SOURCE",
    "LES ESCALES",
    "PIERRE LEGRAND",
    "DU VAL",
    "LES COURLIS",
    "DE LA RESSOURCE",
    "ALBERT CAMUS",
    "LE PHARE",
    "LA MOSAIQUE",
    "LES HAUTS",
    "DU CHAMP DE FOIRE",
    "LOUISE MICHEL",
    "L'ESCALE",
    "LES GENÊTS",
    "DE LA VALLÉE",
    "LE LIEN",
    "LA CLEF",
    "CROIX ROUGE",
    "DES QUATRE VENTS",
    "LE PRISME",
    "DE L'EUROPE",
    "LES ALLUMÉS",
    "MOSAÏQUES",
)
STRUCTURE_PREFIXES = (
    ("CENTRE SOCIAL", "cs"),
    ("Centre social", "cs"),
    ("CENTRE SOCIO-CULTUREL", "cs"),
    ("MAISON DE QUARTIER", "cs"),
    ("ESPACE DE VIE SOCIALE", "evs"),
    ("EVS", "evs"),
    ("ASSOCIATION", "other"),
)
COMMUNE_STARTS = (
    "Saint-Martin",
    "Villeneuve",
    "Montfort",
    "Beaulieu",
    "Châteauneuf",
    "Fontaine",
    "Roche",
    "Bourg",
    "Val",
    "Mont",
    "Sainte-Marie",
    "Neuville",
    "Bois",
    "Pont",
    "Champ",
)
COMMUNE_ENDS = (
    "",
    "",
    "-sur-Loire",
    "-les-Bains",
    "-en-Bresse",
    "-le-Vieux",
    "-la-Forêt",
    "-sur-Mer",
    "-d'Azur",
)
MONEY = (
    "{n} €",
    "{n} euros",
    "Budget global {year} : {n} €",
    "Caf : {n} €\nCommune : {m} €\nAutofinancement : {k} €",
    "Subvention CLAS {n} €",
)
PEOPLE = (
    "{n} personnes",
    "{n} bénévoles",
    "1 CESF ; 1 volontaire service civique ; {n} bénévoles",
    "Salariés : {k}\nBénévoles : {n}\nHabitants : {m}",
    "{n} familles, {k} animateurs",
)


def _key(label: str) -> str:
    return normalize_key(label)


@dataclass
class Vocabularies:
    """Labels of every vocabulary, and the population weight of each département."""

    statuses: list[str]
    dimensions: list[str]
    keywords: list[str]
    initiators: list[str]
    territories: list[str]
    publics: list[str]
    partners: list[str]
    departements: list[tuple[str, str, str, str]]  # code, name, region code, region name
    weights: list[int]

    @classmethod
    def from_db(cls) -> "Vocabularies":
        from catalogue import models

        def labels(model) -> list[str]:
            return list(model.objects.order_by("position", "label").values_list("label", flat=True))

        deps = list(models.Departement.objects.select_related("region").order_by("code").all())
        return cls(
            statuses=labels(models.ActionStatus),
            dimensions=labels(models.Dimension),
            keywords=labels(models.Keyword),
            initiators=labels(models.Initiator),
            territories=labels(models.Territory),
            publics=labels(models.Public),
            partners=labels(models.PartnerKind),
            departements=[
                (d.code, d.name, d.region_id or "", d.region.name if d.region else "") for d in deps
            ],
            # A collectivity with no known population still hosts a few structures.
            weights=[max(d.population, 5000) for d in deps],
        )


def _popularity(labels: list[str], favourites: Iterable[str]) -> list[float]:
    """Weights for a vocabulary: the favourites 4×, others by decreasing position."""
    fav = {_key(f) for f in favourites}
    return [(4.0 if _key(lab) in fav else 1.0) / (1 + i * 0.04) for i, lab in enumerate(labels)]


class _Writer:
    """Builds the French texts of one sheet from its theme (its keywords)."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def fill(self, template: str, ctx: dict[str, str]) -> str:
        rng = self.rng
        activity = ctx["activity"]
        public = rng.choice(PUBLIC_PHRASES)
        values = {
            "opener": rng.choice(OPENERS).format(year=ctx["year"]),
            "activity": activity,
            "de_activity": _de(activity),
            "public": public,
            "a_public": _a(public),
            "a_public2": _a(rng.choice(PUBLIC_PHRASES)),
            "de_public": _de(public),
            "place": rng.choice(PLACES),
            "rhythm": rng.choice(RHYTHMS),
            "goal": rng.choice(GOALS),
            "goal2": rng.choice(GOALS),
            "actor": rng.choice(ACTORS),
            "de_actor2": _de(rng.choice(ACTORS)),
            "actor_b": rng.choice(ACTORS),
            "partner": ctx["partner"],
            "year": ctx["year"],
        }
        text = template.format(**values)
        return text[:1].upper() + text[1:]

    def paragraph(self, kind: str, ctx: dict[str, str], median_chars: int) -> str:
        """Distinct sentences of `kind` until a log-normal length around `median_chars`."""
        rng = self.rng
        target = int(median_chars * math.exp(rng.gauss(0, 0.7)))
        pool = list(SENTENCES[kind])
        rng.shuffle(pool)
        themes = ctx["themes"]
        # Real sheets break lines between ideas about a third of the time.
        sep = "\n" if rng.random() < 0.35 else " "
        out: list[str] = []
        size = 0
        rounds = 0
        while size < target or not out:
            if not pool:
                # Long texts repeat the structure with other activities, as real reports do.
                rounds += 1
                if rounds > 4:
                    break
                pool = list(SENTENCES[kind])
                rng.shuffle(pool)
            ctx["activity"] = rng.choice(themes)
            sentence = self.fill(pool.pop(), ctx)
            if sentence.startswith("- ") and out:
                out[-1] += "\n"
            out.append(sentence + ("\n" if sentence.startswith("- ") else ""))
            size += len(sentence) + 1
        return "".join(part if part.endswith("\n") else part + sep for part in out).strip()


def _de(phrase: str) -> str:
    """French "de" before a noun phrase: des, du, d'un, de la."""
    for article, contracted in (("les ", "des "), ("le ", "du "), ("des ", "de ")):
        if phrase.startswith(article):
            rest = phrase[len(article) :]
            if contracted == "de " and rest[:1] in "aeéiouyh":
                return "d'" + rest
            return contracted + rest
    if phrase[:1] in "aeéiouyhAEÉIOUYH" and not phrase.startswith(("la ", "l'")):
        return "d'" + phrase
    return "de " + phrase


def _a(phrase: str) -> str:
    """French "à" before a noun phrase: aux, au, à la."""
    for article, contracted in (("les ", "aux "), ("le ", "au ")):
        if phrase.startswith(article):
            return contracted + phrase[len(article) :]
    return "à " + phrase


# How often a text field is filled in the sample (25 sheets), for "full" sheets.
FILL_RATES = {
    "experience": (0.92, 700),
    "description": (0.84, 700),
    "financial_resources": (0.56, 0),
    "people_mobilized": (0.80, 0),
    "results_territory": (0.72, 180),
    "results_centre": (0.64, 200),
    "results_residents": (0.76, 180),
    "limits": (0.60, 180),
    "perspectives": (0.72, 220),
}
# Share of sheets with only a title, a summary and a few choices.
SPARSE_SHARE = 0.15


def synthetic_records(
    count: int, seed: int, vocabularies: Vocabularies | None = None
) -> Iterator[dict[str, Any]]:
    """Yield `count` sheets as record-like dicts (labels, structure as a dict), from `seed` only.

    Each record carries `structure["key"]`, an index shared by the sheets of one structure
    (about 1.5 sheets per structure), and `source_ref`, unique per seed and position.
    """
    voc = vocabularies or Vocabularies.from_db()
    rng = random.Random(seed)
    writer = _Writer(rng)
    keyword_weights = _popularity(
        voc.keywords, ("Famille", "Parentalité", "Solidarité", "Enfance & jeunesse", "Habitants")
    )
    partner_weights = _popularity(voc.partners, ("Caf", "Commune", "Association locale"))
    initiator_weights = _popularity(voc.initiators, ("Le centre social",))
    public_weights = _popularity(voc.publics, ("Tous publics", "familles", "Jeunesse"))
    dim_weights = [3.0, 1.6, 2.0][: len(voc.dimensions)] + [1.0] * max(0, len(voc.dimensions) - 3)
    status_weights = [0.7, 0.3][: len(voc.statuses)] + [0.1] * max(0, len(voc.statuses) - 2)

    structure_count = max(1, round(count / 1.5))
    structures: list[dict[str, Any]] = []
    seen_names: set[tuple[str, str]] = set()
    dep_choices = rng.choices(range(len(voc.departements)), weights=voc.weights, k=structure_count)
    for index, dep_index in enumerate(dep_choices):
        code, dep_name, region_code, region_name = voc.departements[dep_index]
        prefix, kind = rng.choice(STRUCTURE_PREFIXES)
        commune = rng.choice(COMMUNE_STARTS) + rng.choice(COMMUNE_ENDS)
        name = f"{prefix} {rng.choice(STRUCTURE_NAMES)}"
        if (name, code) in seen_names:
            name = f"{name} {commune.upper()}"
        if (name, code) in seen_names:
            name = f"{name} ({index})"
        seen_names.add((name, code))
        structures.append(
            {
                "key": index,
                "name": name,
                "type": kind,
                "commune": commune,
                "departement": {"code": code, "name": dep_name},
                "region": {"code": region_code, "name": region_name} if region_code else None,
            }
        )
    # Every structure has one sheet; the other third goes to structures at random.
    owners = list(range(structure_count))[:count]
    owners += [rng.randrange(structure_count) for _ in range(count - len(owners))]
    rng.shuffle(owners)

    base = datetime(2015, 1, 1, tzinfo=UTC)
    for position in range(count):
        structure = structures[owners[position]]
        year = rng.choices(YEARS, weights=YEAR_WEIGHTS)[0]
        n_keywords = rng.choices((1, 2, 3, 4, 5), weights=(32, 22, 30, 9, 7))[0]
        keywords = _sample(rng, voc.keywords, keyword_weights, n_keywords)
        themes: list[str] = []
        for kw in keywords:
            themes.extend(THEMES.get(_key(kw), GENERIC))
        title_pool: list[str] = []
        for kw in keywords:
            title_pool.extend(TITLES.get(_key(kw), GENERIC_TITLES))
        title = rng.choice(title_pool) + rng.choice(TITLE_SUFFIXES).format(year=year)
        if rng.random() < 0.12:
            title = title.upper()
        partners = _sample(rng, voc.partners, partner_weights, rng.choice((1, 2, 3, 3, 4, 5, 6)))
        ctx = {"themes": themes, "year": str(year), "partner": ", ".join(partners[:3])}
        status = rng.choices(voc.statuses, weights=status_weights)[0] if voc.statuses else ""
        sparse = rng.random() < SPARSE_SHARE
        finished = _key(status) == "terminee"
        initiators = _sample(rng, voc.initiators, initiator_weights, rng.choice((1, 1, 1, 2, 3)))
        record: dict[str, Any] = {
            "source_ref": f"{SOURCE_REF_PREFIX}-{seed}-{position}",
            "title": title,
            "year": year,
            "status": status,
            "end_reason": (
                writer.paragraph("end_reason", ctx, 30) if finished and rng.random() < 0.4 else ""
            ),
            "dimension": (
                rng.choices(voc.dimensions, weights=dim_weights)[0]
                if voc.dimensions and rng.random() < 0.95
                else ""
            ),
            "keywords": keywords,
            "summary": writer.paragraph("summary", ctx, 550) if rng.random() < 0.98 else "",
            "initiators": initiators,
            "initiators_detail": (
                writer.paragraph("initiators_detail", ctx, 40)
                if ("Autre" in initiators or rng.random() < 0.2)
                else ""
            ),
            "territory": rng.choice(voc.territories) if rng.random() < 0.96 else "",
            "publics": (
                _sample(rng, voc.publics, public_weights, rng.choice((1, 1, 1, 1, 1, 2)))
                if rng.random() < 0.92
                else []
            ),
            "action_partners": partners if rng.random() < 0.96 else [],
            "financial_partners": (
                _sample(rng, voc.partners, partner_weights, rng.choice((1, 1, 2, 3)))
                if rng.random() < 0.6
                else []
            ),
        }
        for name, (rate, median) in FILL_RATES.items():
            if sparse or rng.random() >= rate:
                record[name] = ""
            elif name == "financial_resources":
                record[name] = rng.choice(MONEY).format(
                    n=rng.randrange(200, 40000), m=rng.randrange(100, 9000),
                    k=rng.randrange(50, 2000), year=year,
                )  # fmt: skip
            elif name == "people_mobilized":
                record[name] = rng.choice(PEOPLE).format(
                    n=rng.randrange(2, 120), m=rng.randrange(5, 300), k=rng.randrange(1, 6)
                )
            else:
                record[name] = writer.paragraph(name, ctx, median)
        if sparse:
            for name in ("initiators_detail", "end_reason"):
                record[name] = ""
        created = base + timedelta(
            days=(year - 2015) * 365 + rng.randrange(330), seconds=rng.randrange(86400)
        )
        record["created_at"] = created
        record["updated_at"] = created + timedelta(days=rng.randrange(0, 30))
        record["structure"] = structure
        yield record


def _sample(rng: random.Random, labels: list[str], weights: list[float], k: int) -> list[str]:
    """`k` distinct labels drawn by weight, in vocabulary order."""
    k = min(k, len(labels))
    chosen: set[int] = set()
    while len(chosen) < k:
        chosen.add(rng.choices(range(len(labels)), weights=weights)[0])
    return [labels[i] for i in sorted(chosen)]


# --- Database writer -----------------------------------------------------------------------------


@dataclass
class GenerationReport:
    sheets: int = 0
    structures: int = 0
    sheet_ids: list[int] = field(default_factory=list)


class SyntheticDataExists(Exception):
    """Sheets of this seed are already in the database."""


def synthetic_sheets(seed: int | None = None):
    from catalogue.models import ActionSheet, Source

    prefix = f"{SOURCE_REF_PREFIX}-{seed}-" if seed is not None else f"{SOURCE_REF_PREFIX}-"
    return ActionSheet.objects.filter(source=Source.ESSAIMAGE, source_ref__startswith=prefix)


@transaction.atomic
def delete_synthetic(seed: int | None = None) -> int:
    """Delete the synthetic sheets of `seed` (all seeds if None) and structures left without sheets."""
    from catalogue.models import ActionSheet, Structure
    from catalogue.signals import sheets_changed

    sheets = synthetic_sheets(seed)
    ids = list(sheets.values_list("pk", flat=True))
    structure_ids = set(sheets.values_list("structure_id", flat=True))
    for start in range(0, len(ids), 5000):
        ActionSheet.objects.filter(pk__in=ids[start : start + 5000]).delete()
    structure_ids_list = list(structure_ids)
    for start in range(0, len(structure_ids_list), 5000):
        Structure.objects.filter(
            pk__in=structure_ids_list[start : start + 5000], sheets__isnull=True
        ).delete()
    if ids:
        sheets_changed.send(sender=delete_synthetic, sheet_ids=ids)
    return len(ids)


def generate_sheets(
    count: int, seed: int, *, batch_size: int = 2000, progress=None
) -> GenerationReport:
    """Write `count` published synthetic sheets of `seed` and their structures.

    Writes in batches (one transaction each, `sheets_changed` sent per batch). Raises
    SyntheticDataExists if sheets of this seed are already there (delete them first).
    """
    from catalogue import models

    if synthetic_sheets(seed).exists():
        raise SyntheticDataExists(seed)
    voc = Vocabularies.from_db()
    ids = {
        name: {v.label: v.pk for v in model.objects.all()}
        for name, model in (
            ("status", models.ActionStatus),
            ("dimension", models.Dimension),
            ("keywords", models.Keyword),
            ("initiators", models.Initiator),
            ("territory", models.Territory),
            ("publics", models.Public),
            ("partners", models.PartnerKind),
        )
    }
    ids["action_partners"] = ids["financial_partners"] = ids["partners"]
    report = GenerationReport()
    structure_pks: dict[int, int] = {}
    existing = {
        (name, dep): pk
        for pk, name, dep in models.Structure.objects.values_list("pk", "name", "departement_id")
    }
    batch: list[dict[str, Any]] = []
    for record in synthetic_records(count, seed, voc):
        batch.append(record)
        if len(batch) >= batch_size:
            _write_batch(batch, ids, structure_pks, existing, report)
            batch = []
            if progress:
                progress(report.sheets)
    if batch:
        _write_batch(batch, ids, structure_pks, existing, report)
        if progress:
            progress(report.sheets)
    return report


M2M = LIST_FIELDS
SIGNAL_SHEETS = 250


@transaction.atomic
def _write_batch(batch, ids, structure_pks, existing, report: GenerationReport) -> None:
    from catalogue.bulk import add_relation_rows, create_sheets
    from catalogue.models import ActionSheet, PublicationStatus, Source, Structure
    from catalogue.signals import sheets_changed

    new_structures = []
    for record in batch:
        s = record["structure"]
        if s["key"] in structure_pks:
            continue
        found = existing.get((s["name"], s["departement"]["code"]))
        if found:
            structure_pks[s["key"]] = found
            continue
        structure_pks[s["key"]] = -1  # placeholder until created
        new_structures.append(
            (
                s["key"],
                Structure(
                    name=s["name"],
                    type=s["type"],
                    commune=s["commune"],
                    departement_id=s["departement"]["code"],
                ),
            )
        )
    created = Structure.objects.bulk_create([obj for _, obj in new_structures])
    for (key, _), obj in zip(new_structures, created, strict=True):
        structure_pks[key] = obj.pk
        existing[(obj.name, obj.departement_id)] = obj.pk
    report.structures += len(created)

    sheets = []
    for r in batch:
        sheets.append(
            ActionSheet(
                title=r["title"][:300],
                structure_id=structure_pks[r["structure"]["key"]],
                status_id=ids["status"].get(r["status"]),
                dimension_id=ids["dimension"].get(r["dimension"]),
                territory_id=ids["territory"].get(r["territory"]),
                year=r["year"],
                publication_status=PublicationStatus.PUBLISHED,
                source=Source.ESSAIMAGE,
                source_ref=r["source_ref"],
                created_at=r["created_at"],
                updated_at=r["updated_at"],
                published_at=r["updated_at"],
                **{name: r[name] for name in TEXT_FIELDS},
            )
        )
    sheets = create_sheets(sheets)
    for name in M2M:
        add_relation_rows(
            name,
            (
                (sheet.pk, ids[name][label])
                for sheet, r in zip(sheets, batch, strict=True)
                for label in r[name]
                if label in ids[name]
            ),
        )
    new_ids = [s.pk for s in sheets]
    report.sheets += len(sheets)
    report.sheet_ids.extend(new_ids)
    # In parts, so that the similarity profiles find the texts the search index has just
    # analysed in search.analysis's cache of recent texts (4,096 texts: some 800 sheets).
    for start in range(0, len(new_ids), SIGNAL_SHEETS):
        sheets_changed.send(
            sender=generate_sheets, sheet_ids=new_ids[start : start + SIGNAL_SHEETS]
        )
    # With DEBUG, Django keeps the last 9,000 queries, texts included (SQLite prints the
    # values): hundreds of MB at 100,000 sheets. A batch needs none of them afterwards.
    reset_queries()


# --- SENACS text export --------------------------------------------------------------------------

SENACS_LABELS = (
    ("status", "Statut de l'action"),
    ("end_reason", "Raisons pour lesquelles l'action est terminée"),
    ("dimension", "Dimension"),
    ("keywords", "Mots clés associés à l'action"),
    ("summary", "Résumé"),
    ("initiators", "Qui est à l'initiative de l'action ?"),
    ("initiators_detail", "Précision ( si autre )"),
    ("territory", "Territoire concerné"),
    (
        "experience",
        "Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases.",
    ),
    ("publics", "Public"),
    ("action_partners", "Avec qui cette action a-t-elle été menée ?"),
    ("territory", "Territoire concerné"),
    ("description", "Description générale"),
    ("financial_resources", "Ressources financières mobilisées pour cette action"),
    ("people_mobilized", "Nombre de personnes mobilisés pour cette action"),
    ("results_territory", "Résultat sur le territoire"),
    ("results_centre", "Résultat pour le centre social"),
    ("results_residents", "Résultat pour les habitants"),
    ("limits", "Suite de l'action : Limites"),
    ("perspectives", "Suite de l'action : Perspectives"),
)
LIST_KEYS = ("keywords", "initiators", "publics")


def write_senacs_export(records: Iterable[dict[str, Any]], out: TextIO, *, page_size: int = 25):
    """Print records in the SENACS text export format (PRODUCT §4); returns the sheet count.

    Pages of `page_size` sheets each start with the header and the listing table (which carries
    the years). Records come from `synthetic_records` or `catalogue.records.sheet_record`.
    """
    written = 0
    page: list[dict[str, Any]] = []

    def flush():
        if not page:
            return
        out.write(
            "Les actions des centres sociaux\nNom | Département | Année |\n--- | --- | --- |\n"
        )
        for r in page:
            dep = (r["structure"].get("departement") or {}).get("name", "")
            out.write(f"{r['title']} | {dep} | {r['year'] or ''} |\n")
        for r in page:
            _write_sheet(r, out)
        page.clear()

    for record in records:
        page.append(record)
        written += 1
        if len(page) >= page_size:
            flush()
    flush()
    return written


def _write_sheet(r: dict[str, Any], out: TextIO) -> None:
    structure = r["structure"]
    dep = (structure.get("departement") or {}).get("name", "")
    lines = ["Actions", r["title"], "- Structure organisatrice"]
    lines.append(f"- {structure['name']} - {dep}" if dep else f"- {structure['name']}")
    lines.append("- Fichier(s) associé(s)")
    for key, label in SENACS_LABELS:
        lines.append(f"- {label}")
        value = r.get(key)
        if key in LIST_KEYS:
            if value:
                lines.append("-")
                lines.extend(f"- {v}" for v in value)
        elif key == "action_partners":
            if value:
                lines.append("-")
                lines.append("Partenaires d'action:")
                lines.extend(f"- {v}" for v in value)
        elif key in CHOICE_FIELDS:
            if value:
                lines.append(f"- {value}")
        elif value:
            lines.append(value)
    out.write("\n".join(lines))
    out.write("\n")
