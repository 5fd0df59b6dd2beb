//! The exchange gateway under load, killed with SIGKILL: `tongban exchange verify-log` passes
//! afterwards, and every call the clients saw answered is in the log with the digest they were
//! given. The provider is a department system served in this test over HTTP.

mod common;

use common::{run, spawn_server_with, storage};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tongban_domain::exchange::{DataItem, Provider, Resource, Sensitivity, SharingClass};

const PROVIDER: &str = "111101015425293395";
const CONSUMER: &str = "1111010143783071XP";

/// A department system answering every query.
async fn upstream() -> String {
    let app = axum::Router::new().route(
        "/q",
        axum::routing::post(|| async { axum::Json(json!({"status": "在营", "capital": 100, "secret": "x"})) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/q")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answered_gateway_call_is_missing_from_the_log_after_kill_9() {
    use tongban_app::identity::{self, Client, Identity, NewPerson, Policy};
    use tongban_app::staff::{self, NewAssignment};
    let dir = tempfile::tempdir().unwrap();
    let (storage, target, _tmp) = storage().await;
    let key_file = match storage.first().map(String::as_str) {
        Some("--data-dir") => std::path::PathBuf::from(&storage[1]).join("keys.txt"),
        _ => dir.path().join("data").join("keys.txt"),
    };
    let url = upstream().await;

    // In-process: the data authority registers a resource of the provider, grants it to the
    // consumer, and registers the consumer's system.
    let ring = identity::load_or_create_keys(&key_file).unwrap();
    let params = tongban_crypto::PasswordParams { memory_kib: 64, passes: 1, lanes: 1 };
    let mut app = tongban_app::App::open(
        &target,
        tongban_app::catalog::IndexLocation::None,
        Identity::new(ring, Policy::default(), params).unwrap(),
    )
    .await
    .unwrap();
    let policy = tongban_app::outbound::AddressPolicy::parse(&["127.0.0.1/32".into()]).unwrap();
    app.outbound = Arc::new(tongban_app::outbound::Outbound::new(policy).unwrap());
    let p = NewPerson {
        name: "管理员".into(),
        citizen_id: format!("11010119900307001{}", tongban_domain::codes::citizen_id_check_char("11010119900307001")),
        phone: "13700000001".into(),
        email: None,
        password: "Tongban-2026".into(),
    };
    identity::register(&app, p, &Client::default()).await.unwrap();
    let a = NewAssignment {
        person: "13700000001".into(),
        role: "platform_admin".into(),
        agency_code: String::new(),
        division_code: String::new(),
    };
    staff::assign(&app, None, a).await.unwrap();
    let admin = identity::login(&app, "13700000001", "Tongban-2026", None, &Client::default()).await.unwrap().principal;
    use tongban_app::exchange::{self, catalog, requests};
    let r = Resource {
        identifier: "110101-SC-ZT-0001".into(),
        name: "市场主体登记状态".into(),
        summary: "市场主体的登记状态与注册资本".into(),
        agency_code: PROVIDER.into(),
        classification: "基础信息资源/法人".into(),
        items: vec![
            DataItem {
                name: "status".into(),
                label: "登记状态".into(),
                kind: "string".into(),
                sensitivity: Sensitivity::General,
            },
            DataItem {
                name: "capital".into(),
                label: "注册资本".into(),
                kind: "number".into(),
                sensitivity: Sensitivity::General,
            },
        ],
        sharing: SharingClass::Unconditional,
        sharing_condition: String::new(),
        open_class: "conditional".into(),
        update_cycle: "实时".into(),
        format: "JSON".into(),
        provider: Some(Provider::Upstream { url }),
        subject: None,
    };
    catalog::save(&app, &admin, r, None).await.unwrap();
    catalog::publish(&app, &admin, "110101-SC-ZT-0001", 1).await.unwrap();
    let new = requests::NewRequest {
        resource: "110101-SC-ZT-0001".into(),
        consumer_agency: CONSUMER.into(),
        purpose: "核验经营状态".into(),
        legal_basis: "《市场主体登记管理条例》".into(),
        offerings: vec!["1111010143783071XP0700105001000".into()],
        items: vec!["status".into()],
        quota_per_day: 1_000_000,
        expires_on: tongban_domain::calendar::china_today() + chrono::Days::new(30),
    };
    let req = requests::request(&app, &admin, new, "t").await.unwrap();
    let verdict = requests::Verdict {
        decision: tongban_domain::exchange::Decision::Approve,
        reasons: String::new(),
        quota_per_day: None,
        expected_version: None,
    };
    requests::decide(&app, &admin, &req.id, verdict, "t").await.unwrap();
    let system = exchange::add_system(&app, CONSUMER, "登记系统").await.unwrap();
    app.store.close().await;

    let env = [("TONGBAN_OUTBOUND_ALLOW", "127.0.0.1/32")];
    let (mut child, base) = spawn_server_with(dir.path(), &storage, &env);
    let http = reqwest::Client::new();
    // Client ids and secrets are URL-safe tokens.
    let body =
        format!("grant_type=client_credentials&client_id={}&client_secret={}", system.client_id, system.client_secret);
    let t: Value = http
        .post(format!("{base}/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = t["access_token"].as_str().unwrap().to_owned();

    // Eight clients query; SIGKILL once some three hundred calls are answered.
    let answered = Arc::new(Mutex::new(Vec::<(i64, String)>::new()));
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (http, base, token, answered) = (http.clone(), base.clone(), token.clone(), answered.clone());
        clients.push(tokio::spawn(async move {
            loop {
                let sent = http
                    .post(format!("{base}/exchange/v1/resources/110101-SC-ZT-0001/query"))
                    .bearer_auth(&token)
                    .json(&json!({"params": {"credit_code": "91110101MA01TB014X"}}))
                    .send()
                    .await;
                let Ok(res) = sent else { return };
                if res.status() != 200 {
                    return;
                }
                let Ok(v) = res.json::<Value>().await else { return };
                assert_eq!(v["data"], json!({"status": "在营"}), "only the granted item");
                let call = &v["call"];
                answered.lock().unwrap().push((call["seq"].as_i64().unwrap(), call["hash"].as_str().unwrap().into()));
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while answered.lock().unwrap().len() < 300 {
        assert!(Instant::now() < deadline, "gateway calls too slow");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }
    let answered = answered.lock().unwrap().clone();

    let with = |args: &[&str]| {
        let all: Vec<&str> = args.iter().copied().chain(storage.iter().map(String::as_str)).collect();
        run(dir.path(), &all)
    };
    let out = with(&["exchange", "verify-log", "--seal"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let file = dir.path().join("segment.json");
    let out = with(&["exchange", "export-log", "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let segment: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let logged: std::collections::HashMap<i64, String> = segment["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["seq"].as_i64().unwrap(), c["hash"].as_str().unwrap().to_owned()))
        .collect();
    for (seq, hash) in &answered {
        assert_eq!(logged.get(seq), Some(hash), "answered call {seq} is not in the log as answered");
    }
    // The exported segment verifies offline, and a changed call does not.
    let out = run(dir.path(), &["exchange", "verify-log", "--file", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let text = std::fs::read_to_string(&file).unwrap().replacen("\"status\": 200", "\"status\": 403", 1);
    std::fs::write(&file, text).unwrap();
    let out = run(dir.path(), &["exchange", "verify-log", "--file", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
}
