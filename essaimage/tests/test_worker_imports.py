"""A web process loads what its pages need: scikit-learn and SciPy (about 80 MB of every
process) are imported only when similarities, duplicates or suggestions are computed, which
the job worker and the commands do."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# What a gunicorn worker imports before its first request: the settings, the apps (their
# signal receivers), the WSGI application and every URL's views.
CODE = """
import sys
import django
django.setup()
from django.urls import get_resolver
from essaimage.wsgi import application
get_resolver().url_patterns
print(sorted({name.split(".")[0] for name in sys.modules} & {"sklearn", "scipy"}))
"""


def test_a_web_process_imports_neither_scikit_learn_nor_scipy():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "essaimage.settings"}
    done = subprocess.run(
        [sys.executable, "-c", CODE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
