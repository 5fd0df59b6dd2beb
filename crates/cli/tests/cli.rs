//! The `tongban` binary as operators and integrators use it: exit codes, JSON shapes, the
//! calendar loaded at run time, configuration errors, and a served process whose logs never show
//! a full citizen id and which stops cleanly on SIGTERM.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{BIN, run, spawn_server, stdout_json, storage, storage_args};

#[test]
fn code_check_exit_codes_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["code", "check", "11010519491231002x", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout_json(&o), json!({"kind": "citizen-id", "valid": true, "normalized": "11010519491231002X"}));

    let o = run(
        dir.path(),
        &["code", "check", "1.2.156.3005.2.11100000000013338W011.11110000000021135M.20230329701.003.Y"],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("licence-id"));

    let o = run(dir.path(), &["code", "check", "91350100M000100Y44", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = stdout_json(&o);
    assert_eq!((v["kind"].as_str(), v["valid"].as_bool()), (Some("credit-code"), Some(false)));
    assert!(v["reason"].as_str().unwrap().contains("expected '3', got '4'"));

    let o = run(dir.path(), &["code", "check", "bad"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("无效"));
}

#[test]
fn calendar_deadline_and_loading_a_new_year() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("db");
    let data = data.to_str().unwrap();
    let deadline = |from: &str, extra: &[&str]| {
        let mut args = vec!["calendar", "deadline", "--from", from, "--workdays", "20", "--json", "--data-dir", data];
        args.extend_from_slice(extra);
        let o = run(dir.path(), &args);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        stdout_json(&o)
    };
    assert_eq!(deadline("2026-02-12", &[]), json!({"due": "2026-03-18", "provisional": false}));
    assert_eq!(
        deadline("2026-02-12", &["--suspend", "2026-03-02..2026-03-06"]),
        json!({"due": "2026-03-25", "provisional": false})
    );
    let december = deadline("2026-12-15", &[]);
    assert_eq!(december["provisional"], true);

    // A malformed notice is refused and changes nothing.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"year":2027,"days":[{"name":"x","date":"2027-01-04","isOffDay":false}]}"#).unwrap();
    let o = run(dir.path(), &["calendar", "load", bad.to_str().unwrap(), "--data-dir", data]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("2027-01-04"));
    assert_eq!(deadline("2026-12-15", &[]), december);

    let file = dir.path().join("2027.json");
    std::fs::write(
        &file,
        r#"{"year":2027,"papers":["国务院办公厅关于2027年部分节假日安排的通知"],
            "days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}"#,
    )
    .unwrap();
    let o = run(dir.path(), &["calendar", "load", file.to_str().unwrap(), "--data-dir", data]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let after = deadline("2026-12-15", &[]);
    assert_eq!(after["provisional"], false);
    assert_eq!(after["due"], "2027-01-13", "one more day for the 2027-01-01 holiday");

    let o = run(dir.path(), &["calendar", "years", "--data-dir", data]);
    let years = String::from_utf8_lossy(&o.stdout);
    assert!(years.lines().any(|l| l.starts_with("2027\t1 days\t2027.json")), "{years}");

    // Bad input names each field.
    let o = run(dir.path(), &["calendar", "deadline", "--from", "2026-13-01", "--workdays", "x", "--data-dir", data]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("from") && err.contains("workdays"), "{err}");
}

#[test]
fn configuration_errors_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tongban.toml"), "lisen = \"127.0.0.1:1\"\n").unwrap();
    let o = run(dir.path(), &["migrate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("lisen"));

    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(BIN)
        .args(["migrate"])
        .current_dir(dir.path())
        .env("TONGBAN_DATABASE_URL", "mysql://x@127.0.0.1/db")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("postgres://"));

    // Reachable from other machines, the platform needs its public address (not a Host header).
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("public_url"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!dir.path().join("data").exists(), "refused before any storage is made");
}

/// `migrate` against the storage the test run selects: SQLite, or PostgreSQL in a fresh schema
/// when `TEST_DATABASE_URL` is set.
#[tokio::test]
async fn migrate_on_the_selected_backend() {
    let dir = tempfile::tempdir().unwrap();
    let (args, _tmp) = storage_args().await;
    let mut all = vec!["migrate"];
    all.extend(args.iter().map(String::as_str));
    for _ in 0..2 {
        let o = run(dir.path(), &all);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // The migrated database holds the vendored calendar.
    let mut all = vec!["calendar", "years"];
    all.extend(args.iter().map(String::as_str));
    let o = run(dir.path(), &all);
    let years = String::from_utf8_lossy(&o.stdout);
    assert!(years.lines().next().is_some_and(|l| l.starts_with("2004\t")), "{years}");
    assert_eq!(years.lines().count(), 23, "{years}");
}

#[test]
fn serve_masks_ids_in_logs_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json", "--data-dir"])
        .arg(dir.path().join("db"))
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        assert!(Instant::now() < deadline, "server did not start: {log}");
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "server exited: {log}");
        log.push_str(&line);
        let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        if let Some(addr) = v["addr"].as_str() {
            break addr.to_owned();
        }
    };

    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        use std::io::Write;
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nx-request-id: rid-{}\r\nConnection: close\r\n\r\n", path.len())
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    assert!(get("/api/v1/codes/check?value=11010519491231002X").starts_with("HTTP/1.1 200"));
    assert!(get("/tools/code?value=440524188001010014").starts_with("HTTP/1.1 200"));
    let found = get("/api/v1/catalog/search?q=%E8%BA%AB%E4%BB%BD%E8%AF%81");
    assert!(found.contains("\"total\":0"), "no demo catalog unless --demo: {found}");

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    stderr.read_to_string(&mut log).unwrap();
    assert!(status.success(), "exit {status}: {log}");

    assert!(log.contains("1101**********002X"), "the masked id is logged: {log}");
    assert!(!log.contains("11010519491231002X") && !log.contains("440524188001010014"), "{log}");
    // Every request's log line carries its request id.
    let request_lines: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["span"]["name"] == "request")
        .collect();
    assert_eq!(request_lines.len(), 3, "{log}");
    for v in request_lines {
        assert!(v["span"]["request_id"].as_str().is_some_and(|r| r.starts_with("rid-")), "{v}");
    }
    assert!(log.contains("stopped"), "{log}");
}

#[tokio::test]
async fn audit_verify_exits_1_and_names_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, target, _tmp) = storage().await;
    let args = |cmd: &[&str]| cmd.iter().map(|s| s.to_string()).chain(storage.clone()).collect::<Vec<_>>();
    let verify = args(&["audit", "verify"]);
    let verify: Vec<&str> = verify.iter().map(String::as_str).collect();
    let out = run(dir.path(), &verify);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));

    // An entry slipped in behind the platform's back was never anchored.
    let store = tongban_store::Store::open(&target).await.unwrap();
    tongban_store::testing::execute_raw(
        &store,
        "INSERT INTO case_trail (case_number, seq, at, actor_id, actor_role, action, before_state, after_state, \
         detail, request_id, prev_hash, hash) VALUES ('11010120261124010000011', 1, '2026-11-24 10:00:00+00:00', \
         'p', 'staff', 'accept', 'submitted', 'under_review', '{}', '-', '', 'x')",
    )
    .await;
    store.close().await;
    let out = run(dir.path(), &verify);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("11010120261124010000011") && stdout.contains("never anchored"), "{stdout}");

    // Marked as waiting to be anchored, it is reported as waiting — not anchored by the check.
    let store = tongban_store::Store::open(&target).await.unwrap();
    tongban_store::testing::execute_raw(
        &store,
        "INSERT INTO audit_pending (case_number, case_seq, entry_hash, at) VALUES ('11010120261124010000011', 1, 'x', \
         '2026-11-24 10:00:00+00:00')",
    )
    .await;
    let out = run(dir.path(), &verify);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("waiting to be anchored") && stdout.contains(", links 0:"), "{stdout}");
    let out = run(dir.path(), &verify);
    assert!(String::from_utf8_lossy(&out.stdout).contains(", links 0:"), "checking twice anchors nothing");
    // Anchoring is an operator's decision.
    let anchor = args(&["audit", "verify", "--anchor-pending"]);
    let anchor: Vec<&str> = anchor.iter().map(String::as_str).collect();
    let out = run(dir.path(), &anchor);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("anchored 1 waiting") && stdout.contains(", links 1:"), "{stdout}");
    store.close().await;
}

#[tokio::test]
async fn catalog_import_reports_bad_rows_and_is_idempotent() {
    use tongban_domain::catalog::testing::sample;
    let dir = tempfile::tempdir().unwrap();
    let (storage, _tmp) = storage_args().await;
    let mut lines = Vec::new();
    for i in 0..1000 {
        let mut o = sample();
        o.offering_code = format!("{}{:013}", &o.offering_code[..18], i);
        o.name = format!("测试事项 {i}");
        let line = match i {
            10 => "{\"offering_code\": 1".to_owned(),
            500 => {
                o.visits = 2; // depth IV with visits: breaks a consistency rule
                serde_json::to_string(&o).unwrap()
            }
            999 => {
                o.complaint_phone = o.consultation_phone.clone();
                serde_json::to_string(&o).unwrap()
            }
            _ => serde_json::to_string(&o).unwrap(),
        };
        lines.push(line);
    }
    let file = dir.path().join("offerings.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let import = |args: &[&str]| {
        let mut all = vec!["catalog", "import", file.to_str().unwrap()];
        all.extend_from_slice(args);
        run(dir.path(), &all)
    };
    let args: Vec<&str> = storage.iter().map(String::as_str).collect();
    let o = import(&args);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("published 997, unchanged 0, rejected 3"), "{out}");
    assert!(out.contains("line 11)") && out.contains("JSON"), "{out}");
    assert!(out.contains("line 501)") && out.contains("visits"), "{out}");
    assert!(out.contains("line 1000)") && out.contains("complaint_phone"), "{out}");

    let o = import(&args);
    assert!(String::from_utf8_lossy(&o.stdout).contains("published 0, unchanged 997, rejected 3"));

    let exported = dir.path().join("export.jsonl");
    let mut all = vec!["catalog", "export", "--out", exported.to_str().unwrap()];
    all.extend_from_slice(&args);
    let o = run(dir.path(), &all);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(text.lines().count(), 997);
    // What was exported imports back without change.
    let mut all = vec!["catalog", "import", exported.to_str().unwrap()];
    all.extend_from_slice(&args);
    let o = run(dir.path(), &all);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("published 0, unchanged 997, rejected 0"));

    // CSV: the same catalog exports and imports back without change.
    let csv_file = dir.path().join("export.csv");
    let mut all = vec!["catalog", "export", "--out", csv_file.to_str().unwrap()];
    all.extend_from_slice(&args);
    assert_eq!(run(dir.path(), &all).status.code(), Some(0));
    let csv_text = std::fs::read_to_string(&csv_file).unwrap();
    assert!(csv_text.starts_with("offering_code,name,aliases,"), "{}", &csv_text[..200]);
    let mut all = vec!["catalog", "import", csv_file.to_str().unwrap()];
    all.extend_from_slice(&args);
    let o = run(dir.path(), &all);
    assert!(String::from_utf8_lossy(&o.stdout).contains("published 0, unchanged 997, rejected 0"));

    // A CSV row spanning lines is reported by the line it starts on; a changed row is a new version.
    let mut rows: Vec<String> = csv_text.lines().take(4).map(str::to_owned).collect();
    rows[1] = rows[1].replacen(",测试事项 0,", ",\"测试事项 0\n（第二行）\",", 1);
    rows[2] = "only,three,cells".into();
    let edited = dir.path().join("edited.csv");
    std::fs::write(&edited, rows.join("\n")).unwrap();
    let mut all = vec!["catalog", "import", edited.to_str().unwrap()];
    all.extend_from_slice(&args);
    let o = run(dir.path(), &all);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("published 1, unchanged 1, rejected 1"), "{out}");
    assert!(out.contains("line 4)") && out.contains("expected 42 cells, got 3"), "{out}");

    // A header that is not the documented one writes nothing.
    std::fs::write(&edited, "offering_code,colour\nx,y\n").unwrap();
    let o = run(dir.path(), &all);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0));
    assert!(err.contains("colour") && err.contains("header"), "{err}");
}

#[tokio::test]
async fn a_draft_is_published_only_when_it_keeps_the_rules() {
    use tongban_domain::catalog::{OnlineDepth, testing::sample};
    let dir = tempfile::tempdir().unwrap();
    let (storage, _tmp) = storage_args().await;
    let with_storage = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(storage.iter().map(String::as_str));
        run(dir.path(), &all)
    };
    let mut o = sample();
    o.online_depth = OnlineDepth::IV;
    o.visits = 1; // breaks "depth IV ⇒ 0 visits"
    let file = dir.path().join("draft.json");
    std::fs::write(&file, serde_json::to_string(&o).unwrap()).unwrap();

    let out = with_storage(&["catalog", "draft", file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("draft saved") && text.contains("visits"), "{text}");
    let out = with_storage(&["catalog", "publish", &o.offering_code]);
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("visits"));

    o.visits = 0;
    std::fs::write(&file, serde_json::to_string(&o).unwrap()).unwrap();
    assert_eq!(with_storage(&["catalog", "draft", file.to_str().unwrap()]).status.code(), Some(0));
    let out = with_storage(&["catalog", "publish", &o.offering_code, "--note", "全程网办"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("published version 1"));
    // The draft is gone once published.
    let out = with_storage(&["catalog", "publish", &o.offering_code]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("draft not found"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Under a load of submissions the server is killed with SIGKILL; after a restart every
/// submission the client saw acknowledged is there, and the audit chain verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_submission_is_lost_to_kill_9() {
    use tongban_app::identity::{self, Client, Identity, NewPerson, Policy};
    let dir = tempfile::tempdir().unwrap();
    let (storage, target, _tmp) = storage().await;
    // Where the server keeps its key ring by default: in the data directory.
    let key_file = match storage.first().map(String::as_str) {
        Some("--data-dir") => std::path::PathBuf::from(&storage[1]).join("keys.txt"),
        _ => dir.path().join("data").join("keys.txt"),
    };

    // The platform prepared in-process: the demo catalog, five verified applicants.
    let ring = identity::load_or_create_keys(&key_file).unwrap();
    let params = tongban_crypto::PasswordParams { memory_kib: 64, passes: 1, lanes: 1 };
    let app = tongban_app::App::open(
        &target,
        tongban_app::catalog::IndexLocation::None,
        Identity::new(ring, Policy::default(), params).unwrap(),
    )
    .await
    .unwrap();
    tongban_app::demo::seed(&app).await.unwrap();
    let id = |n: u32| {
        let first17 = format!("11010119900307{n:03}");
        format!("{first17}{}", tongban_domain::codes::citizen_id_check_char(&first17))
    };
    let registry: Vec<String> = (1..=5).map(|n| format!("用户{n},{}", id(n))).collect();
    identity::import_registry(&app, &registry.join("\n")).await.unwrap();
    for n in 1..=5u32 {
        let phone = format!("1380000000{n}");
        let p = NewPerson {
            name: format!("用户{n}"),
            citizen_id: id(n),
            phone: phone.clone(),
            email: None,
            password: "Tongban-2026".into(),
        };
        identity::register(&app, p, &Client::default()).await.unwrap();
        let who = identity::login(&app, &phone, "Tongban-2026", None, &Client::default()).await.unwrap().principal;
        identity::verify_real_name(&app, &who).await.unwrap();
    }
    app.store.close().await;

    let (mut child, base) = spawn_server(dir.path(), &storage);
    let http = reqwest::Client::new();
    let mut tokens = Vec::new();
    for n in 1..=5 {
        let body = json!({"identifier": format!("1380000000{n}"), "password": "Tongban-2026"});
        let v: Value =
            http.post(format!("{base}/api/v1/sessions")).json(&body).send().await.unwrap().json().await.unwrap();
        tokens.push(v["token"].as_str().unwrap().to_owned());
    }
    let data = json!({"operator_name": "用户", "phone": "13800000001", "organization_form": "个人经营",
        "address": "北京市东城区某某胡同 1 号", "business_scope": "小吃服务", "employees": 1});
    let mut drafts = Vec::new();
    for i in 0..120usize {
        let token = &tokens[i % tokens.len()];
        let start = json!({"offering_code": "1111010143783071XP0700105001000"});
        let a: Value = http
            .post(format!("{base}/api/v1/applications"))
            .bearer_auth(token)
            .json(&start)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let app_id = a["id"].as_str().unwrap().to_owned();
        let res = http
            .put(format!("{base}/api/v1/applications/{app_id}"))
            .bearer_auth(token)
            .json(&json!({"data": data}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let form = reqwest::multipart::Form::new()
            .text("material", "经营场所使用相关文件（或经营场所申报承诺）")
            .part("file", reqwest::multipart::Part::bytes(&b"%PDF-1.7\n%%EOF\n"[..]).file_name("a.pdf"));
        let url = format!("{base}/api/v1/applications/{app_id}/materials");
        let res = http.post(url).bearer_auth(token).multipart(form).send().await.unwrap();
        assert_eq!(res.status(), 201);
        drafts.push((token.clone(), app_id));
    }

    // Submissions from eight clients; SIGKILL once some twenty are acknowledged.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let queue = std::sync::Arc::new(std::sync::Mutex::new(drafts));
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (http, base, acknowledged, queue) = (http.clone(), base.clone(), acknowledged.clone(), queue.clone());
        clients.push(tokio::spawn(async move {
            loop {
                let Some((token, app_id)) = queue.lock().unwrap().pop() else { return };
                let sent =
                    http.post(format!("{base}/api/v1/applications/{app_id}/submit")).bearer_auth(&token).send().await;
                let Ok(res) = sent else { return };
                if res.status() == 201 {
                    let Ok(v) = res.json::<Value>().await else { return };
                    acknowledged.lock().unwrap().push((token, v["case_number"].as_str().unwrap().to_owned()));
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 20 {
        assert!(Instant::now() < deadline, "submissions too slow");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 20 && acknowledged.len() < 120, "{} acknowledged", acknowledged.len());

    let (mut child, base) = spawn_server(dir.path(), &storage);
    for (token, number) in &acknowledged {
        let res = http.get(format!("{base}/api/v1/cases/{number}")).bearer_auth(token).send().await.unwrap();
        assert_eq!(res.status(), 200, "acknowledged case {number} lost");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // A crash can leave entries committed and not yet anchored (PostgreSQL): the operator's check
    // after it anchors them.
    let verify: Vec<&str> =
        ["audit", "verify", "--anchor-pending"].into_iter().chain(storage.iter().map(String::as_str)).collect();
    let out = run(dir.path(), &verify);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}
