"""Fuzzing of the JSON API against its own OpenAPI document, with schemathesis (PyPI, pinned).

Starts `tongban serve` on a fresh SQLite data directory with the demo data, registers and
verifies a demo person for a bearer token, then runs schemathesis twice — unauthenticated and
with the token — over every operation of /api/v1/openapi.json, a bounded number of examples each.
Fails on any 5xx, any answer that violates its documented schema, content type or headers, and
any status the document does not list.

Usage: python fuzz.py PATH/TO/tongban [EXAMPLES_PER_OPERATION]
"""

import html
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import requests

BIN = os.path.abspath(sys.argv[1])
EXAMPLES = sys.argv[2] if len(sys.argv) > 2 else "25"
ST = os.path.join(os.path.dirname(sys.executable), "schemathesis")
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
])
PERSON = {"name": "张三", "citizen_id": "110101199003070011", "phone": "13812345678", "password": "Tongban-2026"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env():
    # TONGBAN_* variables configure the server; the runner's own must not leak in.
    return {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")} | {"NO_COLOR": "1"}


def bearer_token(base):
    """Registers the demo person through the pages, verifies the real name, logs in for a token."""
    web = requests.Session()
    page = web.get(f"{base}/register").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form = {**PERSON, "password_confirm": PERSON["password"], "email": "", "csrf": html.unescape(csrf)}
    done = web.post(f"{base}/register", data=form, allow_redirects=False)
    assert done.status_code == 303, done.text[:500]
    page = web.get(f"{base}/account").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    verified = web.post(f"{base}/account/verify", data={"csrf": html.unescape(csrf)}, allow_redirects=False)
    assert verified.status_code == 303, verified.text[:500]
    login = requests.post(f"{base}/api/v1/sessions", json={"identifier": PERSON["phone"], "password": PERSON["password"]})
    assert login.status_code == 201, login.text
    return login.json()["token"]


def fuzz(base, label, headers):
    args = [ST, "run", f"{base}/api/v1/openapi.json", "--checks", CHECKS, "--max-examples", EXAMPLES,
            "--phases", "examples,coverage,fuzzing", "--workers", "2", "--request-timeout", "30",
            "--suppress-health-check", "all", "--seed", "2026", "--no-color"]
    for h in headers:
        args += ["--header", h]
    print(f"schemathesis ({label}): {' '.join(args[1:])}", flush=True)
    started = time.time()
    result = subprocess.run(args, env=clean_env() | {"SCHEMATHESIS_HOOKS": ""}, check=False)
    print(f"schemathesis ({label}): exit {result.returncode} in {time.time() - started:.0f} s", flush=True)
    return result.returncode


def main():
    data = tempfile.mkdtemp(prefix="tongban-fuzz-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(data, "server.log"), "w")
    # Generous allowances: the fuzzer is one address making thousands of requests.
    env = clean_env() | {"TONGBAN_LOGIN_ATTEMPTS_PER_MINUTE": "100000", "TONGBAN_VERIFICATIONS_PER_MINUTE": "100000",
                         "TONGBAN_LOG": "warn"}
    server = subprocess.Popen([BIN, "serve", "--demo", "--listen", f"127.0.0.1:{port}", "--data-dir", data], env=env, cwd=data,
                              stdout=log, stderr=log)
    try:
        for _ in range(240):
            try:
                if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.25)
        else:
            sys.exit("server not ready")
        token = bearer_token(base)
        failed = fuzz(base, "anonymous", [])
        failed |= fuzz(base, "with a bearer token", [f"Authorization: Bearer {token}"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    panics = [line for line in open(os.path.join(data, "server.log")) if "panicked" in line]
    if panics:
        print("server panics:", *panics[:5], sep="\n")
        failed = 1
    if failed:
        sys.exit("fuzzing found answers the OpenAPI document does not allow (above); server log: "
                 + os.path.join(data, "server.log"))
    print("fuzzing: no 5xx, every answer as documented")


if __name__ == "__main__":
    main()
