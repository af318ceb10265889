"""Response and parameter schemas of the API (they make the OpenAPI document)."""

from typing import Literal

from ninja import Field, Schema
from pydantic import create_model

from catalogue.fields import LIST_FIELDS, SHEET_FIELDS

DATE_TIME = {"format": "date-time"}


class Territory(Schema):
    code: str
    name: str


class StructureRef(Schema):
    id: int
    name: str
    type: Literal["cs", "evs", "other"] = Field(
        description="cs : centre social, evs : espace de vie sociale, other : autre."
    )
    departement: Territory | None
    region: Territory | None


class AttachmentOut(Schema):
    name: str
    url: str
    size: int


class ArchiveSection(Schema):
    label: str = Field(description="La question de l'ancienne fiche SENACS.")
    text: str


class ArchiveOut(Schema):
    """Ce qu'ajoute une fiche archivée de SENACS (ancien questionnaire)."""

    senacs_id: int | None
    senacs_url: str = Field(description="Adresse de la fiche sur SENACS.")
    themes: list[str]
    sections: list[ArchiveSection]


# The sheet's own fields (catalogue.fields, SENACS order); a few carry a description for the
# OpenAPI document, read by API users: in French.
SHEET_FIELD_DESCRIPTIONS = {
    "status": "Statut de l'action.",
    "end_reason": "Raisons pour lesquelles l'action est terminée.",
    "keywords": "Mots clés associés à l'action.",
    "summary": "Résumé.",
    "initiators": "Qui est à l'initiative de l'action ?",
    "initiators_detail": "Précision (si autre).",
    "territory": "Territoire concerné.",
}


def _sheet_type(name: str) -> type:
    return list[str] if name in LIST_FIELDS else str


def _sheet_fields(field_of) -> dict:
    """pydantic field definitions (annotation, default) of every field after the title."""
    return {name: field_of(name, _sheet_type(name)) for name in SHEET_FIELDS[1:]}


def _described(name: str, annotation: type) -> tuple:
    if name in SHEET_FIELD_DESCRIPTIONS:
        return annotation, Field(description=SHEET_FIELD_DESCRIPTIONS[name])
    return annotation, ...


_ActionRecordFields = create_model(
    "_ActionRecordFields",
    __base__=Schema,
    id=(int, ...),
    title=(str, Field(description="Titre de l'action.")),
    year=(int | None, Field(description="Année (null si inconnue).")),
    **_sheet_fields(_described),
)


class ActionRecord(_ActionRecordFields):
    # The docstring is the OpenAPI description, read by API users: in French.
    """Une fiche au format canonique (celui des exports JSON et des sauvegardes) ; les valeurs
    des vocabulaires y figurent par leur libellé."""

    attachments: list[AttachmentOut]
    structure: StructureRef
    publication_status: Literal["published"]
    created_at: str = Field(json_schema_extra=DATE_TIME)
    updated_at: str = Field(json_schema_extra=DATE_TIME)
    url: str = Field(description="Adresse de la fiche sur Essaimage.")
    archive: ArchiveOut | None = Field(
        default=None, description="Fiche archivée de SENACS : ses questions (sinon null)."
    )


class SimilarOut(Schema):
    id: int
    title: str
    reasons: list[str] = Field(
        description="Ce que les deux fiches ont en commun, en mots (« même public : familles »)."
    )


class ActionDetail(ActionRecord):
    similar: list[SimilarOut] = Field(
        description="Jusqu'à 6 fiches publiées d'autres structures, les plus proches d'abord."
    )


class ActionHit(ActionRecord):
    snippet: str | None = Field(
        None, description="Extrait où les mots cherchés sont entourés de <mark> (si q est donné)."
    )


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class PlaceOut(Schema):
    kind: str = Field(description="departement, region ou commune.")
    label: str = Field(description="Nom du lieu (« Gironde », « Saint-Denis »).")
    typed: str = Field(description="Le texte tapé reconnu comme ce lieu (« en Gironde »).")
    name: str = Field(description="Le nom à passer dans as_text pour chercher ce texte comme mot.")
    filter: str = Field(description="Le filtre appliqué : departement, region ou structure.")
    values: list[str] = Field(description="Les valeurs de ce filtre (codes ou structures).")


class ActionList(Schema):
    count: int = Field(description="Nombre total de fiches correspondantes.")
    page: int
    page_size: int
    num_pages: int
    text: str = Field(
        description="Le texte cherché, sans les lieux reconnus (q tel qu'il est cherché)."
    )
    places: list[PlaceOut] = Field(
        description="Les lieux reconnus dans q, appliqués comme filtres et retirés du texte."
    )
    notices: list[str] = Field(
        default_factory=list,
        description="Remarques sur la recherche, par exemple un mot qu'aucune fiche ne contient.",
    )
    results: list[ActionHit]
    facets: dict[str, list[FacetValueOut]]


class ActionFilters(Schema):
    # The docstring is the OpenAPI description, read by API users: in French.
    """Les paramètres de recherche du catalogue (les mêmes sur /actions/ et dans les exports)."""

    q: str | None = Field(None, description="Recherche en texte libre.", max_length=200)
    departement: list[str] = Field([], description="Codes INSEE de départements (35, 2A, 974…).")
    region: list[str] = Field([], description="Codes INSEE de régions.")
    keywords: list[str] = Field([], description="Mots clés (code de la valeur).")
    dimension: list[str] = Field([], description="Dimensions (code de la valeur).")
    status: list[str] = Field([], description="Statuts de l'action (code de la valeur).")
    publics: list[str] = Field([], description="Publics (code de la valeur).")
    territory: list[str] = Field([], description="Territoires concernés (code de la valeur).")
    initiators: list[str] = Field([], description="Initiateurs (code de la valeur).")
    action_partners: list[str] = Field([], description="Partenaires d'action (code).")
    financial_partners: list[str] = Field([], description="Partenaires financiers (code).")
    structure: list[str] = Field([], description="Identifiants de structures.")
    structure_type: list[str] = Field([], description="Types de structure : cs, evs, other.")
    year: list[str] = Field([], description="Années.")
    as_text: list[str] = Field(
        [],
        description=(
            "Noms de lieux à chercher comme texte et non comme filtre (sinon un département, "
            "une région ou une commune écrit dans q devient un filtre)."
        ),
    )
    year_min: int | None = Field(None, ge=1900, le=2100, description="Année minimale.")
    year_max: int | None = Field(None, ge=1900, le=2100, description="Année maximale.")
    sort: str | None = Field(
        None,
        description=(
            "Tri : relevance (pertinence, avec q), title, departement, year, recent "
            "(les plus récentes). Par défaut : pertinence avec q, titre sinon."
        ),
    )
    page: int = Field(1, ge=1, le=100000, description="Page (à partir de 1).")
    page_size: int = Field(25, ge=1, le=100, description="Fiches par page (100 au plus).")


class ParamError(Schema):
    parameter: str
    message: str


class ErrorOut(Schema):
    detail: str = Field(description="Message d'erreur en français.")
    errors: list[ParamError] = []


class StructureOut(StructureRef):
    address: str = Field(description="Adresse (rue), vide si inconnue.")
    commune: str
    postcode: str
    commune_code: str = Field(description="Code INSEE de la commune, vide si inconnu.")
    siret: str = Field(description="SIRET (14 chiffres), vide si inconnu.")
    phone: str = Field(description="Téléphone de la structure, vide si inconnu.")
    email: str = Field(
        description="Courriel de contact donné par la structure pour être publié, sinon vide."
    )
    website: str
    sheet_count: int = Field(description="Nombre de fiches publiées.")
    url: str


class StructureDetail(StructureOut):
    sheets: list["SheetLink"]


class SheetLink(Schema):
    id: int
    title: str
    year: int | None
    url: str


class StructureList(Schema):
    count: int
    page: int
    page_size: int
    num_pages: int
    results: list[StructureOut]


class DepartementOut(Schema):
    code: str
    name: str
    region: Territory | None
    sheet_count: int = Field(description="Nombre de fiches publiées.")
    structure_count: int = Field(description="Nombre de structures ayant une fiche publiée.")


class VocabularyValue(Schema):
    value: str
    label: str
    count: int = Field(description="Nombre de fiches publiées portant cette valeur.")


class Vocabulary(Schema):
    name: str = Field(description="Nom du paramètre de filtre et du champ de la fiche.")
    label: str
    values: list[VocabularyValue]


def _empty(name: str, annotation: type) -> tuple:
    return annotation, [] if annotation is not str else ""


def _optional(name: str, annotation: type) -> tuple:
    return annotation | None, None


_SheetInputFields = create_model(
    "_SheetInputFields",
    __base__=Schema,
    title=(str, Field(min_length=1, max_length=300)),
    structure=(int | None, Field(None, description="Identifiant de la structure (obligatoire).")),
    year=(int | None, Field(None, ge=1900, le=2100)),
    **_sheet_fields(_empty),
)


class SheetInput(_SheetInputFields):
    """A sheet as written through the API: texts, and vocabulary values by their label."""

    version: int | None = Field(
        None, description="Version lue (refuse d'écraser une modification)."
    )


_SheetPatchFields = create_model(
    "_SheetPatchFields",
    __base__=Schema,
    title=(str | None, Field(None, min_length=1, max_length=300)),
    year=(int | None, Field(None, ge=1900, le=2100)),
    **_sheet_fields(_optional),
)


class SheetPatch(_SheetPatchFields):
    """The fields to change; the others keep their value."""

    version: int | None = Field(
        None,
        description=(
            "Obligatoire : la version lue (`version` de la réponse précédente). Absente : 428 ; "
            "périmée (quelqu'un a enregistré entre-temps) : 409, rien n'est écrasé."
        ),
    )


class DraftOut(Schema):
    id: int
    title: str
    publication_status: str = Field(description="État de la fiche publique (draft, published…).")
    working_state: str = Field(description="État du travail en cours (brouillon, en relecture…).")
    version: int
    edit_url: str = Field(description="Page de modification sur le site.")


StructureDetail.model_rebuild()
