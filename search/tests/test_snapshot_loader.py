"""The snapshot loader itself refuses a skeleton that names a class or a function: a snapshot
file planted with a valid header and checksum (only the unpickler can stop it) is ignored, the
planted callable never runs, and the index is built from the database instead."""

import json
import pickle
import zlib

from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase
from search import snapshot
from search.changes import log_state
from search.engines import memory

PLANTED_CALLS = []


def planted(value):
    """What a malicious skeleton would run while being unpickled."""
    PLANTED_CALLS.append(value)
    return {}


class _Planted:
    def __reduce__(self):
        return (planted, ("exécuté",))


class SnapshotLoaderTestCase(BaseTestCase):
    def setUp(self):
        sheets_changed.send(sender=None, sheet_ids=[self.sheet.pk])
        memory._index = None
        PLANTED_CALLS.clear()

    def fresh_start(self) -> memory.Index:
        memory._index = None
        return memory.get_index()

    def test_a_planted_skeleton_is_refused_by_the_loader(self):
        self.fresh_start()  # builds and writes the snapshot
        key = snapshot.key_for(log_state()[0])
        path = snapshot.path_for(key)
        whole = path.read_bytes()
        header = json.loads(
            whole[len(snapshot.MAGIC) : snapshot.HEADER_SIZE].rstrip(b"\0 ").decode()
        )
        blob = whole[snapshot.HEADER_SIZE : snapshot.HEADER_SIZE + header["blob"]]
        skeleton = pickle.dumps(_Planted(), protocol=pickle.HIGHEST_PROTOCOL)
        crc = zlib.crc32(skeleton, zlib.crc32(blob))
        forged = (
            snapshot.MAGIC
            + json.dumps(
                {"key": key, "blob": len(blob), "skeleton": len(skeleton), "crc32": crc},
                sort_keys=True,
            ).encode()
        )
        path.write_bytes(forged.ljust(snapshot.HEADER_SIZE, b"\0") + blob + skeleton)

        with self.assertLogs("search.snapshot", "WARNING") as logs:
            self.assertIsNone(snapshot.load(key))
        self.assertEqual(PLANTED_CALLS, [])
        self.assertIn("refused", "\n".join(logs.output))

        builds = memory.builds
        with self.assertLogs("search.snapshot", "WARNING"):
            index = self.fresh_start()
        self.assertEqual(PLANTED_CALLS, [])
        self.assertEqual(memory.builds, builds + 1)
        self.assertIn(self.sheet.pk, list(index.ids))
