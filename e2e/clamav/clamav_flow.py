"""Uploads scanned by a real ClamAV daemon (Debian's clamav-daemon), over clamd's INSTREAM protocol.

The pass writes clamd a small signature database of its own — patterns (`.ndb`) matching a test
marker and the EICAR test string — so no signature download is needed; starts
clamd on a loopback port and Tongban configured with it (`TONGBAN_CLAMD`); then, as a citizen
applying for a demo service: a clean PDF is stored, a file with the marker or EICAR is refused with
a 400 naming the signature and nothing stored; with clamd stopped, an upload is refused with 503
and `Retry-After` (fail closed), and stored only where `scan_unavailable = accept` says so.

Usage: python clamav_flow.py PATH/TO/tongban
"""

import os
import socket
import subprocess
import sys
import tempfile
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from tongban import OFFERING, PREMISES, Server, free_port, signed_in_citizen  # noqa: E402

CLAMD = "/usr/sbin/clamd"
MARKER = b"TONGBAN-TEST-VIRUS-MARKER"
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


def start_clamd(work):
    db = os.path.join(work, "db")
    os.makedirs(db)
    with open(os.path.join(db, "tongban.ndb"), "w") as f:
        f.write(f"Tongban.Test.Marker:0:*:{MARKER.hex()}\n")
        f.write(f"Eicar-Test-Signature:0:*:{EICAR.hex()}\n")
    port = free_port()
    conf = os.path.join(work, "clamd.conf")
    with open(conf, "w") as f:
        f.write(f"DatabaseDirectory {db}\nTCPSocket {port}\nTCPAddr 127.0.0.1\nForeground yes\n"
                f"LogFile {work}/clamd.log\nStreamMaxLength 25M\n")
    clamd = subprocess.Popen([CLAMD, "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    for _ in range(240):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"zPING\0")
                if s.recv(16).startswith(b"PONG"):
                    return clamd, port
        except OSError:
            pass
        if clamd.poll() is not None:
            sys.exit(f"clamd exited: {open(os.path.join(work, 'clamd.log')).read()}")
        time.sleep(0.25)
    sys.exit("clamd did not answer")


def upload(base, token, application, name, content):
    return requests.post(f"{base}/api/v1/applications/{application}/materials",
                         headers={"Authorization": f"Bearer {token}"},
                         data={"material": PREMISES}, files={"file": (name, content, "application/pdf")})


def stored_files(data):
    objects = os.path.join(data, "objects")
    return sum(len(files) for _, _, files in os.walk(objects))


def main():
    if not os.access(CLAMD, os.X_OK):
        sys.exit(f"{CLAMD} is missing: apt-get install clamav-daemon")
    work = tempfile.mkdtemp(prefix="tongban-clamav-")
    clamd, port = start_clamd(work)
    server = Server(sys.argv[1], env={"TONGBAN_CLAMD": f"tcp://127.0.0.1:{port}"}, name="tongban-clamav")
    try:
        assert "uploads are scanned by clamd" in server.log(), server.log()
        _, token = signed_in_citizen(server.base)
        auth = {"Authorization": f"Bearer {token}"}
        app = requests.post(f"{server.base}/api/v1/applications", headers=auth, json={"offering_code": OFFERING})
        assert app.status_code == 201, app.text
        application = app.json()["id"]

        clean = upload(server.base, token, application, "租赁合同.pdf", PDF)
        assert clean.status_code == 201, clean.text
        for name, content, signature in [("合同.pdf", PDF + MARKER, "Tongban.Test.Marker"),
                                         ("eicar.pdf", b"%PDF-1.7\n" + EICAR, "Eicar-Test-Signature")]:
            refused = upload(server.base, token, application, name, content)
            assert refused.status_code == 400, refused.text
            body = refused.json()["error"]
            assert body["code"] == "validation_failed" and signature in body["fields"]["file"], body
        files = requests.get(f"{server.base}/api/v1/applications/{application}", headers=auth).json()["materials"]
        assert sum(len(m["files"]) for m in files) == 1, files
        assert stored_files(server.data) == 1, "an infected file is never stored"

        clamd.terminate()
        clamd.wait(timeout=30)
        down = upload(server.base, token, application, "另一份.pdf", PDF)
        assert down.status_code == 503 and down.headers.get("Retry-After"), (down.status_code, down.text)
        assert down.json()["error"]["code"] == "unavailable", down.text
        assert stored_files(server.data) == 1, "fail closed: nothing stored while the scanner is down"
        server.stop()

        # An operator may choose to accept unscanned files while the scanner is down.
        lenient = Server(sys.argv[1], data=server.data, env={"TONGBAN_CLAMD": f"tcp://127.0.0.1:{port}",
                                                             "TONGBAN_SCAN_UNAVAILABLE": "accept"})
        try:
            accepted = upload(lenient.base, token, application, "另一份.pdf", PDF)
            assert accepted.status_code == 201, accepted.text
        finally:
            lenient.stop()
    finally:
        if server.process.poll() is None:
            server.stop()
        if clamd.poll() is None:
            clamd.terminate()
    print("clamav: clean stored; marker and EICAR refused with the signature named, nothing stored; "
          "clamd down: 503 with Retry-After (or accepted when configured): ok")


if __name__ == "__main__":
    main()
