"""Recordings of published frames: what an agent sent, byte for byte.

A recording is a zstd frame (python3-zstandard) holding

    b"NLREC1\\n"
    then per frame: ">dHI" (receive time, Unix s as a double; topic length;
                            body length), the topic, the body

where topic and body are the two parts of the ZeroMQ message the broker's
backend delivered (`metrics.<id>:` or `system.<id>:`, then a serialised
TaskResponse). Written by tests/bench/record_host, replayed by
tests/bench/store_memory.
"""
import struct

import zstandard

MAGIC = b"NLREC1\n"
_HEAD = struct.Struct(">dHI")


def encode(frames):
    """frames: [(recv_time, topic bytes, body bytes)] -> the uncompressed bytes."""
    parts = [MAGIC]
    for t, topic, body in frames:
        parts += [_HEAD.pack(t, len(topic), len(body)), topic, body]
    return b"".join(parts)


def write(path, frames, level=19):
    with open(path, "wb") as f:
        f.write(zstandard.ZstdCompressor(level=level).compress(encode(frames)))


def read(path):
    """[(recv_time, topic, body)] in recording order."""
    with open(path, "rb") as f:
        raw = zstandard.ZstdDecompressor().decompressobj().decompress(f.read())
    if not raw.startswith(MAGIC):
        raise ValueError("%s: not a nodelink recording" % path)
    out, at = [], len(MAGIC)
    while at < len(raw):
        if at + _HEAD.size > len(raw):
            raise ValueError("%s: truncated at byte %d" % (path, at))
        t, nt, nb = _HEAD.unpack_from(raw, at)
        at += _HEAD.size
        if at + nt + nb > len(raw):
            raise ValueError("%s: truncated frame at byte %d" % (path, at))
        out.append((t, raw[at:at + nt], raw[at + nt:at + nt + nb]))
        at += nt + nb
    return out
