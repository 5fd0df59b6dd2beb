//! The HTTP interface end to end: a real server on a loopback port over a fresh store (SQLite by
//! default, PostgreSQL when `TEST_DATABASE_URL` is set), driven by a real HTTP client.

mod common;

use common::{Server, assert_error, server, server_with};
use reqwest::StatusCode;
use serde_json::json;
use tongban_app::Config;

#[tokio::test]
async fn operations_endpoints_and_request_ids() {
    let s = server().await;
    let res = s.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");

    let res = s.http.get(format!("{}/healthz", s.base)).header("x-request-id", "trace-me-42").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-me-42", "a caller's id is echoed");

    let (status, body) = s.json("/readyz").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ready"})));

    s.get("/api/v1/codes/check?value=110101").await;
    let gateway = format!("{}/exchange/v1/resources/X-0001/query", s.base);
    let refused = s.http.post(&gateway).json(&json!({})).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let fake = s.http.post(&gateway).bearer_auth("not.a.token").json(&json!({})).send().await.unwrap();
    assert_eq!(fake.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(s.get("/metrics").await.status(), StatusCode::NOT_FOUND, "not on the public listener");
    let metrics = s.http.get(&s.metrics).send().await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains(r#"http_requests_total{route="/api/v1/codes/check",method="GET",status="200"}"#),
        "{metrics}"
    );
    assert!(metrics.contains("http_request_duration_seconds_bucket"), "latency histogram");
    assert!(metrics.contains("db_pool_size"), "pool gauge");
    assert!(
        metrics.contains(r#"exchange_calls_total{resource="-",consumer="-",status="401"} 2"#),
        "gateway calls refused before a token named an agency: {metrics}"
    );

    // Without its database the process is alive but not ready.
    s.app.store.clone().close().await;
    let (status, body) = s.json("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_error(&body, "not_ready");
    assert_eq!(s.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn code_check_over_http() {
    let s = server().await;
    let (status, body) = s.json("/api/v1/codes/check?value=bad").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["valid"], false);
    assert!(body["reason"].as_str().is_some_and(|r| !r.is_empty()));

    for (value, kind) in [
        ("11010519491231002X", "citizen-id"),
        ("440524188001010014", "citizen-id"),
        ("91350100M000100Y43", "credit-code"),
        ("91110000802100433B", "credit-code"),
        ("441900", "division"),
        ("1.2.156.3005.2.11100000000013338W011.11110000000021135M.20230329701.003.Y", "licence-id"),
    ] {
        let (status, body) = s.json(&format!("/api/v1/codes/check?value={value}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, json!({"kind": kind, "valid": true, "normalized": value}));
    }
    // Lower-case x is accepted and normalized; a wrong check character names both.
    let (_, body) = s.json("/api/v1/codes/check?value=11010519491231002x").await;
    assert_eq!(body["normalized"], "11010519491231002X");
    let (_, body) = s.json("/api/v1/codes/check?value=91350100M000100Y44").await;
    assert_eq!((body["kind"].as_str(), body["valid"].as_bool()), (Some("credit-code"), Some(false)));
    assert!(body["reason"].as_str().unwrap().contains("expected '3', got '4'"), "{body}");
    // A division that does not exist in the dataset.
    let (_, body) = s.json("/api/v1/codes/check?value=110199").await;
    assert_eq!(body["valid"], false);

    let (status, body) = s.json("/api/v1/codes/check").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "validation_failed");
    assert!(body["error"]["fields"]["value"].is_string(), "{body}");

    // The batch form.
    let (status, body) = s.post("/api/v1/codes/check", "application/json", r#"{"values":["110101","bad"]}"#).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["results"][0]["valid"], true);
    assert_eq!(body["results"][1]["valid"], false);
}

#[tokio::test]
async fn malformed_requests_get_clean_4xx_json() {
    let s = server_with(Config { body_limit_bytes: 4096, ..Config::default() }).await;
    let (status, body) = s.post("/api/v1/codes/check", "application/json", "{bad").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "malformed_json");

    let (status, body) = s.post("/api/v1/codes/check", "text/plain", r#"{"values":[]}"#).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_error(&body, "unsupported_media_type");

    let (status, body) = s.post("/api/v1/codes/check", "application/json", r#"{"value":"x"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "invalid_body");

    let big = format!(r#"{{"values":["{}"]}}"#, "1".repeat(10_000));
    let (status, body) = s.post("/api/v1/codes/check", "application/json", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&body, "payload_too_large");

    let values: Vec<String> = (0..1001).map(|_| "1".into()).collect();
    let s2 = server_with(Config { body_limit_bytes: 1 << 20, ..Config::default() }).await;
    let (status, body) =
        s2.post("/api/v1/codes/check", "application/json", json!({ "values": values }).to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["values"].is_string(), "{body}");

    let (status, body) = s.json("/api/v1/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");

    let res = s.http.delete(format!("{}/api/v1/codes/check", s.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&res.json().await.unwrap(), "method_not_allowed");

    // A path segment that is not UTF-8, an upload without its boundary, an over-long form: the
    // documented JSON every time.
    let (status, body) = s.json("/api/v1/divisions/%FF").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "validation_failed");
    assert!(body["error"]["fields"]["path"].is_string(), "{body}");
    let (status, body) = s.post("/api/v1/applications/ap_x/materials", "multipart/form-data", "--x--").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "who comes first: {body}");
    let login = s.http.post(format!("{}/login", s.base)).header("content-type", "application/x-www-form-urlencoded");
    let res = login.body(format!("identifier={}", "1".repeat(8000))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&res.json().await.unwrap(), "payload_too_large");

    // A NUL character — which PostgreSQL refuses in text — in a body, a query, a form or an
    // address: a 400 before anything is read or written.
    let (status, body) = s.post("/api/v1/codes/check", "application/json", r#"{"values":["1\u0000"]}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "invalid_characters");
    for path in ["/api/v1/catalog/search?q=a%00b", "/api/v1/divisions/11%00", "/offerings/x%00"] {
        let res = s.http.get(format!("{}{path}", s.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    let form = s.http.post(format!("{}/login", s.base)).header("content-type", "application/x-www-form-urlencoded");
    assert_eq!(form.body("identifier=a%00").send().await.unwrap().status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn deadlines_over_http() {
    let s = server().await;
    let (status, body) = s.json("/api/v1/calendar/deadline?from=2026-02-12&workdays=20").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"due": "2026-03-18", "provisional": false}));

    // A suspension of one week (both ends included) moves the due date by its working days.
    let (_, body) =
        s.json("/api/v1/calendar/deadline?from=2026-02-12&workdays=20&suspend=2026-03-02..2026-03-06").await;
    assert_eq!(body, json!({"due": "2026-03-25", "provisional": false}));

    // December 2026 running into 2027, whose notice is not loaded: provisional.
    let (_, body) = s.json("/api/v1/calendar/deadline?from=2026-12-15&workdays=20").await;
    assert_eq!(body["provisional"], true);

    let (status, body) = s.json("/api/v1/calendar/deadline?from=2026-02-30&workdays=-1&suspend=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "validation_failed");
    let fields = body["error"]["fields"].as_object().unwrap();
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["from", "suspend", "workdays"]);

    let (_, body) = s.json("/api/v1/calendar/years").await;
    let years = body["years"].as_array().unwrap();
    assert_eq!(years.first(), Some(&json!(2004)));
    assert!(years.contains(&json!(2026)));
}

#[tokio::test]
async fn provisional_deadline_becomes_final_when_the_year_is_loaded() {
    let s = server().await;
    let q = "/api/v1/calendar/deadline?from=2026-12-15&workdays=20";
    let (_, before) = s.json(q).await;
    assert_eq!(before["provisional"], true);
    // An administrator loads the 2027 notice (as `tongban calendar load` does, from any process).
    let y2027 = r#"{"year":2027,"papers":["test"],"days":[
        {"name":"元旦","date":"2027-01-01","isOffDay":true}]}"#;
    s.app.calendar.load_year(&s.app.store, y2027, "2027.json").await.unwrap();
    let (_, after) = s.json(q).await;
    assert_eq!(after["provisional"], false);
    // 2027-01-01 is now a holiday: one more day than the weekends-only count.
    assert_ne!(after["due"], before["due"]);
}

#[tokio::test]
async fn divisions_over_http() {
    let s = server().await;
    let (status, body) = s.json("/api/v1/divisions/110101").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["name"], "东城区");
    assert_eq!(body["level"], "county");
    assert_eq!(body["parent"], "110100");
    let path: Vec<&str> = body["path"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(path, ["110000", "110100", "110101"]);

    let (_, body) = s.json("/api/v1/divisions/110101001").await;
    assert_eq!((body["name"].as_str(), body["level"].as_str()), (Some("东华门街道"), Some("township")));

    let (status, body) = s.json("/api/v1/divisions/110000/children").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["items"][0]["code"], "110100");

    let (status, body) = s.json("/api/v1/divisions/110199").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    let (status, body) = s.json("/api/v1/divisions/11x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["code"].is_string(), "{body}");
    let (status, _) = s.json("/api/v1/divisions/110199/children").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn portal_pages_in_both_languages() {
    let s = server_with(Config { site_name: "某某省政务服务网".into(), ..Config::default() }).await;
    let res = s.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    assert!(html.contains("某某省政务服务网"));
    assert!(html.contains(r##"href="#main""##), "skip link");
    assert!(html.contains(r#"action="/search""#), "search box");

    let res = s.get("/?lang=en").await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("lang=en"), "{cookie}");
    assert!(res.text().await.unwrap().contains(r#"<html lang="en">"#));
    let res = s.http.get(format!("{}/", s.base)).header("cookie", "lang=en").send().await.unwrap();
    assert!(res.text().await.unwrap().contains(r#"<html lang="en">"#), "remembered by cookie");

    let res = s.get("/tools/deadline?from=2026-02-12&workdays=20").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("2026-03-18"));
    let res = s.get("/tools/deadline?from=2026-02-12&workdays=abc").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let res = s.get("/no-such-page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

/// A few published offerings, as an import would publish them.
async fn with_catalog(s: &Server) {
    use tongban_domain::catalog::{Audience, ExerciseLevel, testing::sample};
    let mut lines = vec![];
    for (n, name, division, level) in [
        (1, "居民身份证换领", "110105", ExerciseLevel::County),
        (2, "临时居民身份证申领", "440106", ExerciseLevel::County),
        (3, "企业设立登记", "110000", ExerciseLevel::Provincial),
    ] {
        let mut o = sample();
        o.offering_code = format!("{}{:013}", &o.offering_code[..18], n);
        o.name = name.into();
        o.division_code = division.into();
        o.level = level;
        o.materials[0].name = "申请表".into();
        if n == 3 {
            o.audience = vec![Audience::Organization];
        }
        lines.push(serde_json::to_string(&o).unwrap());
    }
    lines.push("{not json".into());
    let report =
        tongban_app::catalog::import(&s.app, tongban_app::catalog::Format::Jsonl, &lines.join("\n"), "test", &|_| {})
            .await
            .unwrap();
    assert_eq!((report.published, report.rejected.keys().copied().collect::<Vec<_>>()), (3, vec![4]));
}

#[tokio::test]
async fn catalog_search_and_guides_over_http() {
    let s = server().await;
    with_catalog(&s).await;
    let (status, body) = s.json("/api/v1/catalog/search?q=%E8%BA%AB%E4%BB%BD%E8%AF%81").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 2);
    assert_eq!(body["items"][0]["name"], "居民身份证换领");
    for key in ["offering_code", "item_code", "agency", "division_code", "audience", "online_depth", "visits"] {
        assert!(body["items"][0].get(key).is_some(), "{key} in {body}");
    }
    assert!(body["took_ms"].is_number() && body["facets"]["audience"]["person"] == 2);

    // Division inheritance: a Beijing county resident sees the county's and the province's.
    let (_, body) = s.json("/api/v1/catalog/search?division=110105").await;
    assert_eq!(body["total"], 2);
    let (_, body) = s.json("/api/v1/catalog/search?audience=organization").await;
    assert_eq!(body["items"][0]["name"], "企业设立登记");

    let (status, body) = s.json("/api/v1/catalog/search?audience=alien&page=0&division=99&depth=V").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let fields = body["error"]["fields"].as_object().unwrap();
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["audience", "depth", "division", "page"]);

    let code = {
        let (_, body) = s.json("/api/v1/catalog/search?q=%E4%BC%81%E4%B8%9A").await;
        body["items"][0]["offering_code"].as_str().unwrap().to_owned()
    };
    let (status, body) = s.json(&format!("/api/v1/offerings/{code}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((body["name"].as_str(), body["version"].as_i64()), (Some("企业设立登记"), Some(1)));
    assert!(body["materials"].is_array() && body["legal_basis"].is_array());
    let (_, body) = s.json(&format!("/api/v1/offerings/{code}/versions")).await;
    assert_eq!(body["versions"][0]["note"], "test");
    let (status, body) = s.json("/api/v1/offerings/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");

    // The pages agree with the API.
    let html = s.get("/search?q=%E8%BA%AB%E4%BB%BD%E8%AF%81").await.text().await.unwrap();
    let first = html.find("居民身份证换领").unwrap();
    assert!(first < html.find("临时居民身份证申领").unwrap());
    let res = s.get(&format!("/offerings/{code}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    for section in ["受理条件", "申请材料", "办理流程", "办理时限", "收费", "咨询电话", "设定依据", "变更记录"]
    {
        assert!(html.contains(section), "{section}");
    }
    assert_eq!(s.get("/offerings/nope").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(s.get("/search?audience=alien").await.status(), StatusCode::BAD_REQUEST);

    // The division picker remembers the choice in a cookie and applies it on the next visit.
    let res = s.get("/search?division=110105").await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("division=110105"), "{cookie}");
    let res = s.http.get(format!("{}/search", s.base)).header("cookie", "division=440106").send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("临时居民身份证申领") && !html.contains("居民身份证换领</a>"), "{html}");
}

#[tokio::test]
async fn the_openapi_document_is_served() {
    let s = server().await;
    let (status, doc) = s.json("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc, serde_json::to_value(tongban_web::openapi::document()).unwrap());
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{}", doc["openapi"]);
}

#[tokio::test]
async fn public_verification_is_limited_per_address_and_minute() {
    let s = server_with(Config { verifications_per_minute: 3, ..Config::default() }).await;
    let id = "1.2.156.3005.2.11100000000013338W011.11110000000021135M.20230329701.003.Y";
    for _ in 0..2 {
        let (status, body) = s.json(&format!("/api/v1/licences/{id}/verification")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
    // The page and the API share the allowance.
    assert_eq!(s.get(&format!("/verify/{id}")).await.status(), StatusCode::NOT_FOUND);
    let (status, body) = s.json(&format!("/api/v1/licences/{id}/verification")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_error(&body, "rate_limited");
    assert_eq!(s.get(&format!("/verify/{id}")).await.status(), StatusCode::TOO_MANY_REQUESTS);
    // The trust list, for verifying offline, is not limited.
    assert_eq!(s.get("/api/v1/trust-list").await.status(), StatusCode::OK);
}

/// Behind a trusted proxy each client has its own allowance, named by X-Forwarded-For; from
/// anywhere else the header is the sender's own text and changes nothing.
#[tokio::test]
async fn the_forwarded_address_counts_only_from_a_trusted_proxy() {
    let id = "1.2.156.3005.2.11100000000013338W011.11110000000021135M.20230329701.003.Y";
    let url = |s: &Server| format!("{}/api/v1/licences/{id}/verification", s.base);
    let verify = |s: &Server, from: &'static str| s.http.get(url(s)).header("x-forwarded-for", from).send();
    let behind = server_with(Config {
        verifications_per_minute: 2,
        trusted_proxies: vec!["127.0.0.1".into()],
        ..Config::default()
    })
    .await;
    for _ in 0..2 {
        assert_eq!(verify(&behind, "203.0.113.7").await.unwrap().status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(verify(&behind, "203.0.113.7").await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(verify(&behind, "203.0.113.8").await.unwrap().status(), StatusCode::NOT_FOUND, "another client");
    // A client cannot pass for another by writing the header itself: the proxy appends the real one.
    let forged = behind.http.get(url(&behind)).header("x-forwarded-for", "203.0.113.9, 203.0.113.7").send();
    assert_eq!(forged.await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);

    let direct = server_with(Config { verifications_per_minute: 2, ..Config::default() }).await;
    for from in ["203.0.113.7", "203.0.113.8"] {
        assert_eq!(verify(&direct, from).await.unwrap().status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(verify(&direct, "203.0.113.9").await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let s = server().await;
    let big = "x".repeat(2 * 1024 * 1024);
    let mut answers = Vec::new();
    for path in ["/", "/search?q=身份证", "/login", "/register", "/account", "/tools/code", "/no-such-page"] {
        answers.push((path.to_owned(), s.get(path).await));
    }
    for path in ["/api/v1/divisions/110101", "/api/v1/cases", "/healthz", "/static/app.css"] {
        answers.push((path.to_owned(), s.get(path).await));
    }
    let over = s.http.post(format!("{}/api/v1/codes/check", s.base)).body(big).send().await.unwrap();
    answers.push(("413".to_owned(), over));
    let wrong_method = s.http.delete(format!("{}/login", s.base)).send().await.unwrap();
    answers.push(("405".to_owned(), wrong_method));
    for (what, res) in &answers {
        let h = res.headers();
        let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{what}: {csp:?}");
        assert_eq!(h.get("x-frame-options").map(|v| v.to_str().unwrap()), Some("DENY"), "{what}");
        assert_eq!(h.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{what}");
        assert!(h.get("referrer-policy").is_some(), "{what}");
        assert!(h.get("strict-transport-security").is_none(), "{what}: no HSTS over plain HTTP");
    }
    let secure =
        common::server_with(Config { public_url: Some("https://zwfw.example.gov.cn".into()), ..Config::default() })
            .await;
    let res = secure.get("/").await;
    assert!(res.headers().get("strict-transport-security").is_some_and(|v| v.to_str().unwrap().contains("max-age=")));
}
