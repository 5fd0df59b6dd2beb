//! The authorization matrix, built from the router: every route the web crate declares (read from
//! its source: `.route("PATH", get(..).post(..))`) with every method it takes, tried by every role,
//! each answer the one its row says — written once per route. A route added without a row fails
//! the test, and so does a row for a route that is gone. Runs on SQLite and, with
//! `TEST_DATABASE_URL`, PostgreSQL.
//!
//! Roles, in the order of each row's letters: anonymous; 张三, the applicant who owns the draft,
//! the case and the licence; another person; an agent of the organization with the `apply` scope,
//! acting for it; its legal representative, acting for it; window staff and an approver of agency
//! A in 东城区 (110101); an auditor and the administrator of agency A for 北京市 (110000); the
//! administrator of agency B for 北京市; the platform administrator.
//!
//! The agent's grant has the `apply` scope only: following the organization's cases or its
//! licences needs scopes it lacks. Case details and licence status changes are the handling
//! agencies' — the platform administrator assigns roles and administers forms and imports, but
//! reads no one's case.
//!
//! Letters: `L` sent to log in (401, or 303 to the login page), `F` forbidden (403), `H` hidden —
//! not found (404), as another's resource answers —, `A` let through (anything else under 500:
//! done, or refused for what was asked, e.g. 400 or 409). A 5xx fails the test whatever the row,
//! and so does an answer without the security headers (the content security policy that forbids
//! framing, `nosniff`).

mod authorization_rows;
mod common;

use authorization_rows::Body::*;
use authorization_rows::{Row, rows};
use common::api::{PREMISES, offering, pdf};
use common::{Browser, Server, citizen_id, registered, server_with};
use reqwest::StatusCode;
use std::collections::BTreeSet;
use std::path::Path;
use tongban_app::Config;
use tongban_app::identity;
use tongban_app::staff::{self, NewAssignment};
use tongban_domain::licences::NewLicence;

const ROLES: [&str; 11] = [
    "anonymous",
    "applicant",
    "person",
    "agent",
    "legal rep",
    "window A",
    "approver A",
    "auditor A",
    "admin A",
    "admin B",
    "platform admin",
];
const ORG: &str = "91110101MA01TB014X";
const AGENCY_B: &str = "11110000000000027E";

/// Every `.route("PATH", get(..).post(..))` of the web crate's source, as (METHOD, PATH).
fn declared_routes() -> BTreeSet<(String, String)> {
    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut sources = Vec::new();
    files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut sources);
    let mut routes = BTreeSet::new();
    for file in sources {
        let text = std::fs::read_to_string(&file).unwrap();
        for part in text.split(".route(\"").skip(1) {
            let (path, rest) = part.split_once('"').unwrap();
            // The method router: up to the parenthesis closing `.route(`.
            let (mut depth, mut end) = (1, rest.len());
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            let router = &rest[..end];
            for method in ["get", "post", "put", "delete", "patch"] {
                let called = router
                    .match_indices(&format!("{method}("))
                    .any(|(i, _)| i == 0 || !router[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
                if called {
                    routes.insert((method.to_uppercase(), path.to_owned()));
                }
            }
        }
    }
    routes
}

#[test]
fn every_route_has_a_row() {
    let declared = declared_routes();
    assert!(declared.len() > 100, "{declared:?}");
    let listed: BTreeSet<(String, String)> = rows().iter().map(|r| (r.0.to_owned(), r.1.to_owned())).collect();
    let missing: Vec<_> = declared.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&declared).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "routes without a row: {missing:?}\nrows without a route: {extra:?}"
    );
    for r in rows() {
        assert_eq!(r.2.len(), ROLES.len(), "{} {}", r.0, r.1);
    }
}

/// The hall the matrix's hall rows act on (`{agency}` and `{code}` filled in).
const HALL: &str = r#"{"name": "中心", "division_code": "110101", "agency_code": "{agency}", "hours": "09:00-12:00", "slot_minutes": 30, "days_ahead": 7, "release_at": "08:00", "appointment_ahead_minutes": 10, "max_recalls": 2, "default_service_secs": 300, "groups": [{"code": "g", "name": "综合", "offerings": ["{code}"], "capacity": 2}], "windows": [{"number": "1", "agency_code": "{agency}", "groups": ["g"]}]}"#;

/// What a role's request got, as a letter.
fn letter(status: StatusCode, location: &str) -> char {
    match status {
        StatusCode::UNAUTHORIZED => 'L',
        StatusCode::SEE_OTHER if location.starts_with("/login") => 'L',
        StatusCode::FORBIDDEN => 'F',
        StatusCode::NOT_FOUND => 'H',
        _ => 'A',
    }
}

/// Registers person `seq` and verifies the real name.
async fn member(s: &Server, seq: u32, phone: &str) -> Browser {
    let mut b = registered(s, seq, phone).await;
    assert_eq!(b.post(s, "/account/verify", &[]).await.status, StatusCode::SEE_OTHER);
    b
}

async fn assign(s: &Server, phone: &str, role: &str, agency: &str, division: &str) -> String {
    let by = identity::login(&s.app, "13800000008", "Tongban-2026", None, &Default::default()).await.unwrap().principal;
    let form = NewAssignment {
        person: phone.into(),
        role: role.into(),
        agency_code: agency.into(),
        division_code: division.into(),
    };
    staff::assign(&s.app, Some(&by), form).await.unwrap().id
}

/// The request of `row` as `b` sends it, with the world's identifiers in its path and body.
async fn send(s: &Server, b: &mut Browser, row: &Row, ids: &[(&str, String)]) -> common::Page {
    let fill = |text: &str| ids.iter().fold(text.to_owned(), |t, (k, v)| t.replace(k, v));
    let path = fill(row.1);
    let url = format!("{}{path}", s.base);
    let method: reqwest::Method = row.0.parse().unwrap();
    let csrf = b.cookie("tb_csrf").unwrap_or_default();
    let req = s.http.request(method, &url).header("x-csrf-token", &csrf);
    let req = match row.3 {
        Empty => req,
        Events => return b.head(req).await,
        Query(q) => s.http.request(row.0.parse().unwrap(), format!("{url}?{}", fill(q))).header("x-csrf-token", &csrf),
        Json(body) => req.header("content-type", "application/json").body(fill(body)),
        Form(fields) => {
            let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), fill(v))).collect();
            all.push(("csrf".into(), csrf));
            let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&all).finish();
            req.header("content-type", "application/x-www-form-urlencoded").body(body)
        }
        Upload => req.multipart(
            reqwest::multipart::Form::new()
                .text("material", PREMISES)
                .text("csrf", csrf)
                .part("file", reqwest::multipart::Part::bytes(pdf()).file_name("合同.pdf")),
        ),
    };
    b.send(req).await
}

#[tokio::test]
async fn every_role_against_every_route() {
    // Every role comes from one address: its allowance is not what this test is about.
    let s = server_with(Config { login_attempts_per_minute: 10_000, ..Config::default() }).await;
    let o = offering();
    tongban_app::catalog::publish(&s.app, &o, "test").await.unwrap();
    let registry: String = (1..=11).map(|i| format!("张三,{}\n", citizen_id(i))).collect();
    identity::import_registry(&s.app, &registry).await.unwrap();
    tongban_app::organizations::import_legal_registry(&s.app, &format!("{ORG},示范公司,{}", citizen_id(9)))
        .await
        .unwrap();
    let agency = o.agency.credit_code.clone();

    let mut platform = registered(&s, 8, "13800000008").await;
    let first = NewAssignment {
        person: "13800000008".into(),
        role: "platform_admin".into(),
        agency_code: String::new(),
        division_code: String::new(),
    };
    staff::assign(&s.app, None, first).await.unwrap();
    let mut applicant = member(&s, 1, "13800000001").await;
    let mut person = member(&s, 3, "13800000003").await;
    let mut rep = member(&s, 9, "13800000009").await;
    assert_eq!(rep.post(&s, "/account/organizations", &[("credit_code", ORG)]).await.status, StatusCode::SEE_OTHER);
    rep.post(&s, "/account/act", &[("credit_code", ORG)]).await;
    let mut agent = member(&s, 2, "13800000002").await;
    rep.post(&s, "/org/agents/grant", &[("agent", "13800000002"), ("scopes", "apply"), ("days", "30")]).await;
    assert_eq!(agent.post(&s, "/account/act", &[("credit_code", ORG)]).await.location, "/org?done=switched");
    let mut window = member(&s, 4, "13800000004").await;
    let mut approver = member(&s, 10, "13800000010").await;
    let mut auditor = member(&s, 11, "13800000011").await;
    let mut admin_a = member(&s, 5, "13800000005").await;
    let mut admin_b = member(&s, 6, "13800000006").await;
    assign(&s, "13800000004", "window_staff", &agency, "110101").await;
    assign(&s, "13800000010", "approver", &agency, "110101").await;
    assign(&s, "13800000011", "auditor", &agency, "110000").await;
    assign(&s, "13800000005", "agency_admin", &agency, "110000").await;
    assign(&s, "13800000006", "agency_admin", AGENCY_B, "110000").await;
    member(&s, 7, "13800000007").await; // the person roles are assigned to and verified in person
    let role = assign(&s, "13800000007", "window_staff", &agency, "110101").await;
    let mut anonymous = Browser::default();
    anonymous.get(&s, "/login").await; // holds a CSRF token, so only authorization decides

    // 张三's case (submitted), his draft with a file, and a licence issued to him.
    let csrf = applicant.cookie("tb_csrf").unwrap();
    let api = |method: &str, path: &str| {
        s.http.request(method.parse().unwrap(), format!("{}{path}", s.base)).header("x-csrf-token", &csrf)
    };
    let start = api("POST", "/api/v1/applications").json(&serde_json::json!({"offering_code": o.offering_code}));
    let started: serde_json::Value = serde_json::from_str(&applicant.send(start).await.body).unwrap();
    let case_app = started["id"].as_str().unwrap().to_owned();
    let save =
        api("PUT", &format!("/api/v1/applications/{case_app}")).json(&serde_json::json!({"data": common::api::data()}));
    assert_eq!(applicant.send(save).await.status, StatusCode::OK);
    let upload = |id: &str| {
        api("POST", &format!("/api/v1/applications/{id}/materials")).multipart(
            reqwest::multipart::Form::new()
                .text("material", PREMISES)
                .part("file", reqwest::multipart::Part::bytes(pdf()).file_name("合同.pdf")),
        )
    };
    assert_eq!(applicant.send(upload(&case_app)).await.status, StatusCode::CREATED);
    let submitted = applicant.send(api("POST", &format!("/api/v1/applications/{case_app}/submit"))).await;
    assert_eq!(submitted.status, StatusCode::CREATED, "{}", submitted.body);
    let case_number =
        serde_json::from_str::<serde_json::Value>(&submitted.body).unwrap()["case_number"].as_str().unwrap().to_owned();
    let complaint = api("POST", "/api/v1/inquiries").json(&serde_json::json!({
        "kind": "complaint", "subject": "等候太久", "body": "窗口等候两小时", "case_number": case_number
    }));
    let complained = applicant.send(complaint).await;
    assert_eq!(complained.status, StatusCode::CREATED, "{}", complained.body);
    let inquiry = serde_json::from_str::<serde_json::Value>(&complained.body).unwrap()["inquiry"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = api("POST", "/api/v1/applications").json(&serde_json::json!({"offering_code": o.offering_code}));
    let started: serde_json::Value = serde_json::from_str(&applicant.send(start).await.body).unwrap();
    let draft_id = started["id"].as_str().unwrap().to_owned();
    let uploaded: serde_json::Value = serde_json::from_str(&applicant.send(upload(&draft_id)).await.body).unwrap();
    let file_id = uploaded["id"].as_str().unwrap().to_owned();
    let admin =
        identity::login(&s.app, "13800000008", "Tongban-2026", None, &Default::default()).await.unwrap().principal;
    let new = NewLicence {
        type_name: "营业执照".into(),
        issuer_code: agency.clone(),
        issuer_name: o.agency.name.clone(),
        number: "MATRIX0001".into(),
        holder_name: "张三".into(),
        holder_code: citizen_id(1),
        division_code: "110101".into(),
        ..Default::default()
    };
    let licence = tongban_app::licences::issue::issue(&s.app, &admin, new.clone()).await.unwrap();
    let mut another = new;
    another.number = "MATRIX0002".into();

    // A hall of agency A in 东城区 with 张三's appointment, a waiting ticket, window A signed in.
    let spec: tongban_app::hall::HallSpec =
        serde_json::from_str(&HALL.replace("{agency}", &agency).replace("{code}", &o.offering_code)).unwrap();
    let hall = tongban_app::hall::save(&s.app, &admin, None, spec).await.unwrap().id;
    let zhang =
        identity::login(&s.app, "13800000001", "Tongban-2026", None, &Default::default()).await.unwrap().principal;
    let day = s.app.calendar.with(&s.app.store, |c| {
        let today = tongban_domain::calendar::china_today();
        (1..30).map(|i| today + chrono::Duration::days(i)).find(|d| c.is_working_day(*d)).unwrap()
    });
    let booked = tongban_app::hall::booking::NewAppointment {
        offering_code: o.offering_code.clone(),
        day: day.await.unwrap(),
        start: "09:00".into(),
        application_id: String::new(),
    };
    let appointment = tongban_app::hall::booking::book(&s.app, &zhang, &hall, booked).await.unwrap().id;
    let walk_in =
        tongban_app::hall::queue::TicketRequest { offering_code: o.offering_code.clone(), ..Default::default() };
    let ticket = tongban_app::hall::queue::take(&s.app, &hall, walk_in, "192.0.2.7").await.unwrap().id;
    let window_a =
        identity::login(&s.app, "13800000004", "Tongban-2026", None, &Default::default()).await.unwrap().principal;
    tongban_app::hall::queue::sign_in(&s.app, &window_a, &hall, Some("1")).await.unwrap();

    let ids: Vec<(&str, String)> = vec![
        ("{new_licence}", serde_json::to_string(&another).unwrap()),
        ("/applications/{id}", format!("/applications/{draft_id}")),
        ("/licences/{id}", format!("/licences/{licence}")),
        ("/verify/{id}", format!("/verify/{licence}")),
        ("/licence-uses/{id}", "/licence-uses/u_none".into()),
        ("{use_id}", "u_none".into()),
        ("{file_id}", file_id),
        ("{case_number}", case_number.clone()),
        ("/inquiries/{number}", format!("/inquiries/{inquiry}")),
        ("/halls/{id}", format!("/halls/{hall}")),
        ("/workbench/hall/{id}", format!("/workbench/hall/{hall}")),
        ("/appointments/{id}", format!("/appointments/{appointment}")),
        ("/tickets/{id}", format!("/tickets/{ticket}")),
        ("{ticket}", ticket),
        ("{number}", case_number),
        ("/api/v1/divisions/{code}", "/api/v1/divisions/110101".into()),
        ("{code}", o.offering_code.clone()),
        ("{agency}", agency.clone()),
        ("{role}", role),
        ("{card}", citizen_id(7)),
        ("{id}", licence),
    ];

    let mut failures = Vec::new();
    for row in rows() {
        let browsers: [&mut Browser; 11] = [
            &mut anonymous,
            &mut applicant,
            &mut person,
            &mut agent,
            &mut rep,
            &mut window,
            &mut approver,
            &mut auditor,
            &mut admin_a,
            &mut admin_b,
            &mut platform,
        ];
        let mut got = String::new();
        for (role, b) in browsers.into_iter().enumerate() {
            let page = send(&s, b, &row, &ids).await;
            if page.status.is_server_error() {
                failures.push(format!("{} {} as {}: {} {}", row.0, row.1, ROLES[role], page.status, page.body));
            }
            // Every answer, whoever asks, carries the security headers.
            let csp = page.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("");
            if !csp.contains("frame-ancestors 'none'") || page.headers.get("x-content-type-options").is_none() {
                failures.push(format!("{} {} as {}: no security headers", row.0, row.1, ROLES[role]));
            }
            got.push(letter(page.status, &page.location));
        }
        if got != row.2 {
            failures.push(format!("{} {}: expected {}, got {got}", row.0, row.1, row.2));
        }
    }
    assert!(failures.is_empty(), "authorization matrix ({}):\n{}", ROLES.join(", "), failures.join("\n"));
}
