"""WCAG 2.1 contrast of two colours (AA: at least 4.5:1 for text)."""

AA_TEXT = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def french_ratio(ratio: float) -> str:
    return f"{ratio:.2f}".replace(".", ",") + ":1"


def contrast_problem(foreground: str, background: str, what: str) -> str:
    """A French sentence saying why the pair fails AA, or "" when it passes."""
    ratio = contrast_ratio(foreground, background)
    if ratio >= AA_TEXT:
        return ""
    return (
        f"Contraste insuffisant pour {what} : {french_ratio(ratio)} entre {foreground} et "
        f"{background}, il faut au moins 4,5:1 (WCAG 2.1 niveau AA). Choisissez une couleur "
        "plus foncée ou plus claire."
    )
