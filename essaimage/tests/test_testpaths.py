"""Every app's tests run: pytest's testpaths (pyproject.toml) name every directory holding a
tests/ package (portals' and operations' tests once ran only when asked for by name)."""

import tomllib
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase


class TestPathsTestCase(SimpleTestCase):
    def test_every_tests_package_is_collected(self):
        root = Path(settings.BASE_DIR)
        config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        testpaths = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
        with_tests = {p.parent.parent.name for p in root.glob("*/tests/__init__.py")}
        self.assertLessEqual(with_tests, testpaths)
