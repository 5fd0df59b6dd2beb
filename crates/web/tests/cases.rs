//! Applications and cases over HTTP: the API journey with bearer tokens, idempotent submission,
//! field-named errors, CSRF on cookie-authenticated calls, and the access matrix — every role
//! against every case route. Runs on SQLite and, with `TEST_DATABASE_URL`, PostgreSQL.

mod common;

use common::api::{PREMISES, assignment, call, data, offering, pdf, person, send, upload};
use common::{Server, assert_error, citizen_id, server_with};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tongban_app::Config;
use tongban_app::identity::{self, Client};
use tongban_app::staff;

struct World {
    s: Server,
    zhang: String,
    li: String,
    window: String,
    approver: String,
    elsewhere: String,
    code: String,
}

async fn world() -> World {
    world_with(Config::default()).await
}

async fn world_with(config: Config) -> World {
    let s = server_with(config).await;
    let o = offering();
    tongban_app::catalog::publish(&s.app, &o, "test").await.unwrap();
    let registry: Vec<String> = (1..=9).map(|i| format!("用户{i},{}", citizen_id(i))).collect();
    identity::import_registry(&s.app, &registry.join("\n")).await.unwrap();
    person(&s, 8, "13800000008", false).await;
    staff::assign(&s.app, None, assignment("13800000008", "platform_admin", "", "")).await.unwrap();
    let admin =
        identity::login(&s.app, "13800000008", "Tongban-2026", None, &Client::default()).await.unwrap().principal;
    let zhang = person(&s, 1, "13800000001", true).await;
    let li = person(&s, 2, "13800000002", true).await;
    let window = person(&s, 3, "13800000003", false).await;
    let approver = person(&s, 4, "13800000004", false).await;
    let elsewhere = person(&s, 5, "13800000005", false).await;
    let agency = o.agency.credit_code.clone();
    for (phone, role, agency, division) in [
        ("13800000003", "window_staff", agency.as_str(), "110101"),
        ("13800000004", "approver", agency.as_str(), "110101"),
        ("13800000005", "approver", "11110000000000019K", "110000"),
    ] {
        staff::assign(&s.app, Some(&admin), assignment(phone, role, agency, division)).await.unwrap();
    }
    World { s, zhang, li, window, approver, elsewhere, code: o.offering_code }
}

/// Starts, fills and submits an application as `token`; the case number.
async fn submitted(w: &World) -> String {
    let (status, a) =
        call(&w.s, &w.zhang, "POST", "/api/v1/applications", Some(json!({"offering_code": w.code}))).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let id = a["id"].as_str().unwrap();
    let (status, _) =
        call(&w.s, &w.zhang, "PUT", &format!("/api/v1/applications/{id}"), Some(json!({"data": data()}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(upload(&w.s, &w.zhang, id, PREMISES, "租赁合同.pdf", pdf()).await.0, StatusCode::CREATED);
    let (status, r) = call(&w.s, &w.zhang, "POST", &format!("/api/v1/applications/{id}/submit"), None).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    r["case_number"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_api_journey_with_field_named_errors_and_one_case_per_submission() {
    let w = world().await;
    let (s, zhang) = (&w.s, w.zhang.as_str());
    let (status, body) = call(s, zhang, "POST", "/api/v1/applications", Some(json!({"offering_code": "x"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["offering_code"].is_string(), "{body}");
    let (status, body) = call(s, zhang, "POST", "/api/v1/applications", Some(json!({"code": w.code}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (_, a) = call(s, zhang, "POST", "/api/v1/applications", Some(json!({"offering_code": w.code}))).await;
    assert_eq!(a["data"]["operator_name"], "用户1");
    assert_eq!(a["prefilled"]["phone"], "person_phone");
    let id = a["id"].as_str().unwrap();
    let path = format!("/api/v1/applications/{id}");
    let (status, body) = call(s, zhang, "POST", &format!("{path}/submit"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["address"].is_string(), "every missing field is named: {body}");
    let mut bad = data();
    bad["employees"] = json!(-1);
    let (_, saved) = call(s, zhang, "PUT", &path, Some(json!({"data": bad}))).await;
    assert!(saved["errors"]["employees"].as_str().unwrap().contains("不能小于"), "{saved}");
    call(s, zhang, "PUT", &path, Some(json!({"data": data()}))).await;
    let (status, body) = call(s, zhang, "POST", &format!("{path}/submit"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["materials"].as_str().unwrap().contains("经营场所"), "{body}");

    // Files are judged by their content and size; the applicant reads and removes them.
    let (status, body) = upload(s, zhang, id, PREMISES, "合同.pdf", b"GIF89a not accepted".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["file"].is_string(), "{body}");
    // 20 MiB is accepted; one byte more is a 413 naming the file, and so is 21 MiB (over the
    // body limit, stopped while it streams in).
    let mut big = pdf();
    big.resize(tongban_domain::materials::MAX_BYTES, b' ');
    let (status, body) = upload(s, zhang, id, PREMISES, "max.exe", big.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["file_name"], "max.pdf", "the name follows the content");
    let file_id = body["id"].as_str().unwrap();
    let object = format!("applications/{id}/{file_id}");
    assert!(s.app.objects.exists(&object).await.unwrap());
    let (status, _) = call(s, zhang, "DELETE", &format!("{path}/materials/{file_id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!s.app.objects.exists(&object).await.unwrap(), "a removed file leaves the store too");
    for size in [tongban_domain::materials::MAX_BYTES + 1, 21 * 1024 * 1024] {
        big.resize(size, b' ');
        let (status, body) = upload(s, zhang, id, PREMISES, "big.pdf", big.clone()).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{size}: {body}");
        assert_error(&body, "payload_too_large");
        assert!(body["error"]["fields"]["file"].is_string(), "{body}");
    }
    let bare = s.http.post(format!("{}{path}/materials", s.base)).bearer_auth(zhang);
    let res = bare.header("content-type", "multipart/form-data").body("no boundary").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_error(&res.json().await.unwrap(), "unsupported_media_type");
    let (status, f) = upload(s, zhang, id, PREMISES, "租赁合同.pdf", pdf()).await;
    assert_eq!(status, StatusCode::CREATED, "{f}");
    let file_path = format!("{path}/materials/{}", f["id"].as_str().unwrap());
    let res = s.http.get(format!("{}{file_path}", s.base)).bearer_auth(zhang).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf().as_slice());
    let (status, _) = call(s, &w.li, "GET", &file_path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another citizen");

    let key = [("idempotency-key", "9f1c-first-click")];
    let (status, first) = send(s, zhang, "POST", &format!("{path}/submit"), None, &key).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, second) = send(s, zhang, "POST", &format!("{path}/submit"), None, &key).await;
    assert_eq!((status, &second["case_number"]), (StatusCode::OK, &first["case_number"]));
    assert!(first["due"].is_string() && first["next"].is_string(), "{first}");
    let n = first["case_number"].as_str().unwrap();
    let (status, _) = call(s, zhang, "PUT", &path, Some(json!({"data": data()}))).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let act = |token: &'static str, body: Value| {
        let w = &w;
        async move {
            let token = match token {
                "window" => &w.window,
                "approver" => &w.approver,
                _ => &w.zhang,
            };
            call(&w.s, token, "POST", &format!("/api/v1/cases/{n}/actions"), Some(body)).await
        }
    };
    let (status, v) = act("window", json!({"action": "accept", "comment": "材料齐全"})).await;
    assert_eq!((status, v["state"].as_str()), (StatusCode::OK, Some("under_review")), "{v}");
    let (status, body) = act("approver", json!({"action": "approve"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "approval comes at the last step: {body}");
    let (status, body) = act("approver", json!({"action": "deny", "reason": "", "legal_basis": "x"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["reason"].is_string(), "{body}");
    let (status, _) = act("approver", json!({"action": "fly"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    act("approver", json!({"action": "pass"})).await;
    let (_, v) = act("approver", json!({"action": "request_supplement", "missing": ["经营场所使用证明"]})).await;
    assert_eq!(v["supplement"], json!(["经营场所使用证明"]));
    assert_eq!(v["clock"]["paused"], true);
    let (status, body) = act("zhang", json!({"action": "supplement"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an answer supplies something: {body}");
    // During the supplement the applicant may add files (and only then, once submitted).
    let (status, f) = upload(s, zhang, id, PREMISES, "房产证明.pdf", pdf()).await;
    assert_eq!(status, StatusCode::CREATED, "{f}");
    let (status, _) = act("zhang", json!({"action": "supplement"})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, trail) = call(s, zhang, "GET", &format!("/api/v1/cases/{n}/trail"), None).await;
    let answer = trail.as_array().unwrap().iter().find(|e| e["action"] == "supplement").unwrap();
    assert_eq!(answer["detail"]["files"][0]["file_name"], "房产证明.pdf", "the answer records what was supplied");
    assert_eq!(upload(s, zhang, id, PREMISES, "late.pdf", pdf()).await.0, StatusCode::CONFLICT, "not after the answer");
    let (_, v) = act("approver", json!({"action": "approve", "version": v["version"]})).await;
    assert_eq!(v["error"]["code"], "conflict", "the supplement moved the version on: {v}");
    let (_, current) = call(s, zhang, "GET", &format!("/api/v1/cases/{n}"), None).await;
    let (status, v) = act("approver", json!({"action": "approve", "version": current["version"]})).await;
    assert_eq!((status, v["state"].as_str()), (StatusCode::OK, Some("approved")), "{v}");
    act("approver", json!({"action": "conclude"})).await;
    let (_, v) = act("window", json!({"action": "deliver", "method": "post", "tracking_number": "SF1234567890"})).await;
    assert_eq!(v["state"], "delivered");

    let (status, trail) = call(s, zhang, "GET", &format!("/api/v1/cases/{n}/trail"), None).await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = trail.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["submit", "accept", "pass", "request_supplement", "supplement", "approve", "conclude", "deliver"]
    );
    assert_eq!(trail[1]["detail"]["comment"], "材料齐全");
    let res = s.http.get(format!("{}{file_path}", s.base)).bearer_auth(&w.window).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the window reads the case's files");
    let (status, _) = call(s, zhang, "DELETE", &file_path, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "a submitted application keeps its files");
    let (_, messages) = call(s, zhang, "GET", "/api/v1/messages", None).await;
    let titles: Vec<&str> = messages.as_array().unwrap().iter().map(|m| m["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 8, "the receipt, one per staff action and the licence issued: {titles:?}");
    assert!(titles.last().unwrap().starts_with("您的申请已提交"), "{titles:?}");
    let (status, _) = call(s, &w.li, "GET", "/api/v1/messages", None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, mine) = call(s, zhang, "GET", "/api/v1/cases", None).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert!(tongban_app::cases::verify_audit(&s.app).await.unwrap().problems.is_empty());
}

#[tokio::test]
async fn the_access_matrix_of_case_routes() {
    let w = world().await;
    let n = submitted(&w).await;
    let (_, apps) = call(&w.s, &w.zhang, "GET", "/api/v1/applications", None).await;
    let app_id = apps[0]["id"].as_str().unwrap().to_owned();
    let agency = offering().agency.credit_code;
    let routes: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", format!("/api/v1/cases/{n}"), None),
        ("GET", format!("/api/v1/cases/{n}/trail"), None),
        ("GET", format!("/api/v1/applications/{app_id}"), None),
        ("POST", format!("/api/v1/cases/{n}/actions"), Some(json!({"action": "withdraw", "comment": "x"}))),
        (
            "POST",
            format!("/api/v1/cases/{n}/actions"),
            Some(json!({"action": "refuse", "reason": "r", "legal_basis": "b"})),
        ),
        ("GET", format!("/api/v1/workbench/queue?agency={agency}&division=110101"), None),
    ];
    use StatusCode as S;
    // Rows: anonymous, another citizen, staff of another agency, the approver, the window.
    // Columns: the routes above. The applicant's own rights are exercised by the journey test.
    let table: [(&str, &str, [StatusCode; 6]); 5] = [
        ("anonymous", "", [S::UNAUTHORIZED; 6]),
        (
            "another citizen",
            &w.li,
            [S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND, S::FORBIDDEN],
        ),
        (
            "other agency",
            &w.elsewhere,
            [S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND, S::FORBIDDEN],
        ),
        ("approver", &w.approver, [S::OK, S::OK, S::NOT_FOUND, S::FORBIDDEN, S::FORBIDDEN, S::OK]),
        ("window", &w.window, [S::OK, S::OK, S::NOT_FOUND, S::FORBIDDEN, S::OK, S::OK]),
    ];
    for (role, token, expected) in table {
        for ((method, path, body), want) in routes.iter().zip(expected) {
            let (got, answer) = call(&w.s, token, method, path, body.clone()).await;
            assert_eq!(got, want, "{role} {method} {path}: {answer}");
        }
    }
    // The refusal above was the window's; the case is refused, and the applicant sees why.
    let (_, v) = call(&w.s, &w.zhang, "GET", &format!("/api/v1/cases/{n}"), None).await;
    assert_eq!(v["state"], "refused");
}

#[tokio::test]
async fn cookie_calls_need_the_csrf_header_and_submission_a_real_name() {
    let w = world().await;
    // A browser session: the cookie alone reads, but does not change anything.
    let mut b = common::registered(&w.s, 6, "13800000006").await;
    let cookies =
        |b: &common::Browser| b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let (status, _) = send(&w.s, "", "GET", "/api/v1/applications", None, &[("cookie", &cookies(&b))]).await;
    assert_eq!(status, StatusCode::OK);
    let start = Some(json!({"offering_code": w.code}));
    let (status, body) =
        send(&w.s, "", "POST", "/api/v1/applications", start.clone(), &[("cookie", &cookies(&b))]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "csrf");
    b.get(&w.s, "/account").await;
    let csrf = b.cookie("tb_csrf").expect("csrf cookie");
    let headers = [("cookie", cookies(&b)), ("x-csrf-token", csrf)];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, a) = send(&w.s, "", "POST", "/api/v1/applications", start, &headers).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let id = a["id"].as_str().unwrap();
    send(&w.s, "", "PUT", &format!("/api/v1/applications/{id}"), Some(json!({"data": data()})), &headers).await;
    let file = reqwest::multipart::Form::new()
        .text("material", PREMISES)
        .part("file", reqwest::multipart::Part::bytes(pdf()).file_name("a.pdf"));
    let url = format!("{}/api/v1/applications/{id}/materials", w.s.base);
    let res = w.s.http.post(&url).header("cookie", cookies(&b)).multipart(file).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "an upload with the cookie alone is refused");
    let file = reqwest::multipart::Form::new()
        .text("material", PREMISES)
        .part("file", reqwest::multipart::Part::bytes(pdf()).file_name("a.pdf"));
    let req = w.s.http.post(&url).header("cookie", cookies(&b)).header("x-csrf-token", b.cookie("tb_csrf").unwrap());
    assert_eq!(req.multipart(file).send().await.unwrap().status(), StatusCode::CREATED);
    // Registered but not verified (L1): submission asks for the real name first.
    let (status, body) = send(&w.s, "", "POST", &format!("/api/v1/applications/{id}/submit"), None, &headers).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "assurance_required");
}

/// A department system: records what it receives, answering `status`.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>>;

/// A department system's receiver answering `status` (a 3xx points at its `/elsewhere`, which
/// records what reaches it too).
async fn receiver(status: u16) -> (String, Received) {
    use axum::routing::post;
    let got: Received = Default::default();
    let (seen, seen_elsewhere) = (got.clone(), got.clone());
    let app = axum::Router::new()
        .route(
            "/hook",
            post(move |headers: axum::http::HeaderMap, body: String| {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push((headers, body));
                    let status = axum::http::StatusCode::from_u16(status).unwrap();
                    (status, [(axum::http::header::LOCATION, "/elsewhere")])
                }
            }),
        )
        .route(
            "/elsewhere",
            post(move |headers: axum::http::HeaderMap, body: String| {
                let seen = seen_elsewhere.clone();
                async move {
                    seen.lock().unwrap().push((headers, format!("followed: {body}")));
                    axum::http::StatusCode::OK
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

#[tokio::test]
async fn department_systems_receive_signed_webhooks_and_failures_are_retried_later() {
    // The receivers run on this machine: its loopback address is allowed for this test only.
    let w = world_with(Config { outbound_allow: vec!["127.0.0.1".into()], ..Config::default() }).await;
    let agency = offering().agency.credit_code;
    let (url, got) = receiver(200).await;
    let hook = tongban_app::webhooks::add(&w.s.app, &agency, &url).await.unwrap();
    let (down, tried) = receiver(503).await;
    tongban_app::webhooks::add(&w.s.app, &agency, &down).await.unwrap();
    let (moved, redirected) = receiver(302).await;
    tongban_app::webhooks::add(&w.s.app, &agency, &moved).await.unwrap();
    assert!(tongban_app::webhooks::add(&w.s.app, &agency, "ftp://x").await.is_err());
    // Internal addresses are refused (SSRF): the metadata service, private ranges, a name
    // resolving to loopback beyond the allowed address.
    for internal in [
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/hook",
        "http://[::1]:9/hook",
        "http://127.0.0.2/hook",
    ] {
        let e = tongban_app::webhooks::add(&w.s.app, &agency, internal).await.unwrap_err();
        assert!(
            matches!(&e, tongban_app::AppError::Validation { fields } if fields["url"].contains("outbound_allow")),
            "{internal}: {e:?}"
        );
    }

    let n = submitted(&w).await;
    call(&w.s, &w.window, "POST", &format!("/api/v1/cases/{n}/actions"), Some(json!({"action": "accept"}))).await;
    let round = tongban_app::webhooks::deliver_due(&w.s.app).await.unwrap();
    assert_eq!((round.delivered, round.failed), (2, 4), "{round:?}");
    let redirected = redirected.lock().unwrap().clone();
    assert_eq!(redirected.len(), 2, "the 302 is a failure");
    assert!(redirected.iter().all(|(_, body)| !body.starts_with("followed")), "never followed");
    let got = got.lock().unwrap().clone();
    // A batch is posted at once, so deliveries may arrive in any order: the case's version in
    // each payload orders them.
    let mut events: Vec<(i64, String)> = got
        .iter()
        .map(|(h, body)| {
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            (v["version"].as_i64().unwrap(), h["x-tongban-event"].to_str().unwrap().to_owned())
        })
        .collect();
    events.sort();
    assert_eq!(events.iter().map(|(_, e)| e.as_str()).collect::<Vec<_>>(), ["case.submitted", "case.accept"]);
    for (headers, body) in &got {
        let sent_at: i64 = headers["x-tongban-timestamp"].to_str().unwrap().parse().unwrap();
        assert!((chrono::Utc::now().timestamp() - sent_at).abs() < 60, "a current timestamp");
        let mac = tongban_crypto::hmac_sm3_hex(hook.secret.as_bytes(), format!("{sent_at}.{body}").as_bytes());
        assert_eq!(
            headers["x-tongban-signature"].to_str().unwrap(),
            format!("hmac-sm3={mac}"),
            "timestamp and body signed"
        );
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["case_number"], n.as_str());
        assert!(!body.contains("用户1") && !body.contains("13800000001"), "no personal data: {body}");
    }
    assert_eq!(tried.lock().unwrap().len(), 2);
    // Nothing is due again at once: the failed ones wait, the delivered ones are done.
    let again = tongban_app::webhooks::deliver_due(&w.s.app).await.unwrap();
    assert_eq!((again.delivered, again.failed), (0, 0));

    // Without the allowance, the same loopback receiver cannot be registered.
    let strict = server_with(Config::default()).await;
    assert!(tongban_app::webhooks::add(&strict.app, &agency, &url).await.is_err());
}
