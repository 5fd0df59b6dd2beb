"""Fuzzing of the JSON API against its own OpenAPI document, with schemathesis (PyPI, pinned).

Starts `tongban serve` on a fresh SQLite data directory with the demo data, registers and
verifies a demo person for a bearer token, then runs schemathesis twice — unauthenticated and
with the token — over every operation of /api/v1/openapi.json, a bounded number of examples each.
Fails on any 5xx, any answer that violates its documented schema, content type or headers, and
any status the document does not list.

Usage: python fuzz.py PATH/TO/tongban [EXAMPLES_PER_OPERATION]
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from tongban import Server, clean_env, signed_in_citizen  # noqa: E402

BIN = sys.argv[1]
EXAMPLES = sys.argv[2] if len(sys.argv) > 2 else "25"
ST = os.path.join(os.path.dirname(sys.executable), "schemathesis")
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
])


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
    # Generous allowances: the fuzzer is one address making thousands of requests.
    server = Server(BIN, env={"TONGBAN_LOGIN_ATTEMPTS_PER_MINUTE": "100000",
                              "TONGBAN_VERIFICATIONS_PER_MINUTE": "100000", "TONGBAN_LOG": "warn"}, name="tongban-fuzz")
    try:
        _, token = signed_in_citizen(server.base)
        failed = fuzz(server.base, "anonymous", [])
        failed |= fuzz(server.base, "with a bearer token", [f"Authorization: Bearer {token}"])
    finally:
        server.stop()
    panics = [line for line in server.log().splitlines() if "panicked" in line]
    if panics:
        print("server panics:", *panics[:5], sep="\n")
        failed = 1
    if failed:
        sys.exit(f"fuzzing found answers the OpenAPI document does not allow (above); server log: {server.log_path}")
    print("fuzzing: no 5xx, every answer as documented")


if __name__ == "__main__":
    main()
