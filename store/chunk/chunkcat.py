#!/usr/bin/python3
"""chunkcat - prints a nodelink chunk as CSV: the reference decoder of the
format in docs/storage.md ("Chunk format"), written from that text alone.

    chunkcat.py FILE.chunk > rows.csv

Header line `ts_ms,seq,<metric...>` (metrics in the chunk's order), one line
per row, an empty cell where the row has no value. A cell holding ',', '"',
CR or LF is quoted with '"' and its quotes doubled. Values are bytes and are
printed as they are. Needs python3-zstandard.
"""
import sys
import zlib

import zstandard


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def u8(self):
        self.pos += 1
        return self.data[self.pos - 1]

    def bytes(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("truncated")
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def uv(self):  # LEB128
        v = shift = 0
        while True:
            b = self.u8()
            v |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return v

    def sv(self):  # zigzag
        u = self.uv()
        return (u >> 1) ^ -(u & 1)

    def done(self):
        if self.pos != len(self.data):
            raise ValueError("bytes left over")


def wrap64(v):
    """v as a signed 64-bit integer (the format's arithmetic wraps)."""
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= 1 << 63 else v


def lean(v, scale):
    """The canonical decimal text of v / 10^scale."""
    sign, mag = ("-", -v) if v < 0 else ("", v)
    whole, frac = divmod(mag, 10 ** scale)
    text = "%s%d" % (sign, whole)
    if frac:
        text += "." + ("%0*d" % (scale, frac)).rstrip("0")
    return text


def presence(r, rows):
    kind = r.u8()
    if kind == 0:  # every row
        return list(range(rows))
    if kind == 1:  # runs: absent, present, absent, ...
        present, row = [], 0
        for k in range(r.uv()):
            n = r.uv()
            if k % 2:
                present.extend(range(row, row + n))
            row += n
        return present
    if kind == 2:  # bitmap, least significant bit first
        bits = r.bytes((rows + 7) // 8)
        return [i for i in range(rows) if bits[i // 8] >> (i % 8) & 1]
    raise ValueError("presence kind %d" % kind)


def numbers(r, n):
    groups = [r.u8() for _ in range(r.u8())]  # part count of each group
    group_of = list(r.bytes(n)) if len(groups) > 1 else [0] * n
    columns = {}  # (group, part) -> values
    for g, parts in enumerate(groups):
        count = group_of.count(g)
        for k in range(parts):
            head = r.u8()
            scale, transform = head & 15, head >> 4 & 3
            divisor = r.uv() if head & 0x40 else 1
            values, prev, prev_delta = [], 0, 0
            for _ in range(count):
                z = r.sv() * divisor
                v = z if transform == 0 else prev + z if transform == 1 else prev + prev_delta + z
                v = wrap64(v)
                prev, prev_delta = v, wrap64(v - prev)
                values.append(lean(v, scale))
            columns[(g, k)] = iter(values)
    return [" ".join(next(columns[(g, k)]) for k in range(groups[g])).encode() for g in group_of]


def column(raw, rows):
    r = Reader(raw)
    present = presence(r, rows)
    kind = r.u8()
    if kind == 0:
        values = numbers(r, len(present))
    elif kind == 1:
        values = [r.bytes(r.u8()) for _ in present]
    else:
        raise ValueError("value kind %d" % kind)
    r.done()
    cells = [None] * rows
    for row, v in zip(present, values):
        cells[row] = v
    return cells


def read_chunk(data):
    """(names, timestamps, seqs, columns); columns[i][row] is bytes or None."""
    if data[:4] != b"NLCK" or data[4] != 1 or data[5] != 0:
        raise ValueError("not a version 1 chunk")
    if int.from_bytes(data[6:10], "little") != zlib.crc32(data[10:]):
        raise ValueError("CRC mismatch")
    r = Reader(data)
    r.pos = 10
    rows, first, span, ncols = r.uv(), r.sv(), r.uv(), r.uv()
    dir_raw, dir_z = r.uv(), r.uv()

    def block(raw_len, z_len):
        stored = r.bytes(z_len or raw_len)
        if not z_len:
            return stored
        out = zstandard.ZstdDecompressor().decompress(stored, max_output_size=raw_len)
        if len(out) != raw_len:
            raise ValueError("block length")
        return out

    d = Reader(block(dir_raw, dir_z))
    names = [d.bytes(d.u8()).decode() for _ in range(ncols)]
    lengths = [(d.uv(), d.uv()) for _ in range(ncols + 2)]
    d.done()
    blocks = [block(*lens) for lens in lengths]
    r.done()

    t = Reader(blocks[0])  # delta of delta from the first timestamp
    ts, prev, delta = [], first, 0
    for _ in range(rows):
        delta = wrap64(delta + t.sv())
        prev = wrap64(prev + delta)
        ts.append(prev)
    t.done()
    if ts[0] != first or ts[-1] != first + span:
        raise ValueError("timestamps disagree with the header")
    s = Reader(blocks[1])  # sparse seq: (row gap, seq) pairs
    seqs, row = [0] * rows, 0
    for _ in range(s.uv()):
        row += s.uv()
        seqs[row] = s.uv()
        row += 1
    s.done()
    return names, ts, seqs, [column(b, rows) for b in blocks[2:]]


def csv_cell(v):
    if any(c in v for c in b',"\r\n'):
        return b'"' + v.replace(b'"', b'""') + b'"'
    return v


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], "rb") as f:
        names, ts, seqs, columns = read_chunk(f.read())
    out = sys.stdout.buffer
    out.write(b",".join([b"ts_ms", b"seq"] + [n.encode() for n in names]) + b"\n")
    for i in range(len(ts)):
        cells = [csv_cell(c[i]) if c[i] is not None else b"" for c in columns]
        out.write(b",".join([b"%d" % ts[i], b"%d" % seqs[i]] + cells) + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
