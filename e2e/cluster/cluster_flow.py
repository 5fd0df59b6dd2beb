"""Several Tongban nodes on one PostgreSQL database: the multi-node pass.

Two `tongban serve` processes (node numbers 1 and 2, their own data directories and search
indexes, one key file) share a fresh PostgreSQL database. Checked: both are ready; each of the
platform's jobs runs on exactly one of them (the `leases` table); a third
process with node number 1 is refused while node 1 lives; a person registered at node 1 logs in at
node 2; an offering published by another process (`tongban catalog import`) is found by node 2's
search within seconds; a call at a hall's window made at node 1 reaches a display connected to node
2; node 1 stopped (SIGTERM) gives its jobs up and node 2 takes them over;
node 2 killed (SIGKILL) and restarted with its number serves again once its old lease lapses;
node 1 stopped (SIGTERM) drains first: /readyz fails while it still serves.

Usage: python cluster_flow.py PATH/TO/tongban POSTGRES_URL
Exits non-zero with a message on the first failure.
"""

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from tongban import OFFERING, PERSON, Server, clean_env, csrf_of, eventually, free_port, signed_in_citizen  # noqa: E402

BIN = os.path.abspath(sys.argv[1])
PG = sys.argv[2]
DB = "tongban_cluster"
JOBS = ["call-log-sealing", "messages", "supervision", "webhooks"]
# 李四 of the demo registry, window staff of the demo hall.
WINDOW = {"name": "李四", "citizen_id": "110105198511200127", "phone": "13912345678", "password": "Tongban-2026"}


def psql(sql, url=PG):
    out = subprocess.run(["psql", url, "-qAtc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def database_url():
    base, _, query = PG.partition("?")
    return base.rsplit("/", 1)[0] + "/" + DB + (f"?{query}" if query else "")


def leases(url):
    rows = psql("select name, holder, until > now() from leases order by name", url)
    return {name: (holder, live == "t") for name, holder, live in (r.split("|") for r in rows.splitlines())}


def held_by_one(url, holders):
    now = leases(url)
    jobs = {j: now.get(j) for j in JOBS}
    return all(h and h[1] and h[0] in holders for h in jobs.values()) and jobs


def haproxy(nodes):
    """HAProxy in front of `nodes`: round robin, a node out after two failed /readyz checks half
    a second apart, a refused connection retried on the other node."""
    port = free_port()
    servers = "".join(f"    server n{i} 127.0.0.1:{n.port} check\n" for i, n in enumerate(nodes, 1))
    cfg = f"""global
    maxconn 1000
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 2
    option redispatch
frontend web
    bind 127.0.0.1:{port}
    option forwardfor
    default_backend tongban
backend tongban
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2
{servers}"""
    path = os.path.join(tempfile.mkdtemp(prefix="haproxy-"), "haproxy.cfg")
    with open(path, "w") as f:
        f.write(cfg)
    process = subprocess.Popen(["/usr/sbin/haproxy", "-f", path, "-db"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def up():
        assert process.poll() is None, "HAProxy exited: check its configuration with haproxy -c -f"
        try:
            return requests.get(f"{base}/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    eventually("HAProxy answers through a node", up, 15)
    return process, base


def hall_calls_across_nodes(one, two, admin_web, cli_env):
    hall = "h_demo_dongcheng"
    data = tempfile.mkdtemp(prefix="cluster-cli-")
    subprocess.run([BIN, "staff", "add-platform-admin", PERSON["phone"], "--data-dir", data], env=clean_env(cli_env),
                   cwd=data, check=True, capture_output=True, timeout=120)
    _, token = signed_in_citizen(one.base, person=WINDOW)
    form = {"person": WINDOW["phone"], "role": "window_staff", "agency_code": "1111010143783071XP",
            "division_code": "", "csrf": csrf_of(admin_web.get(f"{one.base}/staff").text)}
    done = admin_web.post(f"{one.base}/staff/assign", data=form, allow_redirects=False)
    assert done.status_code == 303 and "done=assigned" in done.headers["location"], done.text[-800:]
    auth = {"Authorization": f"Bearer {token}"}
    at = requests.post(f"{one.base}/api/v1/halls/{hall}/window", headers=auth, json={"window": "1"})
    assert at.status_code == 204, at.text
    events = queue.Queue()

    def listen():
        try:
            with requests.get(f"{two.base}/halls/{hall}/display/events", stream=True, timeout=30) as r:
                events.put("open" if r.status_code == 200 else r.status_code)
                for line in r.iter_lines(decode_unicode=True):
                    if line and line.startswith("data:"):
                        events.put((time.time(), json.loads(line[5:])))
        except requests.RequestException:
            pass  # node 2 is killed later in the pass: its stream ends

    threading.Thread(target=listen, daemon=True).start()
    assert events.get(timeout=10) == "open"
    ticket = requests.post(f"{one.base}/api/v1/halls/{hall}/tickets", json={"offering_code": OFFERING})
    assert ticket.status_code == 201, ticket.text
    t = time.time()
    called = requests.post(f"{one.base}/api/v1/halls/{hall}/calls", headers=auth)
    assert called.status_code == 200, called.text
    number = called.json()["number"]
    while True:
        at, call = events.get(timeout=5)
        if call["number"] == number:
            break
    assert call["window"] == "1" and number in call["text"], call
    print(f"a call at node 1 ({number}, window 1) reached a display on node 2 in {(at - t) * 1000:.0f} ms")


def main():
    psql(f"drop database if exists {DB}")
    psql(f"create database {DB}")
    url = database_url()
    keys = os.path.join(tempfile.mkdtemp(prefix="cluster-keys-"), "keys.txt")
    env = lambda n: {"TONGBAN_DATABASE_URL": url, "TONGBAN_NODE_ID": str(n), "TONGBAN_KEY_FILE": keys,
                     "TONGBAN_TRUSTED_PROXIES": "127.0.0.1/32", "TONGBAN_REDIS_URL": "redis://127.0.0.1:6379",
                     "TONGBAN_VERIFICATIONS_PER_MINUTE": "4", "TONGBAN_SHUTDOWN_DRAIN_SECS": "2"}
    started = time.time()
    one = Server(BIN, env=env(1), name="node1")
    two = Server(BIN, env=env(2), name="node2")
    proxy = None
    try:
        proxy, base = haproxy([one, two])
        print(f"two nodes ready on one database behind HAProxy in {time.time() - started:.1f} s")
        holders = {l[0] for n, l in leases(url).items() if n in ("node-1", "node-2")}
        assert len(holders) == 2, f"each node holds its number: {leases(url)}"
        jobs = eventually("every job held by one live node", lambda: held_by_one(url, holders), 10)
        print("jobs:", {j: h[0] for j, h in jobs.items()})

        # A third process with node 1's number: refused once it has seen the lease renewed.
        data = tempfile.mkdtemp(prefix="node1-again-")
        t = time.time()
        again = subprocess.run([BIN, "serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir", data],
                               env=clean_env(env(1)), cwd=data, capture_output=True, text=True, timeout=120)
        assert again.returncode != 0, "a second node 1 served"
        assert "节点编号 1" in again.stderr and "node_id" in again.stderr, again.stderr[-600:]
        print(f"a second node 1 refused after {time.time() - t:.1f} s")

        # One identity through the proxy, whichever node answers each request; the address the
        # proxy forwarded is the one a session records.
        web, _ = signed_in_citizen(base)
        login = requests.post(f"{base}/api/v1/sessions", headers={"X-Forwarded-For": "203.0.113.7"},
                              json={"identifier": PERSON["phone"], "password": PERSON["password"]})
        assert login.status_code == 201, login.text
        account = web.get(f"{base}/account")
        assert account.status_code == 200 and "203.0.113.7" in account.text, account.text[-1500:]
        login = requests.post(f"{two.base}/api/v1/sessions",
                              json={"identifier": PERSON["phone"], "password": PERSON["password"]})
        assert login.status_code == 201, login.text
        print("a person registered through the proxy signs in at either node; her session shows the forwarded address")

        # One hall across the nodes: a call made at node 1 reaches a display connected to node 2
        # (calls go through the database, not one node's memory).
        hall_calls_across_nodes(one, two, web, env(3))

        # One allowance per address, whichever node answers (counted in Redis): the fifth
        # verification in a minute through the proxy is refused though each node saw two or three.
        client = f"198.51.100.{int(time.time() * 1000) % 250 + 1}"
        licence = "1.2.156.3005.2.11100000000013338W011.11110000000021135M.20230329701.003.Y"
        verify = lambda: requests.get(f"{base}/api/v1/licences/{licence}/verification",
                                      headers={"X-Forwarded-For": client}).status_code
        if time.time() % 60 > 50:
            time.sleep(61 - time.time() % 60)
        answers = [verify() for _ in range(5)]
        assert answers == [404, 404, 404, 404, 429], f"one allowance across the nodes: {answers}"
        print("the allowance per address is shared by the nodes (the fifth verification refused)")

        # One catalog: an offering published by another process reaches node 2's own index.
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "datasets", "catalog", "demo.jsonl")) as f:
            offering = json.loads(f.readline())
        offering["name"] = "居民身份证换领集群演练"
        batch = os.path.join(data, "one.jsonl")
        with open(batch, "w") as f:
            f.write(json.dumps(offering, ensure_ascii=False) + "\n")
        subprocess.run([BIN, "catalog", "import", batch, "--data-dir", data], env=clean_env(env(3)), cwd=data,
                       check=True, capture_output=True, timeout=120)
        t = time.time()
        found = lambda: any(i.get("name") == offering["name"] for i in
                            requests.get(f"{two.base}/api/v1/catalog/search", params={"q": "集群演练"}).json()["items"])
        eventually("node 2's search finds the offering imported beside it", found, 15)
        print(f"node 2 finds an offering published elsewhere after {time.time() - t:.1f} s")

        # Node 2 is killed under a stream of requests through the proxy.
        search = f"{base}/api/v1/catalog/search"
        failed, killed_at, recovered_at, streak = 0, None, None, 0
        two_holder = leases(url)["node-2"][0]
        for i in range(400):
            if i == 50:
                two.process.kill()
                two.process.wait()
                killed_at = time.time()
            try:
                ok = requests.get(search, params={"q": "身份证"}, timeout=5).status_code == 200
            except requests.RequestException:
                ok = False
            failed += 0 if ok else 1
            streak = streak + 1 if ok else 0
            if killed_at and not recovered_at and streak >= 20:
                recovered_at = time.time()
        assert recovered_at, f"the proxy never recovered: {failed} failed"
        print(f"node 2 killed under load: {failed} of 400 requests through the proxy failed; "
              f"{recovered_at - killed_at:.1f} s from the kill to 20 answered in a row")
        # Restarted with its number: nothing gave the old lease up, so it waits for it to lapse.
        t = time.time()
        two = Server(BIN, env=env(2), data=two.data, name="node2", port=two.port)
        assert leases(url)["node-2"][0] != two_holder, leases(url)
        print(f"node 2 restarted: serving again after {time.time() - t:.1f} s")

        # Node 1 stops: its jobs move to node 2 at node 2's next round.
        one_holder, two_holder = leases(url)["node-1"][0], leases(url)["node-2"][0]
        eventually("every job held by a live node", lambda: held_by_one(url, {one_holder, two_holder}), 40)
        # SIGTERM: node 1 drains — /readyz fails at once while it still serves — then stops;
        # requests through the proxy meanwhile all answered.
        one.process.terminate()
        t = time.time()

        def draining():
            r = requests.get(f"{one.base}/readyz", timeout=2)
            return r.status_code == 503 and r.json()["error"]["code"] == "draining"

        eventually("node 1 draining (/readyz 503)", draining, 2)
        still = requests.get(f"{one.base}/api/v1/catalog/search", params={"q": "身份证"}, timeout=5)
        assert still.status_code == 200, f"a draining node still serves: {still.status_code}"
        through = [requests.get(search, params={"q": "身份证"}, timeout=5).status_code for _ in range(40)]
        assert through == [200] * 40, f"the proxy answered everything while node 1 drained: {through}"
        one.process.wait(timeout=40)
        assert one.process.returncode == 0, one.log()[-800:]
        print(f"node 1 drained and stopped {time.time() - t:.1f} s after SIGTERM, "
              "every request through the proxy answered meanwhile")
        t = time.time()
        for job in ("call-log-sealing", "messages", "webhooks"):
            eventually(f"node 2 runs {job}", lambda: leases(url)[job] == (two_holder, True), 15)
        supervision = leases(url)["supervision"]
        assert supervision[0] == two_holder or not supervision[1], f"node 1 gave supervision up: {supervision}"
        assert not leases(url)["node-1"][1], "node 1 gave its number up"
        print(f"node 1 stopped: node 2 took its jobs over in {time.time() - t:.1f} s")
        assert requests.get(f"{base}/readyz", timeout=5).json() == {"status": "ready"}, "the proxy serves from node 2"
    finally:
        for s in (one, two):
            if s.process.poll() is None:
                s.stop()
        if proxy:
            proxy.terminate()
            proxy.wait()
    psql(f"drop database if exists {DB}")
    print("multi-node pass: ok")


if __name__ == "__main__":
    main()
