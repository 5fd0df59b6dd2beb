"""Interoperability of Tongban's OpenID Connect provider with a third-party client library.

Authlib (installed from PyPI) plays a department system: it reads the discovery document, sends
a person through the authorization-code flow with PKCE (the person logs in and agrees on the
consent page, driven here over HTTP), exchanges the code, validates the id_token against the
published JWKS (EdDSA), calls userinfo, and refreshes the tokens.

Usage: python authlib_flow.py PATH/TO/tongban
Exits non-zero with a message on the first failure.
"""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import html

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken

BIN = os.path.abspath(sys.argv[1])
REDIRECT = "http://127.0.0.1:9/callback"
PERSON = {"name": "张三", "citizen_id": "110101199003070011", "phone": "13812345678", "password": "Tongban-2026"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env():
    # TONGBAN_* variables configure the server; the runner's own must not leak in.
    return {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")} | {"NO_COLOR": "1"}


def run(*args):
    out = subprocess.run([BIN, *args], env=clean_env(), capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"tongban {' '.join(args)} failed: {out.stderr}")
    return out.stdout


def hidden_fields(page):
    return {html.unescape(k): html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}


def main():
    data = tempfile.mkdtemp(prefix="tongban-oidc-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(data, "server.log"), "w")
    server = subprocess.Popen([BIN, "serve", "--demo", "--listen", f"127.0.0.1:{port}", "--data-dir", data], env=clean_env(), cwd=data, stdout=log, stderr=log)
    try:
        for _ in range(240):
            try:
                if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.25)
        else:
            sys.exit("server not ready")
        client = json.loads(run("oidc", "add-client", "--name", "不动产登记系统", "--redirect-uri", REDIRECT,
                                "--grant", "authorization_code", "--grant", "refresh_token", "--json", "--data-dir", data))

        # The person registers (a browser, over HTTP).
        browser = requests.Session()
        form = hidden_fields(browser.get(f"{base}/register").text)
        reg = browser.post(f"{base}/register", data={**form, **PERSON, "email": "", "password_confirm": PERSON["password"]}, allow_redirects=False)
        assert reg.status_code == 303, f"register: {reg.status_code} {reg.text[:400]}"

        # The department system: discovery, then the code flow with PKCE.
        meta = requests.get(f"{base}/.well-known/openid-configuration").json()
        assert meta["issuer"] == base, meta
        rp = OAuth2Session(client["client_id"], client["client_secret"], scope="openid profile", redirect_uri=REDIRECT,
                           code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(16)
        url, state = rp.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)

        consent = browser.get(url, allow_redirects=False)
        assert consent.status_code == 200 and "不动产登记系统" in consent.text, f"consent: {consent.status_code}"
        decision = browser.post(f"{base}/oauth/authorize", data={**hidden_fields(consent.text), "decision": "allow"}, allow_redirects=False)
        assert decision.status_code == 303, f"decision: {decision.status_code} {decision.text[:400]}"
        callback = decision.headers["location"]
        assert callback.startswith(REDIRECT) and f"state={state}" in callback, callback

        token = rp.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
        assert {"access_token", "id_token", "refresh_token"} <= token.keys(), token.keys()

        jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"]).json())
        claims = JsonWebToken(["EdDSA"]).decode(token["id_token"], jwks,
                                                claims_options={"iss": {"essential": True, "value": base},
                                                                "aud": {"essential": True, "value": client["client_id"]},
                                                                "nonce": {"essential": True, "value": nonce}})
        claims.validate()
        assert claims["acr"] == "L1" and claims["subject_type"] == "person", claims
        assert claims["masked_id"] == "1101**********0011" and claims["division"] == "110101", claims
        assert PERSON["citizen_id"] not in json.dumps(dict(claims)), "the full id number is never in a token"

        info = rp.get(meta["userinfo_endpoint"]).json()
        assert info["sub"] == claims["sub"] and info["name"] == "张三", info

        refreshed = rp.refresh_token(meta["token_endpoint"])
        assert refreshed["refresh_token"] != token["refresh_token"], "refresh tokens rotate"
        again = requests.post(meta["token_endpoint"], auth=(client["client_id"], client["client_secret"]),
                              data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]})
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant", "a used refresh token is refused"
        replay = requests.post(meta["token_endpoint"], auth=(client["client_id"], client["client_secret"]),
                               data={"grant_type": "authorization_code", "code": re.search(r"code=([^&]+)", callback).group(1),
                                     "redirect_uri": REDIRECT, "code_verifier": verifier})
        assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant", "a code is used once"
        print("authlib OIDC flow: discovery, code + PKCE, id_token (EdDSA) validated, userinfo, refresh: ok")
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()


if __name__ == "__main__":
    main()
