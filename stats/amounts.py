"""Read a budget and a number of people from the free text of a sheet (no database).

`read_budget(text)` and `read_people(text)` answer a reading only when the text leaves no
doubt; otherwise None. A wrong figure is worse than none: every rule below refuses rather than
guesses (several different totals, amounts per month or per season, ranges, two-column budget
tables, counts of families or of unknown things...). Judged on real phrases in
stats/tests/test_amounts.py, which prints the measured precision and coverage.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

SPACES = "\u00a0\u202f\u2009 "
_SPACE = f"[{SPACES}]"

# An amount: 22 475 | 22.475 | 2640,20 | 1 117,50 | 5000 | 1,5 (before k€)
NUMBER = rf"(?<![\d,.])(?:\d{{1,3}}(?:{_SPACE}\d{{3}})+|\d{{1,3}}(?:\.\d{{3}})+|\d+)(?:,\d{{1,2}})?(?![\d])"
EURO = r"(?:€|euros?\b|eur\b)"
# Euros also written "e" / "E" ("12000 e", "800e"): only after a space or three digits, so an
# ordinal ("2e édition") is not an amount.
MONEY = re.compile(
    rf"(?P<number>{NUMBER})(?:{_SPACE}*(?P<k>k{_SPACE}*)?{EURO}|(?P<e>{_SPACE}*e)\b(?!['’]))",
    re.IGNORECASE,
)
BARE_NUMBER = re.compile(rf"(?P<number>{NUMBER})")

TOTAL_LABEL = re.compile(
    r"\b(budget(?:\s+(?:global|total|annuel|prévisionnel))?|co[uû]t(?:\s+(?:total|global))?"
    r"|montant(?:\s+total)?|total(?:\s+général)?|s['’]élèvent?\s+à|soit)\b",
    re.IGNORECASE,
)
# Amounts that are not a budget: per period or per head, averages, ranges.
RATE = re.compile(
    r"^\s*(?:par|/)\s*(?:an|année|mois|semaine|jour|séance|saison|personne|enfant|famille|"
    r"participant|heure|h|atelier|session|trimestre)\b|^\s*(?:mensuel|hebdo)",
    re.IGNORECASE,
)
RANGE_BEFORE = re.compile(
    r"(?:\bentre[ \u00a0]*|\d[ \u00a0]*(?:k?€|euros?)?[ \u00a0]*(?:à|-|–|et)[ \u00a0]*)$",
    re.IGNORECASE,
)
RANGE_AFTER = re.compile(rf"^\s*(?:à|et|-|–){_SPACE}*{NUMBER}", re.IGNORECASE)
APPROXIMATE = re.compile(
    r"(?:environ|en\s+moyenne|moyenne|approximativement|près\s+de|~)\s*$", re.IGNORECASE
)
LABEL_COLON_NUMBER = re.compile(rf"^[^:\d\n]{{0,40}}:\s*(?P<number>{NUMBER})(?![\d,.]*\s*%)")
PERCENT_AFTER = re.compile(r"^\s*%")

# Funders, as written -> kind (labels of the partner vocabulary where one fits).
FUNDERS = (
    (r"\bcaf\b|caisse d['’]allocations? familiales", "Caf"),
    (r"\bmsa\b", "MSA"),
    (r"\bcarsat\b", "CARSAT"),
    (r"conseil\s+d[ée]partemental|\bd[ée]partement\b|\bcd\s?\d*\b", "Conseil départemental"),
    (r"conseil\s+r[ée]gional|\br[ée]gion\b", "Conseil régional"),
    (r"\bacs[ée]\b", "ACSE"),
    (r"\bddcs\b", "DDCS"),
    (r"pr[ée]fecture", "Préfecture"),
    (r"\b[ée]tat\b|\bcget\b|politique de la ville|\bdrdjscs\b", "Etat"),
    (
        r"agglom[ée]ration|communaut[ée] (?:de communes|urbaine|d['’]agglom[ée]ration)|\bepci\b"
        r"|m[ée]tropole",
        "Regroupement de communes",
    ),
    (r"\bcommunes?\b|\bville\b|\bmairie\b|municipal|\bccas\b", "Commune"),
    (r"fondation", "Fondations"),
    (r"bailleur|\bhabitat\b|\bhlm\b", "Bailleur social"),
    (r"entreprise|m[ée]c[ée]nat", "Entreprise privée"),
    (r"participation|usagers|familles|habitants|adh[ée]rents|inscriptions|recettes", "Usagers"),
    (r"autofinancement|fonds propres|centre social", "Structure"),
)
FUNDER_PATTERNS = [(re.compile(p, re.IGNORECASE), kind) for p, kind in FUNDERS]


@dataclass(frozen=True)
class Funding:
    kind: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Budget:
    total: Decimal
    source: str  # the phrase the total was read from
    funders: list[Funding] = field(default_factory=list)


@dataclass(frozen=True)
class People:
    count: int
    source: str


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    return text.replace("’", "'")


def parse_number(raw: str) -> Decimal:
    """'22 475' -> 22475, '2640,20' -> 2640.20, '22.475' -> 22475."""
    raw = re.sub(_SPACE, "", raw)
    if "," in raw:
        whole, decimals = raw.split(",")
        return Decimal(whole.replace(".", "") + "." + decimals)
    return Decimal(raw.replace(".", ""))


def funder_kind(label: str) -> str:
    for pattern, kind in FUNDER_PATTERNS:
        if pattern.search(label):
            return kind
    return ""


@dataclass
class _Amount:
    value: Decimal
    start: int
    end: int
    line: str
    line_start: int
    euro: bool


def _money(text: str) -> list[_Amount] | None:
    """Every euro amount of `text`, or None when one of them is not a plain amount."""
    amounts = []
    for match in MONEY.finditer(text):
        if match["e"] and not match["e"][:-1] and len(re.sub(r"\D", "", match["number"])) < 3:
            continue  # "2e", "10e": an ordinal
        before, after = text[: match.start()], text[match.end() :]
        if RATE.match(after) or RANGE_AFTER.match(after) or RANGE_BEFORE.search(before[-8:]):
            return None
        if APPROXIMATE.search(before[-20:]):
            return None
        value = parse_number(match["number"])
        if match["k"]:
            value *= 1000
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        amounts.append(_Amount(value, match.start(), match.end(), line, line_start, True))
    return amounts


def _line_amount(line: str) -> Decimal | None:
    """`LABEL: 1117,50` or `LABEL : 1 000 €` -> the amount after the last colon, if plain."""
    if ":" not in line:
        return None
    tail = line.rsplit(":", 1)[1]
    match = re.fullmatch(rf"\s*(?P<number>{NUMBER})\s*(?:{EURO})?\s*\.?\s*", tail, re.IGNORECASE)
    if not match or PERCENT_AFTER.match(tail[match.end("number") :]):
        return None
    return parse_number(match["number"])


def _phrase(text: str, start: int, end: int) -> str:
    """The sentence or line around text[start:end], for showing where a figure came from."""
    sentence = text.rfind(". ", 0, start)
    left = max(text.rfind("\n", 0, start) + 1, sentence + 2 if sentence >= 0 else 0)
    stops = [i for i in (text.find("\n", end), text.find(". ", end)) if i >= 0]
    right = min(stops) if stops else len(text)
    return text[left:right].strip(" -•\t")[:300]


def _labelled_totals(text: str) -> list[tuple[Decimal, str]] | None:
    """Amounts introduced by a total label ("Budget global 2019 : 22 475 €", "Coût: 2640,20",
    "s'élève à 9300 €"). None when a labelled total is followed by a two-column table."""
    totals = []
    lines = text.split("\n")
    for index, line in enumerate(lines):
        label = TOTAL_LABEL.search(line)
        if not label:
            continue
        rest = line[label.end() :]
        money = MONEY.search(rest)
        if money and not RATE.match(rest[money.end() :]):
            if RANGE_AFTER.match(rest[money.end() :]):
                return None
            value = parse_number(money["number"]) * (1000 if money["k"] else 1)
            totals.append((value, line.strip(" -•\t")))
            continue
        colon = LABEL_COLON_NUMBER.match(rest)
        if colon:
            totals.append((parse_number(colon["number"]), line.strip(" -•\t")))
            continue
        if line.strip().lower().startswith("total") and index + 1 < len(lines):
            # a table cell: the figures follow one per line; several columns -> ambiguous
            following = []
            for nxt in lines[index + 1 : index + 4]:
                if re.fullmatch(rf"\s*{NUMBER}\s*(?:{EURO})?\s*", nxt, re.IGNORECASE):
                    following.append(nxt)
                else:
                    break
            if len(following) > 1:
                return None
            if following:
                totals.append((parse_number(following[0].strip(" €")), line.strip()))
    return totals


def read_budget(text: str) -> Budget | None:
    """The total budget of a "Ressources financières mobilisées" text, with amounts by funder."""
    text = _clean(text)
    if not text.strip():
        return None
    amounts = _money(text)
    if amounts is None:
        return None
    totals = _labelled_totals(text)
    if totals is None:
        return None
    funders = _funders(text, amounts, {source for _, source in totals})
    distinct_totals = {value for value, _ in totals}
    if len(distinct_totals) > 1:
        return None
    if totals:
        value, source = totals[0]
        return Budget(value, source, funders)
    if not amounts:
        return None
    if len(amounts) == 1:
        only = amounts[0]
        return Budget(only.value, _phrase(text, only.start, only.end), funders)
    # "6 500 € dont 3 000 € de la CAF": the first amount, the others being parts of it
    first, parts = amounts[0], amounts[1:]
    if all(re.search(r"\bdont\b", text[first.end : a.start]) for a in parts) and all(
        a.value < first.value for a in parts
    ):
        return Budget(first.value, _phrase(text, first.start, first.end), funders)
    # several amounts, no total: a list of lines with one amount each is a budget in parts
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) == len(amounts) and all(
        len(MONEY.findall(line)) == 1 and not re.search(r"\d\s*%", line) for line in lines
    ):
        total = sum((a.value for a in amounts), Decimal(0))
        return Budget(total, " ; ".join(line.strip(" -•\t") for line in lines)[:300], funders)
    # amounts by funder that cover every amount of the text: their sum is the resources
    if funders and len(funders) == len(amounts):
        total = sum((f.amount for f in funders), Decimal(0))
        return Budget(total, " ; ".join(f"{f.label} : {f.amount}" for f in funders)[:300], funders)
    return None


WHO_BEFORE = re.compile(
    r"(?:\bdont\s+)?(?:(?:la|le|les|l')\s*)?(?P<who>[^\d,;:()\n]{2,50}?)\s*:?\s*$", re.IGNORECASE
)
DONT_AFTER = re.compile(
    r"^\s*(?:de|du|des|par|pour)\s+(?:la\s+|le\s+|les\s+|l')?(?P<who>[^\d,;.()\n]{2,50})"
)


def _funders(text: str, amounts: list[_Amount], total_lines: set[str]) -> list[Funding]:
    """Amounts attributed to a recognisable funder: lines `CAF : 3 000 €` or `Commune: 276`,
    `CAF 3 000 €, Ville 1 000 €`, `dont 2 000 € de la CAF`."""
    funders: list[Funding] = []
    used_lines: set[str] = set()
    for line in text.split("\n"):
        stripped = line.strip(" -•\t")
        if not stripped or stripped in total_lines or ":" not in stripped:
            continue
        label = stripped.rsplit(":", 1)[0]
        amount = _line_amount(stripped)
        kind = funder_kind(label)
        if amount is None or ":" in label or MONEY.search(label) or TOTAL_LABEL.match(label):
            continue
        if kind:
            funders.append(Funding(kind, label.strip()[:120], amount))
            used_lines.add(stripped)
    for amount in amounts:
        stripped = amount.line.strip(" -•\t")
        if stripped in used_lines:
            continue
        clause_start = max(
            amount.line_start,
            *(text.rfind(stop, 0, amount.start) + 1 for stop in (",", ";", "(", ".")),
        )
        before = text[clause_start : amount.start]
        after = text[amount.end : amount.end + 60].split("\n")[0]
        if TOTAL_LABEL.search(before):
            continue
        if re.search(r"\bdont\s*$", before, re.IGNORECASE):
            who = DONT_AFTER.match(after)
            kind = funder_kind(who["who"]) if who else ""
            label = who["who"] if who else ""
        else:
            who = WHO_BEFORE.search(before)
            label = who["who"] if who else ""
            kind = funder_kind(label) if label and len(label.split()) <= 5 else ""
        if kind:
            funders.append(Funding(kind, label.strip()[:120], amount.value))
    return funders


# -- people -----------------------------------------------------------------------------------

WORD_NUMBERS = {
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "quinze": 15,
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "cent": 100,
}
APPROXIMATIONS = {
    "dizaine": 10,
    "douzaine": 12,
    "quinzaine": 15,
    "vingtaine": 20,
    "trentaine": 30,
    "quarantaine": 40,
    "cinquantaine": 50,
    "soixantaine": 60,
    "centaine": 100,
}
PERSON_NOUNS = (
    r"personnes?|gens|parents?|b[ée]n[ée]voles?|habitant(?:e)?s?|participant(?:e)?s?|enfants?"
    r"|jeunes|adolescent(?:e)?s?|ados|adultes?|[ée]l[èe]ves?|salari[ée](?:e)?s?"
    r"|animat(?:eur|rice)s?|professionnel(?:le)?s?|personnels?|intervenant(?:e)?s?"
    r"|[ée]ducat(?:eur|rice)s?|membres?|[ée]lu(?:e)?s?|agents?|b[ée]n[ée]ficiaires?|usagers?"
    r"|s[ée]niors?|retrait[ée](?:e)?s?|femmes|hommes|m[èe]res|p[èe]res|mamans|papas"
    r"|r[ée]f[ée]rent(?:e)?s?|encadrants?|volontaires?|stagiaires?|[ée]tudiant(?:e)?s?"
    r"|enseignant(?:e)?s?|administrateurs?|travailleurs?\s+sociaux|mineurs|seniors|a[iî]n[ée]s"
)
_COUNT = (
    r"(?P<count>\d{1,5}|" + "|".join(WORD_NUMBERS) + r"|une\s+(?:petite\s+|bonne\s+)?"
    r"(?P<approx>" + "|".join(APPROXIMATIONS) + r")(?:\s+de|\s+d')?)"
)
PEOPLE = re.compile(rf"(?<![\w,.]){_COUNT}[ \t\u00a0]+(?P<noun>{PERSON_NOUNS})\b", re.IGNORECASE)
PEOPLE_LINE = re.compile(
    rf"^[ \t\-•]*(?:{PERSON_NOUNS})[ \t]*:[ \t]*(?P<count>\d{{1,5}})[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
PEOPLE_TOTAL = re.compile(
    rf"(?:au\s+total|(?:soit\s+)?un\s+total\s+de|total\s*:?|soit)\s*(?P<total>\d{{1,6}})\s+"
    rf"(?:{PERSON_NOUNS})\b(?:\s*\+\s*(?P<plus>\d{{1,4}})\s+(?:{PERSON_NOUNS}))?",
    re.IGNORECASE,
)
# Numbers that are not head counts: ages, years, percentages, times, durations, money.
NOT_A_COUNT = re.compile(
    r"\d+\s*(?:%|ans\b|€|euros?|h\b|heures?|mois|jours?|semaines?|séances?|fois|km|m²)"
    r"|\b(?:19|20)\d\d\b|\d+\s*[/:h]\s*\d+",
    re.IGNORECASE,
)
LOOSE_COUNT = re.compile(
    r"\b(?:" + "|".join([*WORD_NUMBERS, *APPROXIMATIONS]) + r")\b", re.IGNORECASE
)
UNCOUNTED = re.compile(rf"\b(?:d'une?|une?)\s+(?:{PERSON_NOUNS})\b", re.IGNORECASE)
DOUBTFUL = re.compile(r"capacit[ée]|jusqu'[àa]|maximum|environ|entre\s+\d", re.IGNORECASE)


def _count_value(match: re.Match) -> int:
    if match["approx"]:
        return APPROXIMATIONS[match["approx"].lower()]
    raw = match["count"].lower()
    return int(raw) if raw.isdigit() else WORD_NUMBERS[raw]


def read_people(text: str) -> People | None:
    """The number of people mobilised or reached, written in `text` as counts of persons."""
    text = _clean(text)
    if not text.strip():
        return None
    # The field holds only a number ("14"): that is the count it asks for.
    if bare := re.fullmatch(r"\s*(\d{1,5})\s*\.?\s*", text):
        return People(int(bare[1]), text.strip())
    totals = list(PEOPLE_TOTAL.finditer(text))
    if totals:
        values = {int(m["total"]) + int(m["plus"] or 0) for m in totals}
        if len(values) == 1:
            first = totals[0]
            return People(values.pop(), _phrase(text, first.start(), first.end()))
        return None
    if DOUBTFUL.search(text):
        return None
    # "15 parents", "une trentaine de bénévoles", and table lines "Bénévoles : 72"
    found = [(m.start(), m.end(), _count_value(m), m.group(0)) for m in PEOPLE.finditer(text)]
    found += [
        (m.start(), m.end(), int(m["count"]), m.group(0).strip())
        for m in PEOPLE_LINE.finditer(text)
    ]
    found.sort()
    if not found or any(a[1] > b[0] for a, b in zip(found, found[1:], strict=False)):
        return None
    # every other number must be something else than a count (age, year, money...)
    rest = text
    for start, end, _, _ in reversed(found):
        rest = rest[:start] + " " + rest[end:]
    rest = NOT_A_COUNT.sub(" ", rest)
    if re.search(r"\d", rest) or LOOSE_COUNT.search(rest):
        return None  # a number of something else, or of people the text does not name
    if len(UNCOUNTED.findall(text)) >= 2:
        return None  # "d'une assistante sociale, d'un éducateur...": people nobody counted
    total = sum(value for _, _, value, _ in found)
    if len(found) == 1:
        source = _phrase(text, found[0][0], found[0][1])
    else:
        source = " ; ".join(phrase for _, _, _, phrase in found)[:300]
    return People(total, source)
