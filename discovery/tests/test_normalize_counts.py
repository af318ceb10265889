"""The duplicates' L2 normalisation gives scikit-learn's floats to the bit (a cosine at the 0.9
threshold stays on its side), without loading scikit-learn in an import."""

import subprocess
import sys

import numpy as np
from django.test import SimpleTestCase
from scipy import sparse
from sklearn.preprocessing import normalize

from discovery.duplicates import normalize_counts


class NormalizeCountsTestCase(SimpleTestCase):
    def test_it_gives_scikit_learns_floats(self):
        rng = np.random.default_rng(3)
        for density, high in ((0.01, 5), (0.2, 400), (0.5, 5000)):
            counts = sparse.random(
                300, 2000, density=density, format="csr", random_state=rng, dtype=np.float32
            )
            counts.data = np.floor(counts.data * high).astype(np.float32)  # whole counts, zeros too
            counts.data[counts.indptr[7] : counts.indptr[8]] = 0  # a row of stored zeros
            expected = normalize(counts)
            got = normalize_counts(counts)
            self.assertEqual(got.dtype, np.float32)
            self.assertTrue(np.array_equal(got.indptr, expected.indptr))
            self.assertTrue(np.array_equal(got.indices, expected.indices))
            self.assertEqual(got.data.tobytes(), expected.data.tobytes())
        self.assertEqual(counts.data.dtype, np.float32)  # the input is left as it was

    def test_an_import_does_not_load_scikit_learn(self):
        code = (
            "import django, sys; django.setup(); import ingest.importer, bench.synthetic; "
            "print('sklearn' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={"DJANGO_SETTINGS_MODULE": "essaimage.settings", "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        )
        self.assertEqual(out.stdout.strip(), "False")
