"""Three Tongban nodes on highly available PostgreSQL: the failover pass.

etcd (Debian `etcd-server`) holds the cluster's state; Patroni (PyPI) runs two PostgreSQL members
(Debian's binaries) — a primary and a synchronous replica; one HAProxy (Debian) sends Tongban's
connections to whichever member Patroni's REST API calls the primary, and spreads people's requests
over three Tongban nodes by their /readyz. Sixteen clients submit applications (each submission
with its Idempotency-Key, retried until answered) and verify a licence, while

1. one Tongban node is killed (SIGKILL): only requests in flight on it fail, retries succeed;
2. the PostgreSQL primary is killed (its Patroni and its postmaster, SIGKILL, as a machine lost):
   the replica is promoted, HAProxy follows, the nodes resume.

At the end every acknowledged submission exists exactly once, no application has two cases,
every webhook was delivered (at least once: repeats are counted), `tongban audit verify` passes
and each of the platform's jobs is held by one live node. Prints the
seconds to recover from each fault, the requests that failed and the acknowledged submissions lost.

Usage: python ha.py PATH/TO/tongban    (run as root: PostgreSQL runs as the `postgres` user)
"""

import datetime
import glob
import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from tongban import OFFERING, PREMISES, Server, clean_env, eventually, free_port, signed_in_citizen  # noqa: E402

BIN = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
# Made with Debian's python3 (`.ci/run`), which the postgres user may run.
PATRONI = os.path.join(HERE, ".venv-patroni", "bin", "patroni")
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))[-1]
CLIENTS = 16
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DATA = {"operator_name": "张三", "phone": "13812345678", "organization_form": "个人经营",
        "address": "北京市东城区东四北大街 107 号", "business_scope": "小吃服务", "employees": 2}
LICENCE = "1.2.156.3005.2.11100000000013338W011.11110000000021135M.20230329701.003.Y"


def people():
    """The demo registry's people (datasets/registry/demo.csv), each with a phone of their own."""
    with open(os.path.join(HERE, "..", "..", "datasets", "registry", "demo.csv")) as f:
        rows = [line.strip().split(",") for line in f.readlines()[1:] if line.strip()]
    return [{"name": n, "citizen_id": c, "phone": f"1360000{i:04d}", "password": "Tongban-2026"}
            for i, (n, c) in enumerate(rows)]


class Cluster:
    """etcd, two Patroni members and one HAProxy, in a directory of their own."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="tongban-ha-")
        os.chmod(self.dir, 0o755)
        self.processes = {}
        try:
            self.start()
        except BaseException:
            self.print_logs()
            self.stop()
            raise

    def print_logs(self):
        for name in ("etcd", "pg1", "pg2", "haproxy"):
            if os.path.exists(os.path.join(self.dir, f"{name}.log")):
                print(f"--- {name}.log\n{self.log(name)}", file=sys.stderr)

    def start(self):
        self.etcd_port, peer = free_port(), free_port()
        etcd = ["etcd", "--name", "e1", "--data-dir", os.path.join(self.dir, "etcd"),
                "--listen-client-urls", f"http://127.0.0.1:{self.etcd_port}",
                "--advertise-client-urls", f"http://127.0.0.1:{self.etcd_port}",
                "--listen-peer-urls", f"http://127.0.0.1:{peer}",
                "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
                "--initial-cluster", f"e1=http://127.0.0.1:{peer}"]
        self.spawn("etcd", etcd)
        eventually("etcd answers", lambda: self.get(f"http://127.0.0.1:{self.etcd_port}/health") == 200, 20)
        self.members = {name: {"pg": free_port(), "rest": free_port()} for name in ("pg1", "pg2")}
        self.db_port, self.web_port = free_port(), free_port()
        for name in self.members:
            self.start_member(name)
        eventually("a primary", lambda: self.primary(), 60)
        eventually("the replica streaming", lambda: self.get(self.rest("pg2" if self.primary() == "pg1" else "pg1",
                                                                     "replica")) == 200, 60)

    def spawn(self, name, argv, user=None):
        log = open(os.path.join(self.dir, f"{name}.log"), "a")
        if user:
            argv = ["runuser", "-u", user, "--"] + argv
        self.processes[name] = subprocess.Popen(argv, stdout=log, stderr=log, cwd=self.dir, start_new_session=True)

    def log(self, name):
        with open(os.path.join(self.dir, f"{name}.log")) as f:
            return f.read()[-3000:]

    @staticmethod
    def get(url):
        try:
            return requests.get(url, timeout=1).status_code
        except requests.RequestException:
            return None

    def rest(self, name, check):
        return f"http://127.0.0.1:{self.members[name]['rest']}/{check}"

    def primary(self):
        return next((n for n in self.members if self.get(self.rest(n, "primary")) == 200), None)

    def start_member(self, name):
        m = self.members[name]
        config = os.path.join(self.dir, f"{name}.yml")
        with open(config, "w") as f:
            f.write(f"""scope: tongban
name: {name}
restapi:
  listen: 127.0.0.1:{m['rest']}
  connect_address: 127.0.0.1:{m['rest']}
etcd3:
  host: 127.0.0.1:{self.etcd_port}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        max_connections: 200
        wal_log_hints: "on"
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
  pg_hba:
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
    - local all all trust
postgresql:
  listen: 127.0.0.1:{m['pg']}
  connect_address: 127.0.0.1:{m['pg']}
  data_dir: {self.dir}/{name}/data
  bin_dir: {PG_BIN}
  authentication:
    superuser:
      username: postgres
      password: postgres
    replication:
      username: replicator
      password: replicator
  parameters:
    unix_socket_directories: {self.dir}/{name}
""")
        os.makedirs(os.path.join(self.dir, name), exist_ok=True)
        shutil.chown(os.path.join(self.dir, name), "postgres", "postgres")
        self.spawn(name, [PATRONI, config], user="postgres")

    def haproxy(self, ports):
        """One HAProxy: people's requests over the Tongban nodes' `ports` (by /readyz, a refused
        connection retried on another node), and Tongban's database connections to Patroni's
        primary — cut when it stops being one. Returns once only the primary is up in it (HAProxy
        starts with every server up)."""
        web = "".join(f"    server n{i} 127.0.0.1:{p} check\n" for i, p in enumerate(ports, 1))
        pg = "".join(f"    server {name} 127.0.0.1:{m['pg']} check port {m['rest']}\n"
                     for name, m in self.members.items())
        path = os.path.join(self.dir, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(f"""global
    maxconn 2000
    stats socket {self.dir}/haproxy.sock
defaults
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 2
frontend web
    mode http
    bind 127.0.0.1:{self.web_port}
    option forwardfor
    default_backend tongban
backend tongban
    mode http
    balance roundrobin
    option redispatch
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2
{web}listen postgres
    mode tcp
    bind 127.0.0.1:{self.db_port}
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
{pg}""")
        self.spawn("haproxy", ["/usr/sbin/haproxy", "-f", path, "-db"])
        eventually("HAProxy routes to the primary alone", lambda: self.routed() == [self.primary()], 20)

    def routed(self):
        """The PostgreSQL members HAProxy sends connections to now."""
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(os.path.join(self.dir, "haproxy.sock"))
                s.sendall(b"show stat\n")
                out = b""
                while chunk := s.recv(65536):
                    out += chunk
        except OSError:
            return None
        rows = [r.split(",") for r in out.decode().splitlines() if r.startswith("postgres,")]
        return [r[1] for r in rows if r[1] in self.members and r[17] == "UP"]

    def kill_member(self, name):
        """SIGKILL the member's Patroni and its PostgreSQL, as when its machine is lost."""
        with open(os.path.join(self.dir, name, "data", "postmaster.pid")) as f:
            postmaster = int(f.readline())
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        try:
            os.kill(postmaster, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop(self):
        for name, p in reversed(list(self.processes.items())):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM if name != "etcd" else signal.SIGKILL)
                    p.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(p.pid, signal.SIGKILL)
        subprocess.run(["pkill", "-9", "-f", f"{self.dir}/pg"], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


class Load:
    """Sixteen clients submitting applications and verifying a licence through the proxy."""

    def __init__(self, base, tokens):
        self.base, self.tokens = base, tokens
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged = []  # (application id, case number)
        self.failed = []  # (time, what)
        self.answered = []  # time of each request answered well
        self.threads = [threading.Thread(target=self.client, args=(t,), daemon=True) for t in tokens]

    def call(self, s, method, path, ok, **kw):
        """One request, repeated until it is answered with a status in `ok` (or the load stops)."""
        while not self.stop.is_set():
            try:
                r = s.request(method, f"{self.base}{path}", timeout=30, **kw)
                if r.status_code in ok:
                    with self.lock:
                        self.answered.append(time.time())
                    return r
                what = f"{method} {path.split('/')[3]} {r.status_code}"
                if r.status_code < 500:
                    raise SystemExit(f"FAIL: {what}: {r.text[:300]}")
            except requests.RequestException as e:
                what = f"{method} {path.split('/')[3]} {type(e).__name__}"
            with self.lock:
                self.failed.append((time.time(), what))
            time.sleep(0.3)
        return None

    def client(self, token):
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {token}"
        while not self.stop.is_set():
            a = self.call(s, "POST", "/api/v1/applications", (201,), json={"offering_code": OFFERING})
            if a is None:
                return
            app = a.json()["id"]
            steps = [("PUT", f"/api/v1/applications/{app}", (200,), {"json": {"data": DATA}}),
                     ("POST", f"/api/v1/applications/{app}/materials", (201,),
                      {"data": {"material": PREMISES}, "files": {"file": ("租赁合同.pdf", PDF, "application/pdf")}}),
                     ("POST", f"/api/v1/applications/{app}/submit", (200, 201), {"headers": {"Idempotency-Key": f"ha-{app}"}})]
            r = None
            for method, path, ok, kw in steps:
                r = self.call(s, method, path, ok, **kw)
                if r is None:
                    return
            with self.lock:
                self.acknowledged.append((app, r.json()["case_number"]))
            self.call(s, "GET", f"/api/v1/licences/{LICENCE}/verification", (404,))

    def recovered_after(self, t):
        """Seconds from `t` to the first moment every later second had answers (none failing)."""
        def after():
            with self.lock:
                fails = [f for f, _ in self.failed if f >= t]
                oks = [a for a in self.answered if a >= t]
            last_fail = max(fails, default=t)
            return len([a for a in oks if a > last_fail]) >= 50 and last_fail
        return eventually("the clients are answered again", after, 90) - t


class Receiver(http.server.BaseHTTPRequestHandler):
    """A department system taking webhooks: every delivery's identifier, as often as it came."""
    deliveries = []
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        with self.lock:
            self.deliveries.append(self.headers["x-tongban-delivery"])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def psql(port, sql, db="postgres"):
    out = subprocess.run(["psql", f"postgres://postgres@127.0.0.1:{port}/{db}", "-qAtc", sql],
                         check=True, capture_output=True, text=True, timeout=30)
    return out.stdout.strip()


def main():
    started = time.time()
    cluster = Cluster()
    nodes, load = [], None
    try:
        print(f"etcd, Patroni primary {cluster.primary()} and a synchronous replica in {time.time() - started:.1f} s")
        ports = [free_port() for _ in range(3)]
        cluster.haproxy(ports)
        psql(cluster.db_port, "create database tongban")
        url = f"postgres://postgres@127.0.0.1:{cluster.db_port}/tongban"
        keys = os.path.join(cluster.dir, "keys.txt")
        env = lambda n: {"TONGBAN_DATABASE_URL": url, "TONGBAN_NODE_ID": str(n), "TONGBAN_KEY_FILE": keys,
                         "TONGBAN_TRUSTED_PROXIES": "127.0.0.1/32", "TONGBAN_REDIS_URL": "redis://127.0.0.1:6379",
                         "TONGBAN_LOGIN_ATTEMPTS_PER_MINUTE": "1000", "TONGBAN_VERIFICATIONS_PER_MINUTE": "100000",
                         "TONGBAN_OUTBOUND_ALLOW": "127.0.0.0/8"}
        nodes = [Server(BIN, env=env(1), name="ha-node1", port=ports[0])]
        # The agency's department system, told of every change to its cases.
        receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=receiver.serve_forever, daemon=True).start()
        hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        subprocess.run([BIN, "webhook", "add", "--agency", OFFERING[:18], "--url", hook], env=clean_env(env(9)),
                       cwd=cluster.dir, check=True, capture_output=True, timeout=120)
        nodes += [Server(BIN, env=env(n), name=f"ha-node{n}", port=ports[n - 1]) for n in (2, 3)]
        base = f"http://127.0.0.1:{cluster.web_port}"
        eventually("the nodes through HAProxy", lambda: cluster.get(f"{base}/readyz") == 200, 20)
        print(f"three nodes behind HAProxy on the Patroni cluster after {time.time() - started:.1f} s")

        persons = people()
        tokens = [signed_in_citizen(base, person=p)[1] for p in persons]
        tokens = [tokens[i % len(tokens)] for i in range(CLIENTS)]
        load = Load(base, tokens)
        for t in load.threads:
            t.start()
        time.sleep(8)

        # 1. A Tongban node killed.
        nodes[2].process.kill()
        killed = time.time()
        recovered = load.recovered_after(killed)
        failed_node = len([f for f in load.failed if f[0] >= killed])
        print(f"node 3 killed (SIGKILL): recovered in {recovered:.1f} s; {failed_node} requests failed and were retried")
        time.sleep(5)

        # 2. The PostgreSQL primary killed.
        old = cluster.primary()
        before = len(load.failed)
        cluster.kill_member(old)
        killed = time.time()
        new = eventually("the replica promoted", lambda: (p := cluster.primary()) and p != old and p, 60)
        promoted = time.time() - killed
        recovered = load.recovered_after(killed)
        print(f"primary {old} killed: {new} promoted in {promoted:.1f} s; the nodes answered again after "
              f"{recovered:.1f} s; {len(load.failed) - before} requests failed and were retried")
        time.sleep(5)
        load.stop.set()
        for t in load.threads:
            t.join(timeout=60)

        # Every acknowledged submission exactly once; no application with two cases.
        acknowledged = dict(load.acknowledged)
        assert len(acknowledged) == len(load.acknowledged), "an application acknowledged twice as different cases"
        rows = psql(cluster.db_port, "select application_id, case_number from cases", "tongban").splitlines()
        cases = [r.split("|") for r in rows]
        per_app = {}
        for app, number in cases:
            per_app.setdefault(app, []).append(number)
        doubled = {a: n for a, n in per_app.items() if len(n) > 1}
        lost = [(a, n) for a, n in acknowledged.items() if per_app.get(a) != [n]]
        assert not doubled, f"applications with more than one case: {doubled}"
        assert not lost, f"acknowledged submissions lost: {lost}"
        print(f"{len(acknowledged)} submissions acknowledged, {len(cases)} cases: each exactly once, 0 lost")
        print("failed requests by kind:", {w: sum(1 for _, x in load.failed if x == w) for w in {x for _, x in load.failed}})

        # Every webhook delivered: each queued delivery arrived. Delivery is at least once — a post
        # cut off before it was recorded is made again — so a repeat is counted, by its identifier.
        queued = lambda: int(psql(cluster.db_port, "select count(*) from outbox", "tongban"))
        delivered = lambda: len(set(Receiver.deliveries)) == queued()
        if not eventually("", delivered, 90, fail=False):
            waiting = psql(cluster.db_port, "select id, attempts, next_at, last_error from outbox "
                           "where delivered_at is null limit 5", "tongban")
            raise SystemExit(f"FAIL: {len(set(Receiver.deliveries))} of {queued()} webhooks delivered; "
                             f"waiting: {waiting}")
        time.sleep(2)
        repeated = len(Receiver.deliveries) - len(set(Receiver.deliveries))
        assert queued() >= len(acknowledged), "a webhook for each submission at least"
        print(f"{queued()} webhooks, every one delivered; {repeated} posted again after a cut "
              "(the receiver drops them by x-tongban-delivery)")

        audit = subprocess.run([BIN, "audit", "verify"], env=clean_env(env(9)), cwd=cluster.dir,
                               capture_output=True, text=True, timeout=300)
        assert audit.returncode == 0, audit.stdout[-1500:] + audit.stderr[-1500:]
        print("tongban audit verify:", " ".join(audit.stdout.strip().splitlines()[-2:]))
        # The supervision sweep once a minute in the whole cluster, not once per node: every node
        # logs each round it runs, failed or not, with when it began (a round begins on its minute's
        # tick, later by as long as renewing the lease took — hence 45 s, not 60).
        def sweeps():
            lines = [line for n in nodes for line in n.log().splitlines() if "supervision sweep" in line]
            stamps = [re.search(r"started=(\S+)", line) for line in lines]
            return sorted(datetime.datetime.fromisoformat(m.group(1)).timestamp() for m in stamps if m)
        eventually("two rounds of the supervision sweep", lambda: len(sweeps()) >= 2, 90)
        runs = sweeps()
        gaps = [b - a for a, b in zip(runs, runs[1:])]
        assert min(gaps) >= 45, f"the supervision sweep began more often than once a minute: gaps {gaps} s"
        print(f"supervision sweep: {len(runs)} rounds in {runs[-1] - runs[0]:.0f} s among three nodes, begun "
              f"{', '.join(f'{g:.1f}' for g in gaps)} s apart")
        rows = psql(cluster.db_port, "select name, holder from leases where until > now() and name not like 'node-%'",
                    "tongban").splitlines()
        jobs = dict(r.split("|") for r in rows)
        assert jobs.get("supervision"), f"the supervision sweep runs under one lease: {jobs}"
        print("each job held by one live node:", jobs)
    except BaseException:
        cluster.print_logs()
        for n in nodes:
            print(f"--- {n.data} server.log\n{n.log()[-3000:]}", file=sys.stderr)
        raise
    finally:
        if load:
            load.stop.set()
        for n in nodes:
            if n.process.poll() is None:
                n.stop()
        cluster.stop()
    print("high-availability pass: ok")


if __name__ == "__main__":
    main()
