"""Maps of a selection: départements or régions shaded by their number of sheets.

The counts come from the statistics' GROUP BY rows (no query of their own); the reference list
of départements is one small query.
"""

from dataclasses import replace

from django.urls import reverse

from catalogue.models import Departement, Region
from search.query import SheetQuery
from stats.geo import FranceMap, Shape, france_map

VIEWS = {"departements": "Par département", "regions": "Par région"}


def reference_departements() -> list[tuple[str, str, str]]:
    """(code, name, région code) of every département of the reference table."""
    return [
        (code, name, region or "")
        for code, name, region in Departement.objects.order_by("code").values_list(
            "code", "name", "region_id"
        )
    ]


def selection_map(
    query: SheetQuery,
    by_departement: dict[str, int],
    by_region: dict[str, int],
    *,
    view: str = "departements",
    departements: list[tuple[str, str, str]] | None = None,
    region_names: dict[str, str] | None = None,
) -> FranceMap:
    """The map of the statistics page for `query`.

    - view "departements": each département shaded by its sheets, linking to the catalogue
      filtered on it; zoomed on the région when the selection holds exactly one région.
    - view "regions": each département shaded by its région's sheets, linking to the
      statistics of that région (where the map zooms to its départements).
    """
    departements = departements if departements is not None else reference_departements()
    pairs = [(code, name) for code, name, _ in departements]
    catalogue = reverse("catalogue:sheet-list")
    overview = reverse("stats:overview")
    if view == "regions":
        region_of = {code: region for code, _, region in departements}
        counts = {code: by_region.get(region_of[code], 0) for code, _ in pairs}

        def url_for(code: str) -> str:
            region = region_of[code]
            if not region:
                return ""
            return f"{overview}?{replace(query, region=(region,), departement=()).querystring()}"

        result = france_map(
            pairs, counts, url_for, title="Fiches par région", area_word="département"
        )
        # Every région named, those without sheets too (Île-de-France, Corse: "0 fiche").
        names = {**dict(Region.objects.values_list("code", "name")), **(region_names or {})}
        result.shapes = [
            replace(
                shape,
                label=(
                    f"{names[region_of[shape.code]]} : {shape.count} "
                    f"fiche{'s' if shape.count > 1 else ''} ({shape.name})"
                    if region_of[shape.code] in names
                    else f"{shape.name} : collectivité d'outre-mer rattachée à aucune région"
                ),
            )
            for shape in result.shapes
        ]
        # the data table and text alternative speak of régions, not of their départements
        rows = [
            Shape(
                code,
                names.get(code, code),
                "",
                count,
                "",
                f"{overview}?{replace(query, region=(code,), departement=()).querystring()}",
            )
            for code, count in sorted(by_region.items(), key=lambda item: (-item[1], item[0]))
            if count
        ]
        top = ", ".join(f"{r.name} ({r.count})" for r in rows[:5])
        n = len(rows)
        result.rows = rows
        result.description = (
            f"Fiches par région : {n} région{'s' if n > 1 else ''} "
            f"{'ont' if n > 1 else 'a'} au moins une fiche"
            + (f" ; les plus nombreuses : {top}." if top else ".")
        )
        return result

    zoom = None
    if len(query.region) == 1:
        zoom = {code for code, _, region in departements if region == query.region[0]} or None

    def url_for(code: str) -> str:
        return f"{catalogue}?{replace(query, departement=(code,), sort='').querystring()}"

    title = "Fiches par département"
    if zoom:
        name = (region_names or {}).get(query.region[0])
        title += f" : {name}" if name else " de la région"
    return france_map(pairs, by_departement, url_for, zoom=zoom, title=title)


def departement_page_map(departement: Departement, by_departement: dict[str, int]) -> FranceMap:
    """The région of a département page, its départements shaded, the page's own highlighted."""
    departements = reference_departements()
    zoom = None
    if departement.region_id:
        zoom = {code for code, _, region in departements if region == departement.region_id}
    zoom = zoom or {departement.code}
    return france_map(
        [(code, name) for code, name, _ in departements],
        by_departement,
        lambda code: reverse("catalogue:departement-detail", args=[code]),
        zoom=zoom,
        current=departement.code,
        title="Fiches par département de la région",
    )
