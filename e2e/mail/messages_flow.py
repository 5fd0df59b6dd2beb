"""Text messages and e-mails through real protocols: SMTP to a real SMTP server (aiosmtpd from
PyPI, with authentication), the generic signed-HTTP SMS gateway, and Tencent Cloud SMS's API.

A citizen registers with an e-mail address and verifies the phone: the code goes to the HTTP
gateway, which refuses the first attempt (503) — the platform retries — and checks the HMAC-SM3
signature; the code from the gateway raises the person to level 3. Submitting an application
sends the receipt by e-mail, received by the SMTP server after AUTH. Then the platform runs with
Tencent Cloud SMS pointed at a local endpoint that checks each request's TC3-HMAC-SHA256
signature with the configured key and answers as the provider does; the code it receives works
too. No code ever appears in the server's log.

Usage: python messages_flow.py PATH/TO/tongban
"""

import email
import email.policy
import hashlib
import hmac
import json
import os
import re
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from tongban import OFFERING, PREMISES, Server, csrf_of, free_port, signed_in_citizen  # noqa: E402

BIN = sys.argv[1]
GATEWAY_SECRET = "gateway-shared-secret-2026"
TC_ID, TC_KEY = "AKIDTongbanTestEXAMPLE", "TongbanTestSecretKeyEXAMPLE"
SMTP_USER, SMTP_PASSWORD = "tongban", "smtp-password-2026"
PERSON = {"name": "李四", "citizen_id": "110105198511200127", "phone": "13912345678", "password": "Tongban-2026"}


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        mail = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((session.authenticated, envelope.rcpt_tos, mail))
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode() and \
        auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok)


class Gateway(BaseHTTPRequestHandler):
    """The generic gateway at /sms (the first attempt refused) and Tencent's API at /."""
    received = []
    refused_once = False

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        if self.path == "/sms":
            ts = self.headers["x-tongban-timestamp"]
            mac = hmac.new(GATEWAY_SECRET.encode(), f"{ts}.".encode() + body, "sm3").hexdigest()
            if self.headers["x-tongban-signature"] != f"hmac-sm3={mac}":
                return self.answer(401, {"error": "bad signature"})
            if not Gateway.refused_once:
                Gateway.refused_once = True
                return self.answer(503, {"error": "busy"})
            Gateway.received.append(("http", json.loads(body)))
            return self.answer(200, {"id": f"gw-{len(Gateway.received)}"})
        # Tencent Cloud API 3.0: recompute TC3-HMAC-SHA256 with the configured key.
        ts = int(self.headers["x-tc-timestamp"])
        date = datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")
        canonical = (f"POST\n/\n\ncontent-type:{self.headers['content-type']}\nhost:{self.headers['host']}\n\n"
                     f"content-type;host\n{hashlib.sha256(body).hexdigest()}")
        to_sign = f"TC3-HMAC-SHA256\n{ts}\n{date}/sms/tc3_request\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        k = hmac.new(f"TC3{TC_KEY}".encode(), date.encode(), "sha256").digest()
        k = hmac.new(hmac.new(k, b"sms", "sha256").digest(), b"tc3_request", "sha256").digest()
        expected = (f"TC3-HMAC-SHA256 Credential={TC_ID}/{date}/sms/tc3_request, SignedHeaders=content-type;host, "
                    f"Signature={hmac.new(k, to_sign.encode(), 'sha256').hexdigest()}")
        if self.headers["authorization"] != expected or self.headers["x-tc-action"] != "SendSms":
            return self.answer(200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                                            "Message": "signature"}, "RequestId": "r"}})
        request = json.loads(body)
        Gateway.received.append(("tencent", request))
        return self.answer(200, {"Response": {"SendStatusSet": [{
            "SerialNo": "5000:104571066915705365784949961", "PhoneNumber": request["PhoneNumberSet"][0], "Fee": 1,
            "SessionContext": "", "Code": "Ok", "Message": "send success", "IsoCode": "CN"}], "RequestId": "r"}})


def wait_for(what, check, seconds=40):
    for _ in range(seconds * 4):
        found = check()
        if found:
            return found
        time.sleep(0.25)
    sys.exit(f"timed out waiting for {what}")


def verify_phone(server, web, channel):
    """Asks for the phone code, takes it from what `channel` received, confirms it: level 3."""
    before = len(Gateway.received)
    sent = web.post(f"{server.base}/account/phone/send", data={"csrf": csrf_of(web.get(f"{server.base}/account").text)},
                    allow_redirects=False)
    assert sent.status_code == 303, sent.text[:500]
    got = wait_for(f"the code at the {channel} gateway",
                   lambda: [m for c, m in Gateway.received[before:] if c == channel])
    if channel == "http":
        assert got[0]["phone"] == PERSON["phone"] and got[0]["kind"] == "phone_code", got
        code = got[0]["template_params"][0]
        assert code in got[0]["text"], got
    else:
        assert got[0]["PhoneNumberSet"] == [f"+86{PERSON['phone']}"] and got[0]["TemplateId"] == "100001", got
        code, minutes = got[0]["TemplateParamSet"]
        assert minutes == "5", got
    confirmed = web.post(f"{server.base}/account/phone/confirm",
                         data={"csrf": csrf_of(web.get(f"{server.base}/account").text), "code": code},
                         allow_redirects=False)
    assert confirmed.headers.get("location") == "/account?done=phone_verified", confirmed.text[:500]
    assert code not in server.log(), "a one-time code reached the log"
    return code


def main():
    mailbox = Mailbox()
    smtp_port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port, authenticator=authenticator,
                      auth_require_tls=False, auth_required=True)
    smtp.start()
    gateway = ThreadingHTTPServer(("127.0.0.1", free_port()), Gateway)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    gw = f"http://127.0.0.1:{gateway.server_address[1]}"
    common = {"TONGBAN_OUTBOUND_ALLOW": "127.0.0.1", "TONGBAN_MAIL": "smtp", "TONGBAN_SMTP_HOST": "127.0.0.1",
              "TONGBAN_SMTP_PORT": str(smtp_port), "TONGBAN_SMTP_TLS": "none", "TONGBAN_SMTP_USERNAME": SMTP_USER,
              "TONGBAN_SMTP_PASSWORD": SMTP_PASSWORD, "TONGBAN_MAIL_FROM": "一网通办 <noreply@zwfw.example.gov.cn>",
              # A case notice waits this long for the case's next change (120 s by default).
              "TONGBAN_NOTICE_COMBINE_SECONDS": "2"}
    server = Server(BIN, env=common | {"TONGBAN_SMS": "http", "TONGBAN_SMS_HTTP_URL": f"{gw}/sms",
                                       "TONGBAN_SMS_HTTP_SECRET": GATEWAY_SECRET}, name="tongban-mail")
    try:
        web, token = signed_in_citizen(server.base, PERSON, email="lisi@example.cn")
        verify_phone(server, web, "http")
        assert Gateway.refused_once, "the first attempt was refused and retried"

        auth = {"Authorization": f"Bearer {token}"}
        app = requests.post(f"{server.base}/api/v1/applications", headers=auth, json={"offering_code": OFFERING})
        assert app.status_code == 201, app.text
        application = app.json()["id"]
        data = {"operator_name": "李四", "phone": PERSON["phone"], "organization_form": "个人经营",
                "address": "北京市东城区东华门街道某某胡同 8 号", "business_scope": "小吃服务", "employees": 1}
        saved = requests.put(f"{server.base}/api/v1/applications/{application}", headers=auth, json={"data": data})
        assert saved.status_code == 200, saved.text
        up = requests.post(f"{server.base}/api/v1/applications/{application}/materials", headers=auth,
                           data={"material": PREMISES},
                           files={"file": ("租赁合同.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")})
        assert up.status_code == 201, up.text
        receipt = requests.post(f"{server.base}/api/v1/applications/{application}/submit", headers=auth)
        assert receipt.status_code == 201, receipt.text
        number = receipt.json()["case_number"]
        authenticated, to, mail = wait_for("the receipt by e-mail", lambda: mailbox.messages and mailbox.messages[0])
        assert authenticated and to == ["lisi@example.cn"], (authenticated, to)
        assert number in mail["subject"] and "您的申请已提交" in mail["subject"], mail["subject"]
        assert "noreply@zwfw.example.gov.cn" in mail["from"] and "预审" in mail.get_content(), mail
        assert f"/cases/{number}" in mail.get_content(), "the notice links to its case"
        texts = [m for c, m in Gateway.received if c == "http" and m["kind"] == "case_changed"]
        assert texts and number in texts[0]["text"], texts
    finally:
        server.stop()

    # The same platform with Tencent Cloud SMS (its API at the local endpoint).
    tencent = Server(BIN, data=server.data, env=common | {
        "TONGBAN_SMS": "tencent", "TONGBAN_SMS_TENCENT_ENDPOINT": f"{gw}/", "TONGBAN_SMS_TENCENT_SECRET_ID": TC_ID,
        "TONGBAN_SMS_TENCENT_SECRET_KEY": TC_KEY, "TONGBAN_SMS_TENCENT_APP_ID": "1400000001",
        "TONGBAN_SMS_TENCENT_SIGN_NAME": "一网通办", "TONGBAN_SMS_TEMPLATE_PHONE_CODE": "100001",
        "TONGBAN_SMS_TEMPLATE_PASSWORD_RESET": "100002", "TONGBAN_SMS_TEMPLATE_CASE_CHANGED": "100003"})
    try:
        web = requests.Session()
        form = {"identifier": PERSON["phone"], "password": PERSON["password"],
                "csrf": csrf_of(web.get(f"{tencent.base}/login").text)}
        assert web.post(f"{tencent.base}/login", data=form, allow_redirects=False).status_code == 303
        verify_phone(tencent, web, "tencent")
    finally:
        tencent.stop()
        smtp.stop()
        gateway.shutdown()
    print("messages: SMTP with AUTH, the signed HTTP gateway with a retry, Tencent Cloud SMS (TC3 signature "
          "checked): codes and notices delivered, none logged: ok")


if __name__ == "__main__":
    main()
