"""Prefix filtering (discovery.duplicates.cosine_pairs) finds exactly the pairs the full product
of every row with every other finds, on random corpora with planted near-copies."""

import numpy as np
from django.test import SimpleTestCase
from scipy import sparse
from sklearn.preprocessing import normalize

from discovery.duplicates import TEXT_COSINE, cosine_pairs


def all_pairs(matrix, threshold):
    products = (matrix @ matrix.T).toarray()
    return sorted(
        (int(i), int(j)) for i, j in zip(*np.nonzero(products >= threshold), strict=True) if i < j
    )


class CosinePairsTestCase(SimpleTestCase):
    def corpus(self, seed: int, rows: int = 400, terms: int = 3000):
        rng = np.random.default_rng(seed)
        # Zipf-like term frequencies, as in texts: a few common words, many rare ones.
        weights = 1 / np.arange(1, terms + 1)
        weights /= weights.sum()
        data = []
        for _ in range(rows):
            chosen = rng.choice(terms, size=rng.integers(20, 120), p=weights)
            data.append(np.bincount(chosen, minlength=terms))
        counts = np.array(data, dtype=np.float64)
        # Near-copies: a row with a few counts changed, and exact copies.
        for k in range(0, rows // 4, 3):
            copy = counts[k].copy()
            changed = rng.choice(np.flatnonzero(copy), size=2)
            copy[changed] += rng.integers(1, 3, size=2)
            counts[rows - 1 - k] = copy
        counts[rows // 2] = counts[rows // 2 + 1]
        return normalize(sparse.csr_matrix(counts))

    def test_same_pairs_as_every_product(self):
        for seed in range(4):
            matrix = self.corpus(seed)
            for threshold in (TEXT_COSINE, 0.8, 0.95):
                with self.subTest(seed=seed, threshold=threshold):
                    expected = all_pairs(matrix, threshold)
                    found = cosine_pairs(matrix, threshold)
                    self.assertEqual([(i, j) for i, j, _ in found], expected)
                    self.assertGreater(len(expected), 5)
                    for i, j, cosine in found:
                        self.assertAlmostEqual(cosine, matrix[i].multiply(matrix[j]).sum(), 6)

    def test_nothing_to_pair(self):
        one = normalize(sparse.csr_matrix(np.array([[1.0, 2.0, 0.0]])))
        self.assertEqual(cosine_pairs(one, TEXT_COSINE), [])
        # Two rows far apart.
        two = normalize(sparse.csr_matrix(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])))
        self.assertEqual(cosine_pairs(two, TEXT_COSINE), [])
