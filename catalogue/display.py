"""How vocabulary values read on screen, without touching what is stored.

Stored labels stay as SENACS spells them (they are the matching keys of imports and backups:
"Viellissement", "intergénérationnel"); pages show them corrected, with a capital first
letter, and name a body that no longer exists together with its successor.
"""

# Stored label -> label shown. Typos and accents first, then bodies that changed name.
CORRECTIONS = {
    "Viellissement": "Vieillissement",
    "évènementiel": "Événementiel",
    "Petite Enfance": "Petite enfance",
    "éducation / scolarité": "Éducation / scolarité",
    "Etat": "État",
}
# Old partner names -> their current name (shown as "Old (aujourd'hui New)").
RENAMED = {
    "Pôle emploi": "France Travail",
    "ACSE": "ANCT",
    "DDCS": "DDETS",
    "CGET": "ANCT",
    "Régime social des indépendants": "Sécurité sociale des indépendants",
}


def display_label(label: str) -> str:
    """ "intergénérationnel" -> "Intergénérationnel", "Pôle emploi" -> "Pôle emploi
    (aujourd'hui France Travail)"."""
    label = (label or "").strip()
    shown = CORRECTIONS.get(label, label)
    shown = shown[:1].upper() + shown[1:]
    if label in RENAMED:
        shown = f"{shown} (aujourd'hui {RENAMED[label]})"
    return shown
