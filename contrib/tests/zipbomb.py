"""Build hostile zip files (zip bombs) quickly, for the upload tests and bench/zip_bomb.py.

A deflate stream of zeros flushed every MiB repeats the same bytes, so a 1 GiB entry is built
by repeating one compressed block instead of compressing a gigabyte.
"""

import io
import struct
import zlib

_CHUNK = 1 << 20


def _zeros_stream(size: int) -> tuple[bytes, int]:
    """Raw deflate data inflating to `size` zero bytes (a multiple of 1 MiB), and its CRC-32."""
    assert size % _CHUNK == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(_CHUNK)) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    zero_chunk = bytes(_CHUNK)
    for _ in range(size // _CHUNK):
        crc = zlib.crc32(zero_chunk, crc)
    return block * (size // _CHUNK) + b"\x03\x00", crc  # final empty fixed-Huffman block


def zip_with_entries(entries: list[tuple[str, bytes | int]]) -> bytes:
    """A zip whose entries are (name, content) or (name, n) for n zero bytes, deflated."""
    out = io.BytesIO()
    central = []
    for name, content in entries:
        if isinstance(content, int):
            data, crc = _zeros_stream(content)
            size = content
        else:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = compressor.compress(content) + compressor.flush()
            crc, size = zlib.crc32(content), len(content)
        encoded = name.encode()
        offset = out.tell()
        out.write(
            struct.pack(
                "<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0
            )
        )
        out.write(encoded)
        out.write(data)
        central.append(
            struct.pack(
                "<4s6H3I5H2I",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(
        struct.pack(
            "<4s4H2IH",
            b"PK\x05\x06",
            0,
            0,
            len(central),
            len(central),
            out.tell() - start,
            start,
            0,
        )
    )
    return out.getvalue()


def odt_bomb(inflated_size: int = 1 << 30) -> bytes:
    """An .odt whose `mimetype` entry inflates to `inflated_size` bytes (1 GiB: a 1 MB file)."""
    return zip_with_entries([("mimetype", inflated_size), ("content.xml", b"<office/>")])
