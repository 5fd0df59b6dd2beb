"""Uploaded materials in an S3-compatible object store, through the S3 protocol.

A moto server (installed from PyPI) plays the S3 store; Tongban is configured to keep materials
in bucket `tongban-materials` there. A person registers and verifies their real name in the
browser pages, then over the API applies for 个体工商户设立登记 with the premises document
uploaded. boto3, an independent S3 client, then finds the object under the application's prefix
with exactly the uploaded bytes; Tongban serves the same bytes back; the case is created. A server
restart keeps them (nothing lives in the process).

Usage: python s3_flow.py PATH/TO/tongban
Exits non-zero with a message on the first failure.
"""

import html
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import boto3
import requests

BIN = os.path.abspath(sys.argv[1])
PERSON = {"name": "张三", "citizen_id": "110101199003070011", "phone": "13812345678", "password": "Tongban-2026"}
OFFERING = "1111010143783071XP0700105001000"
PREMISES = "经营场所使用相关文件（或经营场所申报承诺）"
BUCKET = "tongban-materials"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DATA = {"operator_name": "张三", "phone": "13812345678", "organization_form": "个人经营",
        "address": "北京市东城区东四北大街 107 号", "business_scope": "小吃服务", "employees": 2}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url, what):
    for _ in range(240):
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.25)
    sys.exit(f"{what} not ready")


def hidden_fields(page):
    return {html.unescape(k): html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}


def main():
    data = tempfile.mkdtemp(prefix="tongban-s3-")
    s3_port, port = free_port(), free_port()
    endpoint = f"http://127.0.0.1:{s3_port}"
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    servers = []
    try:
        wait(endpoint, "moto S3")
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="tongban", aws_secret_access_key="tongban-secret")
        s3.create_bucket(Bucket=BUCKET)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")} | {
            "NO_COLOR": "1",
            "TONGBAN_OBJECTS_URL": f"s3://{BUCKET}",
            "TONGBAN_S3_ENDPOINT": endpoint,
            "TONGBAN_S3_REGION": "us-east-1",
            "TONGBAN_S3_ACCESS_KEY_ID": "tongban",
            "TONGBAN_S3_SECRET_ACCESS_KEY": "tongban-secret",
        }
        base = f"http://127.0.0.1:{port}"
        log = open(os.path.join(data, "server.log"), "w")

        def start():
            p = subprocess.Popen([BIN, "serve", "--demo", "--listen", f"127.0.0.1:{port}", "--data-dir", data],
                                 env=env, cwd=data, stdout=log, stderr=log)
            servers.append(p)
            wait(f"{base}/readyz", "tongban")
            return p

        server = start()
        browser = requests.Session()
        form = hidden_fields(browser.get(f"{base}/register").text)
        reg = browser.post(f"{base}/register", data={**form, **PERSON, "email": "", "password_confirm": PERSON["password"]},
                           allow_redirects=False)
        assert reg.status_code == 303, f"register: {reg.status_code} {reg.text[:400]}"
        form = hidden_fields(browser.get(f"{base}/account").text)
        verify = browser.post(f"{base}/account/verify", data={"csrf": form["csrf"]}, allow_redirects=False)
        assert verify.status_code == 303, f"verify: {verify.status_code}"

        token = requests.post(f"{base}/api/v1/sessions", json={"identifier": PERSON["phone"], "password": PERSON["password"]}).json()["token"]
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {token}"
        app = api.post(f"{base}/api/v1/applications", json={"offering_code": OFFERING}).json()
        app_id = app["id"]
        assert api.put(f"{base}/api/v1/applications/{app_id}", json={"data": DATA}).status_code == 200
        up = api.post(f"{base}/api/v1/applications/{app_id}/materials", data={"material": PREMISES},
                      files={"file": ("房屋租赁合同.pdf", PDF, "application/pdf")})
        assert up.status_code == 201, f"upload: {up.status_code} {up.text}"
        file_id = up.json()["id"]

        # boto3 sees the object, under the application's prefix, with the very bytes.
        listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"applications/{app_id}/").get("Contents", [])
        assert [o["Key"] for o in listed] == [f"applications/{app_id}/{file_id}"], listed
        body = s3.get_object(Bucket=BUCKET, Key=listed[0]["Key"])["Body"].read()
        assert body == PDF, "the stored object holds the uploaded bytes"

        receipt = api.post(f"{base}/api/v1/applications/{app_id}/submit", headers={"Idempotency-Key": "s3-flow"})
        assert receipt.status_code == 201, f"submit: {receipt.status_code} {receipt.text}"
        number = receipt.json()["case_number"]

        # After a restart the file is still served, from S3.
        server.terminate()
        server.wait(timeout=30)
        start()
        got = api.get(f"{base}/api/v1/applications/{app_id}/materials/{file_id}")
        assert got.status_code == 200 and got.content == PDF, f"download: {got.status_code}"
        assert got.headers["content-type"] == "application/pdf" and got.headers["x-content-type-options"] == "nosniff"
        assert api.get(f"{base}/api/v1/cases/{number}").status_code == 200
        assert not os.path.exists(os.path.join(data, "objects")), "nothing was written to the local directory"
        print(f"S3 materials via moto + boto3: uploaded, found by boto3 with identical bytes, served after restart; case {number}: ok")
    finally:
        for p in servers:
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        moto.terminate()


if __name__ == "__main__":
    main()
