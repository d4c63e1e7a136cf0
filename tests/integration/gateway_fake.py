"""Stand-ins for the broker, for gateway tests that need to control exactly
what the gateway sees: a PUB socket bound where the gateway subscribes and a
ROUTER bound where it sends control requests.

    fake = FakeBroker(stack.ep("backend"), stack.ep("clients"))
    fake.agents["a1"] = True                  # list_agents answers a1 connected
    fake.on_task = lambda req: reply or None  # TaskRequest -> TaskResponse / None (no answer)
    fake.publish_sample("a1", ts_ms, cpu=25.0)
"""
import threading
import time

import zmq

from harness import proto


class FakeBroker:
    def __init__(self, backend_ep, clients_ep):
        self.pb = proto()
        self.ctx = zmq.Context.instance()
        self.pub = self.ctx.socket(zmq.PUB)
        self.pub.setsockopt(zmq.LINGER, 0)
        self.pub.bind(backend_ep)
        self.router = self.ctx.socket(zmq.ROUTER)
        self.router.setsockopt(zmq.LINGER, 0)
        self.router.bind(clients_ep)
        self.agents = {}        # id -> connected (bool), reported by list_agents
        self.on_task = None     # TaskRequest -> TaskResponse or None
        self.tasks = []         # every TaskRequest received
        self.list_requests = 0
        self.seq = {}
        self._lock = threading.Lock()
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    # ---- control side
    def _serve(self):
        while not self._stop:
            if not self.router.poll(50):
                continue
            with self._lock:
                ident, data = self.router.recv_multipart()
                cm = self.pb.ControlMessage()
                cm.ParseFromString(data)
                kind = cm.WhichOneof("body")
                if kind == "list_agents":
                    self.list_requests += 1
                    resp = self.pb.ControlMessage()
                    tr = resp.task_response
                    tr.task_id = cm.list_agents.request_id
                    tr.status = self.pb.TaskResponse.COMPLETED
                    tr.is_final = True
                    for aid, up in sorted(self.agents.items()):
                        st = tr.agent_list.agents.add()
                        st.agent_id = aid
                        st.state = self.pb.AgentStatus.CONNECTED if up else self.pb.AgentStatus.DISCONNECTED
                    self.router.send_multipart([ident, resp.SerializeToString()])
                elif kind == "task_request":
                    self.tasks.append(cm.task_request)
                    reply = self.on_task(cm.task_request) if self.on_task else None
                    if reply is not None:
                        reply.task_id = cm.task_request.task_id
                        reply.agent_id = cm.task_request.agent_id
                        out = self.pb.ControlMessage()
                        out.task_response.CopyFrom(reply)
                        self.router.send_multipart([ident, out.SerializeToString()])

    def close(self):
        self._stop = True
        self._thread.join(2)
        self.pub.close(0)
        self.router.close(0)

    # ---- published frames
    def _next_seq(self, agent_id):
        self.seq[agent_id] = self.seq.get(agent_id, 0) + 1
        return self.seq[agent_id]

    def sample(self, agent_id, ts_ms, cpu=25.0, mem=37.5, interval_ms=1000, disks=(), cores=()):
        tr = self.pb.TaskResponse(agent_id=agent_id, sequence=self._next_seq(agent_id), epoch=99,
                                  status=self.pb.TaskResponse.COMPLETED, is_final=True)
        d = tr.metrics_response.metrics_data
        d.timestamp = int(ts_ms)
        d.interval_ms = interval_ms
        d.cpu.usage_percent = cpu
        d.cpu.user_percent = cpu / 2
        d.cpu.core_usage.extend(cores)
        d.memory.total_bytes = 16 << 30
        d.memory.used_bytes = int((16 << 30) * mem / 100)
        d.memory.usage_percent = mem
        d.load.load1 = 0.5
        for dev in disks:
            x = d.disks.add()
            x.device = dev
            x.mount_point = "/"
            x.read_bytes_per_sec = 4096
            x.usage_percent = 40.0
        return tr

    def publish(self, kind, agent_id, tr):
        self.pub.send_multipart([("%s.%s:" % (kind, agent_id)).encode(), tr.SerializeToString()])

    def publish_sample(self, agent_id, ts_ms=None, **kw):
        ts = int(time.time() * 1000) if ts_ms is None else ts_ms
        self.publish("metrics", agent_id, self.sample(agent_id, ts, **kw))
        return ts

    def system_info(self, agent_id, hostname="worker-node-01"):
        tr = self.pb.TaskResponse(agent_id=agent_id, sequence=self._next_seq(agent_id), epoch=99,
                                  status=self.pb.TaskResponse.COMPLETED, is_final=True)
        si = tr.metrics_response.system_info
        si.timestamp = int(time.time() * 1000)
        si.hardware.cpu.model = "Test CPU"
        si.hardware.cpu.cores = 4
        si.hardware.architecture = "x86_64"
        si.software.os.name = "Linux"
        si.software.hostname = hostname
        p = si.software.packages.add()
        p.name = "bash"
        p.version = "5.2"
        p.package_manager = "apt"
        nic = si.network_interfaces.add()
        nic.name = "eth0"
        nic.mac_address = "aa:bb:cc:dd:ee:ff"
        nic.ip_addresses.extend(["192.168.1.100", "fe80::1"])
        nic.is_up = True
        return tr

    def publish_status(self, agent_id, connected):
        tr = self.pb.TaskResponse(agent_id=agent_id)
        tr.agent_status.agent_id = agent_id
        tr.agent_status.state = self.pb.AgentStatus.CONNECTED if connected else self.pb.AgentStatus.DISCONNECTED
        self.agents[agent_id] = connected
        self.publish("status", agent_id, tr)


class SSEClient:
    """A raw-socket SSE reader: events() yields dicts {id, event, data}."""

    def __init__(self, host, port, path, headers=None, timeout=10):
        import socket
        self.sock = socket.create_connection((host, port), timeout=timeout)
        h = "".join("%s: %s\r\n" % kv for kv in (headers or {}).items())
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n%s\r\n"
                           % (path, host, h)).encode())
        self.buf = b""
        self.status = None
        self.headers = {}
        self._read_head()

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("stream closed")
        self.buf += chunk

    def _read_head(self):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        for l in lines[1:]:
            k, _, v = l.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.chunked = self.headers.get("transfer-encoding") == "chunked"
        self.body = b""

    def _pump(self):
        """Moves decoded body bytes from buf to body."""
        if not self.chunked:
            self.body += self.buf
            self.buf = b""
            return
        while True:
            if b"\r\n" not in self.buf:
                return
            size_line, rest = self.buf.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                raise EOFError("stream ended")
            if len(rest) < size + 2:
                return
            self.body += rest[:size]
            self.buf = rest[size + 2:]

    def read_body(self, n_bytes):
        while len(self.body) < n_bytes:
            self._pump()
            if len(self.body) >= n_bytes:
                break
            self._fill()
        return self.body

    def next_block(self):
        """The next "\n\n"-terminated block, decoded into a dict (comments under ':')."""
        while b"\n\n" not in self.body:
            self._pump()
            if b"\n\n" in self.body:
                break
            self._fill()
        block, self.body = self.body.split(b"\n\n", 1)
        ev = {}
        for line in block.decode().split("\n"):
            k, _, v = line.partition(":")
            ev[k] = v[1:] if v.startswith(" ") else v
        return ev

    def next_event(self):
        while True:
            ev = self.next_block()
            if "event" in ev:
                return ev

    def close(self):
        self.sock.close()
