"""French agreement for what pages print: counted nouns and "de" before a name.

count_noun(0, "fiche")            -> "aucune fiche"
count_noun(1, "fiche publiée")    -> "1 fiche publiée"
count_noun(3200, "champ utile")   -> "3 200 champs utiles"
count_noun(2, "fiche en attente") -> "2 fiches en attente"
de("Le Trait d'Union")            -> "du Trait d'Union"
"""

import re

# Feminine nouns (the first word of a counted phrase decides "aucun" / "aucune").
FEMININE = {
    "action",
    "alerte",
    "année",
    "demande",
    "entrée",
    "exécution",
    "fiche",
    "inchangée",
    "invitation",
    "ligne",
    "mise",
    "modification",
    "nouvelle",
    "personne",
    "page",
    "paire",
    "structure",
    "tâche",
    "tentative",
    "tronquée",
    "valeur",
    "version",
}
# Plurals that do not just add an "s".
IRREGULAR = {
    "nouveau": "nouveaux",
    "local": "locaux",
    "régional": "régionaux",
    "national": "nationaux",
}
# Words after which a phrase stops agreeing ("fiches en attente de relecture").
STOP_WORDS = {"à", "au", "aux", "de", "des", "du", "d'", "en", "pour", "par", "sur", "sans", "avec"}
NARROW_NBSP = "\u202f"


def _plural_word(word: str) -> str:
    if word.lower() in IRREGULAR:
        return IRREGULAR[word.lower()]
    if word[-1:] in "sxz":
        return word
    return word + "s"


def plural(phrase: str) -> str:
    """The plural of a noun phrase: each word up to the first preposition agrees."""
    words = phrase.split(" ")
    out = []
    for index, word in enumerate(words):
        if word.lower() in STOP_WORDS or word.lower().startswith("d'"):
            out.extend(words[index:])
            break
        out.append(_plural_word(word))
    return " ".join(out)


def agree(count: int, phrase: str, plural_form: str = "") -> str:
    """`phrase` agreeing with `count` (French: 0 and 1 take the singular)."""
    return phrase if abs(count) < 2 else (plural_form or plural(phrase))


def format_number(count: int) -> str:
    """3200 -> "3 200" (narrow no-break space, as French typography wants)."""
    return f"{count:,}".replace(",", NARROW_NBSP)


def count_noun(count: int | None, phrase: str, plural_form: str = "") -> str:
    """ "aucune fiche", "1 fiche", "2 fiches"; `phrase` may be "singulier|pluriel"."""
    if "|" in phrase:
        phrase, plural_form = phrase.split("|", 1)
    count = count or 0
    if count == 0:
        first = phrase.split(" ", 1)[0].lower()
        return f"{'aucune' if first in FEMININE else 'aucun'} {phrase}"
    return f"{format_number(count)} {agree(count, phrase, plural_form)}"


_ARTICLE = re.compile(r"^(?:(les|le|la)\s+|(l)['’]\s*)", re.IGNORECASE)
_VOWEL = re.compile(r"^[aeiouyàâäéèêëîïôöûüœAEIOUYÀÂÄÉÈÊËÎÏÔÖÛÜŒ]")


def de(name: str) -> str:
    """ "de" joined to a name: "du Trait d'Union", "des Amis", "de la Maison", "de l'Escale",
    "d'ADESIR", "de CENTRE SOCIAL …"."""
    name = (name or "").strip()
    match = _ARTICLE.match(name)
    if match:
        article, rest = (match.group(1) or match.group(2)).lower(), name[match.end() :]
        if article == "le" and rest:
            return f"du {rest}"
        if article == "les" and rest:
            return f"des {rest}"
        return f"de {name}"  # "de La Maison", "de L'Escale"
    if _VOWEL.match(name):
        return f"d'{name}"
    return f"de {name}"
