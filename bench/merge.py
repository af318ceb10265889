"""Merge result files of partial runs (`--only …`) into one and print its table.

python bench/merge.py OUT.json IN1.json IN2.json …   (later files win per section)
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402

if __name__ == "__main__":
    out, *inputs = sys.argv[1:]
    merged: dict = {}
    for path in inputs:
        data = json.loads(Path(path).read_text())
        for key, value in data.items():
            if key in ("http", "search", "import", "datasette") and not value:
                continue
            merged[key] = value
    run.RESULTS.clear()
    run.RESULTS.update(merged)
    run.RESULTS["ratios"] = run.ratios()
    run.RESULTS["targets"] = run.targets()
    Path(out).write_text(json.dumps(run.RESULTS, indent=2, ensure_ascii=False, default=str))
    print(run.table())
