"""A minimal RESP2 client for tests and benchmarks (Debian's python3 has no
redis module): binary-safe replies (chunks are
bytes), no dependency beyond the standard library, one connection.

    r = Resp(port)
    r.call("HGET", key, field)   -> bytes | None
    r.call("XLEN", key)          -> int
    r.call("XRANGE", key, "-", "+", "COUNT", 100) -> [[id, [f, v, ...]], ...]
"""
import socket


class RespError(Exception):
    pass


class Resp:
    def __init__(self, port, host="127.0.0.1", timeout=60):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.f = self.sock.makefile("rb", buffering=1 << 16)

    def close(self):
        self.f.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def _encode(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out += [b"$%d\r\n" % len(b), b, b"\r\n"]
        return b"".join(out)

    def _reply(self):
        line = self.f.readline()
        if not line:
            raise RespError("connection closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RespError("unexpected reply %r" % line[:40])

    def call(self, *args):
        self.sock.sendall(self._encode(args))
        return self._reply()

    def pipeline(self, commands):
        """Sends every command, then reads every reply (errors as RespError objects)."""
        self.sock.sendall(b"".join(self._encode(c) for c in commands))
        out = []
        for _ in commands:
            try:
                out.append(self._reply())
            except RespError as e:
                out.append(e)
        return out

    def scan(self, pattern):
        """Every key matching pattern (SCAN, so safe on a big keyspace)."""
        cursor, keys = b"0", []
        while True:
            cursor, batch = self.call("SCAN", cursor, "MATCH", pattern, "COUNT", 1000)
            keys += batch
            if cursor == b"0":
                return sorted(set(keys))

    def xrange_all(self, key, page=1000):
        """Every entry of a stream as (id bytes, [field, value, ...]), paged."""
        start = b"-"
        while True:
            batch = self.call("XRANGE", key, start, "+", "COUNT", page)
            yield from batch
            if len(batch) < page:
                return
            start = b"(" + batch[-1][0]
