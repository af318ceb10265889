"""Snapshots of the memory engine's index on disk: a process starts in seconds instead of
rebuilding the index from the database (17 minutes at 1,000,000 sheets on PostgreSQL).

After a full build, the index (search.engines.memory.Index, with its text index) is written to
SEARCH_INDEX_SNAPSHOT_DIR, keyed by what it was built for: the database (vendor, name, host,
port), the generation token (search.changes), FORMAT_VERSION, the analyser version and the text
index's size cap. A process that needs the index for a token first loads that token's snapshot,
then applies the change-log rows written since (search.engines.memory._follow, which rebuilds
when the log was rewritten under it). A missing, stale, truncated or corrupted file is ignored
and the index is built as before: a snapshot only ever saves time.

Several workers starting at once: one takes the file lock of the key (fcntl.flock), builds and
writes; the others wait for the lock (SEARCH_INDEX_SNAPSHOT_WAIT seconds at most, then build
themselves) and load what it wrote. The kernel drops a dead builder's lock.

File layout: a fixed-size header (MAGIC, then JSON: the key, the sizes of the two parts and
their CRC-32), the blob (every bitmap serialized by CRoaring, every array's raw bytes), then the
skeleton: the dictionaries (labels, facet values, terms) with offsets into the blob, pickled
without any class (the unpickler refuses every global: only str, int, float, bytes, tuples,
lists and dicts can come out of it). The header and the checksum are checked before anything is
unpickled, and the directory is the application's own, like Django's file-based cache.
"""

import array
import contextlib
import fcntl
import hashlib
import io
import json
import logging
import mmap
import os
import pickle
import threading
import time
import zlib
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from pyroaring import FrozenBitMap

from search import textindex
from search.indexing import ANALYSER_VERSION

logger = logging.getLogger(__name__)

# Bump when the Index or TextIndex structure, or what the file holds, changes: older files are
# then ignored (and deleted by the next write).
FORMAT_VERSION = 2
MAGIC = b"ESSAIMAGE-INDEX\n"
HEADER_SIZE = 4096
SUFFIX = ".index"
# A temporary file older than this is a crashed writer's.
STALE_TEMPORARY_SECONDS = 3600
_CHUNK = 16 * 1024 * 1024  # bytes read at once before their pages are dropped


def directory() -> Path | None:
    """Where snapshots live (None: snapshots off)."""
    value = getattr(settings, "SEARCH_INDEX_SNAPSHOT_DIR", "")
    return Path(value) if value else None


def database_identity() -> dict:
    """What names this database; an in-memory SQLite database lives in this process only."""
    config = connection.settings_dict
    name = str(config["NAME"])
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            name = f"{name} (in memory, process {os.getpid()})"
        else:
            name = os.path.realpath(name)
    return {
        "vendor": connection.vendor,
        "name": name,
        "host": str(config.get("HOST") or ""),
        "port": str(config.get("PORT") or ""),
    }


def key_for(token: str) -> dict | None:
    """The key of the snapshot for `token` (None: no snapshot for it, e.g. a database whose
    token was never set, where the token names no state)."""
    if not token or directory() is None:
        return None
    return {
        "format": FORMAT_VERSION,
        "database": database_identity(),
        "generation": token,
        "analyser": ANALYSER_VERSION,
        "text_index_mb": float(getattr(settings, "SEARCH_TEXT_INDEX_MB", 256)),
    }


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def path_for(key: dict) -> Path:
    """`<database digest>-<key digest>.index`: the database's files share a prefix."""
    return directory() / f"{_digest(key['database'])}-{_digest(key)}{SUFFIX}"


# --- Loading or building --------------------------------------------------------------------------


def load_or_build(token: str, build, follow):
    """The index for `token`: its snapshot, brought up to date by `follow(index)` (None: the
    log was rewritten, build), else `build(token)` under the key's lock, then written."""
    key = key_for(token)
    if key is None:
        return build(token)
    index = _load_followed(key, follow)
    if index is not None:
        return index
    wait = float(getattr(settings, "SEARCH_INDEX_SNAPSHOT_WAIT", 1800))
    with _lock(path_for(key), wait):
        # Written by the process that held the lock meanwhile?
        index = _load_followed(key, follow, quiet=True)
        if index is not None:
            return index
        index = build(token)
        write(index, key)
    return index


def _load_followed(key: dict, follow, quiet: bool = False):
    index = load(key, quiet=quiet)
    if index is None:
        return None
    followed = follow(index)
    if followed is None:
        logger.warning("search index snapshot %s: change log rewritten, rebuilding", key)
    return followed


@contextlib.contextmanager
def _lock(path: Path, wait: float):
    """The key's file lock, waited for at most `wait` seconds (then held or not: the caller
    builds either way)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path.with_suffix(".lock"), "a+b")  # noqa: SIM115
    except OSError as error:
        logger.warning("search index snapshot lock unavailable: %s", error)
        yield False
        return
    with handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    logger.warning("search index snapshot: waited %.0f s, building", wait)
                    held = False
                    break
                time.sleep(0.2)
        try:
            yield held
        finally:
            if held:
                fcntl.flock(handle, fcntl.LOCK_UN)


def load(key: dict, quiet: bool = False):
    """The Index of the snapshot for `key`, or None (missing, another key, damaged)."""
    path = path_for(key)
    try:
        with open(path, "rb") as handle:
            m = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            return _read(m, key)
        finally:
            # A traceback may still hold a view of it: then the collector unmaps it.
            with contextlib.suppress(BufferError):
                m.close()
    except FileNotFoundError:
        if not quiet:
            logger.info("search index snapshot: none for generation %s", key["generation"])
    except Exception as error:  # noqa: BLE001 (a damaged cache: build instead, never fail)
        logger.warning("search index snapshot %s ignored: %r", path, error)
    return None


class _NoGlobals(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"global {module}.{name} refused")


def _read(m: mmap.mmap, key: dict):
    from search.engines import memory

    if m[: len(MAGIC)] != MAGIC:
        raise ValueError("not a search index snapshot")
    header = json.loads(m[len(MAGIC) : HEADER_SIZE].rstrip(b"\0 ").decode())
    if header.get("key") != key:
        raise ValueError(f"written for {header.get('key')}")
    blob_size, skeleton_size = header["blob"], header["skeleton"]
    if len(m) != HEADER_SIZE + blob_size + skeleton_size:
        raise ValueError(f"{len(m)} bytes, {HEADER_SIZE + blob_size + skeleton_size} expected")
    crc = 0
    for start in range(HEADER_SIZE, len(m), _CHUNK):
        end = min(len(m), start + _CHUNK)
        crc = zlib.crc32(m[start:end], crc)
        _release(m, start, end)
    if crc != header["crc32"]:
        raise ValueError("checksum mismatch")
    skeleton = _NoGlobals(io.BytesIO(m[HEADER_SIZE + blob_size :])).load()
    view = memoryview(m)
    try:
        return _decode(
            skeleton,
            view[HEADER_SIZE : HEADER_SIZE + blob_size],
            memory,
            lambda start, end: _release(m, HEADER_SIZE + start, HEADER_SIZE + end),
        )
    finally:
        view.release()


def _release(m: mmap.mmap, start: int, end: int) -> None:
    """Drop the pages of the file read so far from this process's memory (the system's cache
    keeps them): the file is not counted whole beside the index it becomes."""
    start -= start % mmap.PAGESIZE
    if end > start:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            m.madvise(mmap.MADV_DONTNEED, start, end - start)


def _decode(s: dict, blob: memoryview, memory, release):
    bounds = np.frombuffer(s["bitmap_bounds"], dtype=np.int64).tolist()
    empty_size = len(FrozenBitMap().serialize())
    bitmaps = []
    released = 0
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        if end - start == empty_size:
            bitmaps.append(textindex.EMPTY)
        else:
            bitmaps.append(FrozenBitMap.deserialize(blob[start:end]))
        if end - released > _CHUNK:
            release(released, end)
            released = end

    def numpy(spec):
        dtype, start, end = spec
        return np.frombuffer(blob[start:end], dtype=dtype).copy()

    def typed(spec):
        typecode, start, end = spec
        out = array.array(typecode)
        out.frombytes(blob[start:end])
        return out

    def quad(indexes):
        return tuple(bitmaps[i] for i in indexes)

    text = None
    if s["text"] is not None:
        t = s["text"]
        text = textindex.TextIndex(
            terms={term: quad(i) for term, i in t["terms"].items()},
            complete=t["complete"],
            nbytes=t["nbytes"],
            phrases={phrase: quad(i) for phrase, i in t["phrases"].items()},
            near={pair: bitmaps[i] for pair, i in t["near"].items()},
            lengths=numpy(t["lengths"]).reshape(-1, 4),
        )
    return memory.Index(
        generation=s["generation"],
        ids=typed(s["ids"]),
        position=memory.Positions(numpy(s["position"])),
        all=bitmaps[s["all"]],
        bitmaps={
            name: {value: bitmaps[i] for value, i in table.items()}
            for name, table in s["bitmaps"].items()
        },
        labels=s["labels"],
        structure_of=typed(s["structure_of"]),
        rank={sort: numpy(spec) for sort, spec in s["rank"].items()},
        order={sort: typed(spec) for sort, spec in s["order"].items()},
        vendor=s["vendor"],
        log=tuple(s["log"]),
        applied=s["applied"],
        text=text,
    )


# --- Writing --------------------------------------------------------------------------------------


class _Blob:
    """The blob being written: bitmaps (each once) and arrays, with their offsets."""

    def __init__(self, handle):
        self.handle = handle
        self.size = 0
        self.crc = 0
        self.bounds: list[int] = []  # start, end of each bitmap
        self.seen: dict[int, int] = {}  # id(bitmap) -> its number
        self.kept: list = []  # the bitmaps numbered (their ids stay theirs meanwhile)

    def _put(self, data) -> tuple[int, int]:
        start = self.size
        self.handle.write(data)
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        return start, self.size

    def bitmap(self, bits) -> int:
        number = self.seen.get(id(bits))
        if number is None:
            self.bounds.extend(self._put(bits.serialize()))
            number = self.seen[id(bits)] = len(self.bounds) // 2 - 1
            self.kept.append(bits)
        return number

    def numpy(self, values: np.ndarray) -> tuple:
        values = np.ascontiguousarray(values)
        return (values.dtype.str, *self._put(values.tobytes()))

    def typed(self, values: array.array) -> tuple:
        return (values.typecode, *self._put(values.tobytes()))


def _skeleton(index, blob: _Blob) -> dict:
    text = None
    if index.text is not None:
        t = index.text
        quad = lambda bitmaps: tuple(blob.bitmap(b) for b in bitmaps)  # noqa: E731
        text = {
            "terms": {term: quad(b) for term, b in t.terms.items()},
            "complete": t.complete,
            "nbytes": t.nbytes,
            # list(): searches of other threads may add phrases and pairs meanwhile.
            "phrases": {phrase: quad(b) for phrase, b in list(t.phrases.items())},
            "near": {pair: blob.bitmap(b) for pair, b in list(t.near.items())},
            "lengths": blob.numpy(t.lengths),
        }
    return {
        "generation": index.generation,
        "vendor": index.vendor,
        "log": list(index.log),
        "applied": dict(index.applied),
        "ids": blob.typed(index.ids),
        "position": blob.numpy(index.position.array),
        "structure_of": blob.typed(index.structure_of),
        "rank": {sort: blob.numpy(rank) for sort, rank in index.rank.items()},
        "order": {sort: blob.typed(order) for sort, order in index.order.items()},
        "all": blob.bitmap(index.all),
        "bitmaps": {
            name: {value: blob.bitmap(b) for value, b in table.items()}
            for name, table in index.bitmaps.items()
        },
        "labels": index.labels,
        "text": text,
    }


def write(index, key: dict) -> Path | None:
    """Write the snapshot of `index` for `key` (atomically: a temporary file renamed), then
    delete the database's older snapshots. None when it could not be written (logged)."""
    path = path_for(key)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(b"\0" * HEADER_SIZE)
            blob = _Blob(handle)
            skeleton = _skeleton(index, blob)
            skeleton["bitmap_bounds"] = np.asarray(blob.bounds, dtype=np.int64).tobytes()
            blob_size = blob.size
            pickled = pickle.dumps(skeleton, protocol=pickle.HIGHEST_PROTOCOL)
            crc = zlib.crc32(pickled, blob.crc)
            handle.write(pickled)
            header = (
                MAGIC
                + json.dumps(
                    {"key": key, "blob": blob_size, "skeleton": len(pickled), "crc32": crc},
                    sort_keys=True,
                ).encode()
            )
            if len(header) > HEADER_SIZE:
                raise ValueError("snapshot key too long")
            handle.seek(0)
            handle.write(header)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except Exception as error:  # noqa: BLE001 (the index serves anyway; the next start builds)
        logger.warning("search index snapshot not written to %s: %r", path, error)
        with contextlib.suppress(OSError):
            temporary.unlink()
        return None
    logger.info("search index snapshot written: %s (%d bytes)", path, path.stat().st_size)
    _delete_older(path, key)
    return path


def _delete_older(kept: Path, key: dict) -> None:
    """Delete this database's other snapshots, if `key` is still the current generation (a slow
    writer of an old one must not delete the newer), and crashed writers' temporary files."""
    from search.changes import log_state

    try:
        if log_state()[0] != key["generation"]:
            return
    except Exception:  # noqa: BLE001 (a broken connection: the files can wait)
        return
    prefix = kept.name.split("-", 1)[0] + "-"
    now = time.time()
    for path in kept.parent.iterdir():
        ours = path.name.startswith(prefix) and path.with_suffix(SUFFIX) != kept
        with contextlib.suppress(OSError):
            if ours and path.suffix == SUFFIX:
                path.unlink()
            elif ours and path.suffix == ".lock":
                _unlink_unused_lock(path)
            elif (
                path.name.startswith("." + prefix)
                and path.suffix == ".tmp"
                and now - path.stat().st_mtime > STALE_TEMPORARY_SECONDS
            ):
                path.unlink()


def _unlink_unused_lock(path: Path) -> None:
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a builder holds it
        path.unlink()
