"""What the Python passes of e2e/ share: a `tongban serve` of their own on a fresh data directory,
and a demo citizen signed in for a bearer token."""

import html
import os
import re
import socket
import subprocess
import tempfile
import time

import requests

# 张三 of datasets/registry/demo.csv (fictional).
PERSON = {"name": "张三", "citizen_id": "110101199003070011", "phone": "13812345678", "password": "Tongban-2026"}
# 个体工商户设立登记 (东城区) of the demo catalog, and the file its guide asks for.
OFFERING = "1111010143783071XP0700105001000"
PREMISES = "经营场所使用相关文件（或经营场所申报承诺）"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(extra=None):
    """The runner's environment without its own TONGBAN_* variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")} | {"NO_COLOR": "1"}
    return env | (extra or {})


class Server:
    """`tongban serve --demo` on a loopback port (`port`, else a free one); `stop()` ends it. `env`
    adds settings."""

    def __init__(self, binary, env=None, data=None, name="tongban", port=None):
        self.data = data or tempfile.mkdtemp(prefix=f"{name}-")
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(self.data, "server.log")
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [os.path.abspath(binary), "serve", "--demo", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data],
            env=clean_env(env), cwd=self.data, stdout=log, stderr=log)
        for _ in range(480):
            if self.process.poll() is not None:
                raise SystemExit(f"server exited: {self.log()}")
            try:
                if requests.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise SystemExit(f"server not ready: {self.log()}")

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def eventually(what, check, seconds, fail=True):
    """What `check` returns once it is truthy, polled for `seconds`; then a failure naming `what`
    (or None when not `fail`)."""
    deadline = time.time() + seconds
    while True:
        got = check()
        if got:
            return got
        if time.time() > deadline:
            if not fail:
                return None
            raise SystemExit(f"FAIL: {what} (waited {seconds} s)")
        time.sleep(0.25)


def csrf_of(page):
    return html.unescape(re.search(r'name="csrf" value="([^"]+)"', page).group(1))


def signed_in_citizen(base, person=PERSON, email=""):
    """Registers `person` through the pages, verifies the real name, logs in over the API: the
    browser session (with its cookies) and a bearer token."""
    web = requests.Session()
    form = {**person, "password_confirm": person["password"], "email": email, "csrf": csrf_of(web.get(f"{base}/register").text)}
    done = web.post(f"{base}/register", data=form, allow_redirects=False)
    assert done.status_code == 303, done.text[:800]
    verified = web.post(f"{base}/account/verify", data={"csrf": csrf_of(web.get(f"{base}/account").text)},
                        allow_redirects=False)
    assert verified.status_code == 303, verified.text[:800]
    login = requests.post(f"{base}/api/v1/sessions", json={"identifier": person["phone"], "password": person["password"]})
    assert login.status_code == 201, login.text
    return web, login.json()["token"]
