//! Writes at once, as a busy morning brings them: registrations through the pages, submissions
//! with their uploads, window staff accepting, administrators changing licence statuses — all in
//! parallel over HTTP. On SQLite (the embedded default) too, no answer is a 5xx: each write is
//! done, or refused with a 4xx, and what was acknowledged is stored once.

mod common;

use common::api::{PREMISES, assignment, call, data, offering, pdf, person, upload};
use common::{Browser, Server, citizen_id, server_with};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use tokio::task::JoinSet;
use tongban_app::identity::{self, Client};
use tongban_app::{Config, staff};
use tongban_domain::licences::NewLicence;

const APPLICANTS: u32 = 8;
const REGISTRATIONS: u32 = 16;
const ACCEPTED: usize = 6;
const LICENCES: usize = 6;

/// Starts, fills and uploads an application of `token`; its id.
async fn draft(s: &Server, token: &str, code: &str) -> String {
    let (status, a) = call(s, token, "POST", "/api/v1/applications", Some(json!({"offering_code": code}))).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let id = a["id"].as_str().unwrap().to_owned();
    let (status, body) =
        call(s, token, "PUT", &format!("/api/v1/applications/{id}"), Some(json!({"data": data()}))).await;
    assert!(status.is_success() || status.is_client_error(), "{status} {body}");
    let (status, body) = upload(s, token, &id, PREMISES, "租赁合同.pdf", pdf()).await;
    assert!(status.is_success() || status.is_client_error(), "{status} {body}");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_writes_are_done_or_refused_never_a_server_error() {
    // Many people at one address (a government office's NAT): the per-address allowance is not
    // what this test is about.
    let s = server_with(Config { login_attempts_per_minute: 1000, ..Config::default() }).await;
    let o = offering();
    tongban_app::catalog::publish(&s.app, &o, "test").await.unwrap();
    let registry: Vec<String> = (1..=60).map(|i| format!("用户{i},{}", citizen_id(i))).collect();
    identity::import_registry(&s.app, &registry.join("\n")).await.unwrap();
    person(&s, 50, "13800000050", false).await;
    staff::assign(&s.app, None, assignment("13800000050", "platform_admin", "", "")).await.unwrap();
    let admin_who =
        identity::login(&s.app, "13800000050", "Tongban-2026", None, &Client::default()).await.unwrap().principal;
    let window = person(&s, 51, "13800000051", false).await;
    let agency_admin = person(&s, 52, "13800000052", false).await;
    for (phone, role) in [("13800000051", "window_staff"), ("13800000052", "agency_admin")] {
        let role = assignment(phone, role, &o.agency.credit_code, "110101");
        staff::assign(&s.app, Some(&admin_who), role).await.unwrap();
    }
    let mut applicants = Vec::new();
    for i in 1..=APPLICANTS {
        applicants.push(person(&s, i, &format!("138000000{i:02}"), true).await);
    }
    // Cases waiting for the window, and licences for the administrator, made before the rush.
    let mut waiting = Vec::new();
    for token in applicants.iter().take(ACCEPTED) {
        let id = draft(&s, token, &o.offering_code).await;
        let (status, r) = call(&s, token, "POST", &format!("/api/v1/applications/{id}/submit"), None).await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        waiting.push(r["case_number"].as_str().unwrap().to_owned());
    }
    let mut licences = Vec::new();
    for i in 0..LICENCES {
        let new = NewLicence {
            type_name: "营业执照".into(),
            issuer_code: o.agency.credit_code.clone(),
            issuer_name: o.agency.name.clone(),
            number: format!("LEGACY{i:04}"),
            holder_name: format!("用户{}", 30 + i),
            holder_code: citizen_id(30 + i as u32),
            division_code: "110101".into(),
            ..Default::default()
        };
        licences.push(tongban_app::licences::issue::issue(&s.app, &admin_who, new).await.unwrap());
    }

    let s = Arc::new(s);
    let mut rush: JoinSet<(String, StatusCode)> = JoinSet::new();
    for i in 0..REGISTRATIONS {
        let s = s.clone();
        rush.spawn(async move {
            let seq = 100 + i;
            let mut b = Browser::default();
            b.get(&s, "/register").await;
            let (id, phone) = (citizen_id(seq), format!("1390000{seq:04}"));
            let fields = [
                ("name", "王五"),
                ("citizen_id", id.as_str()),
                ("phone", phone.as_str()),
                ("email", ""),
                ("password", "Tongban-2026"),
                ("password_confirm", "Tongban-2026"),
            ];
            let page = b.post(&s, "/register", &fields).await;
            (format!("register {seq}: {}", page.body.chars().take(300).collect::<String>()), page.status)
        });
    }
    for token in applicants.iter().skip(ACCEPTED).cloned().chain(applicants.iter().take(2).cloned()) {
        let (s, code) = (s.clone(), o.offering_code.clone());
        rush.spawn(async move {
            let id = draft(&s, &token, &code).await;
            let (status, r) = call(&s, &token, "POST", &format!("/api/v1/applications/{id}/submit"), None).await;
            (format!("submit {id}: {r}"), status)
        });
    }
    for number in waiting.clone() {
        let (s, window) = (s.clone(), window.clone());
        rush.spawn(async move {
            let path = format!("/api/v1/cases/{number}/actions");
            let (status, r) = call(&s, &window, "POST", &path, Some(json!({"action": "accept"}))).await;
            (format!("accept {number}: {r}"), status)
        });
    }
    for (i, id) in licences.iter().enumerate() {
        let (s, admin, id) = (s.clone(), agency_admin.clone(), id.clone());
        rush.spawn(async move {
            let status = if i % 2 == 0 { "02" } else { "03" };
            let body = json!({"status": status, "reason": "并发测试 (concurrency test)"});
            let (code, r) = call(&s, &admin, "POST", &format!("/api/v1/licences/{id}/status"), Some(body)).await;
            (format!("licence {id}: {r}"), code)
        });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = rush.join_next().await {
        outcomes.push(done.expect("no task panicked"));
    }
    let failed: Vec<_> =
        outcomes.iter().filter(|(_, status)| !status.is_success() && !status.is_redirection()).collect();
    assert!(failed.is_empty(), "every write is done: {failed:#?}");

    // Acknowledged is stored, once.
    for i in 0..REGISTRATIONS {
        let found = tongban_app::people::find_person(&s.app, &citizen_id(100 + i)).await.unwrap();
        assert!(found.is_some(), "registration {i} stored");
    }
    for number in &waiting {
        let (status, c) = call(&s, &window, "GET", &format!("/api/v1/cases/{number}"), None).await;
        assert_eq!((status, c["state"].as_str()), (StatusCode::OK, Some("under_review")), "{c}");
    }
    let report = tongban_app::cases::verify_audit(&s.app).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // Every case's trail, two more, and each licence's (its issue and the status changed in the rush).
    assert_eq!(report.cases as usize, ACCEPTED + (APPLICANTS as usize - ACCEPTED) + 2 + LICENCES);
}
