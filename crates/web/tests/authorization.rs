//! The authorization matrix: every role tries every protected route and scope, and each answer is
//! the one the table says — no leaks. Runs on SQLite and, with `TEST_DATABASE_URL`, PostgreSQL.
//!
//! Roles: anonymous; a person; an agent of the organization with the `apply` scope, acting for it;
//! its legal representative, acting for it; window staff of agency A in 东城区 (110101); agency
//! A's administrator for 北京市 (110000); agency B's administrator for 北京市; the platform
//! administrator.

mod common;

use common::{Browser, Server, citizen_id, registered, server};
use reqwest::StatusCode;
use tongban_app::staff::{self, NewAssignment};
use tongban_app::{access, identity, people};

const ORG: &str = "91110101MA01TB014X";
const AGENCY_A: &str = "11110000000000019K";
const AGENCY_B: &str = "11110000000000027E";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Sent to log in.
    Login,
    /// Refused: 403.
    Refused,
    /// Let through: neither 403 nor a log-in redirect (and never 5xx).
    Allowed,
    /// Sent back to my account (the organization page when not acting for one).
    Account,
}
use Outcome::*;

fn outcome(page: &common::Page) -> Outcome {
    assert!(!page.status.is_server_error(), "{} {}", page.status, page.body);
    match (page.status, page.location.as_str()) {
        (StatusCode::FORBIDDEN, _) => Refused,
        (StatusCode::SEE_OTHER, l) if l.starts_with("/login") => Login,
        (StatusCode::SEE_OTHER, "/account") => Account,
        _ => Allowed,
    }
}

/// Registers the person `seq` and verifies the real name (the registry knows persons 1..=9).
async fn member(s: &Server, seq: u32, phone: &str) -> Browser {
    let mut b = registered(s, seq, phone).await;
    assert_eq!(b.post(s, "/account/verify", &[]).await.status, StatusCode::SEE_OTHER);
    b
}

async fn assign(s: &Server, phone: &str, role: &str, agency: &str, division: &str) {
    let by = identity::login(&s.app, "13800000008", "Tongban-2026", None, &Default::default()).await.unwrap().principal;
    let form = NewAssignment {
        person: phone.into(),
        role: role.into(),
        agency_code: agency.into(),
        division_code: division.into(),
    };
    staff::assign(&s.app, Some(&by), form).await.unwrap();
}

#[tokio::test]
async fn every_role_against_every_protected_route() {
    let s = server().await;
    let registry: String = (1..=9).map(|i| format!("张三,{}\n", citizen_id(i))).collect();
    identity::import_registry(&s.app, &registry).await.unwrap();
    tongban_app::organizations::import_legal_registry(&s.app, &format!("{ORG},示范公司,{}", citizen_id(1)))
        .await
        .unwrap();

    // The platform administrator comes from the command line's path (no principal).
    let mut admin = registered(&s, 8, "13800000008").await;
    let platform = NewAssignment {
        person: "13800000008".into(),
        role: "platform_admin".into(),
        agency_code: String::new(),
        division_code: String::new(),
    };
    staff::assign(&s.app, None, platform).await.unwrap();
    let refused = NewAssignment {
        person: "13800000008".into(),
        role: "agency_admin".into(),
        agency_code: AGENCY_A.into(),
        division_code: "110000".into(),
    };
    assert!(staff::assign(&s.app, None, refused).await.is_err(), "the command line makes platform administrators only");

    let mut rep = member(&s, 1, "13800000001").await;
    assert_eq!(rep.post(&s, "/account/organizations", &[("credit_code", ORG)]).await.status, StatusCode::SEE_OTHER);
    rep.post(&s, "/account/act", &[("credit_code", ORG)]).await;
    let mut agent = member(&s, 2, "13800000002").await;
    rep.post(&s, "/org/agents/grant", &[("agent", "13800000002"), ("scopes", "apply"), ("days", "30")]).await;
    assert_eq!(agent.post(&s, "/account/act", &[("credit_code", ORG)]).await.location, "/org?done=switched");
    let mut person = member(&s, 3, "13800000003").await;
    let mut window = member(&s, 4, "13800000004").await;
    assign(&s, "13800000004", "window_staff", AGENCY_A, "110101").await;
    let mut admin_a = member(&s, 5, "13800000005").await;
    assign(&s, "13800000005", "agency_admin", AGENCY_A, "110000").await;
    let mut admin_b = member(&s, 6, "13800000006").await;
    assign(&s, "13800000006", "agency_admin", AGENCY_B, "110000").await;
    member(&s, 7, "13800000007").await; // the person roles are assigned to
    let mut anonymous = Browser::default();
    anonymous.get(&s, "/login").await; // holds a CSRF token, so only authorization decides

    // A window-staff role of agency A that the revoke column tries to withdraw.
    let window_role =
        access::roles(&s.app, &people::find_person(&s.app, "13800000004").await.unwrap().unwrap()).await.unwrap()[0]
            .id
            .clone();

    type Request = (&'static str, &'static str, Vec<(&'static str, String)>);
    let assign_form = |role: &str, agency: &str, division: &str| {
        vec![
            ("person", "13800000007".to_owned()),
            ("role", role.to_owned()),
            ("agency_code", agency.to_owned()),
            ("division_code", division.to_owned()),
        ]
    };
    let routes: Vec<Request> = vec![
        ("GET", "/account", vec![]),
        ("GET", "/org", vec![]),
        (
            "POST",
            "/org/agents/grant",
            vec![("agent", "13800000003".into()), ("scopes", "licences".into()), ("days", "9".into())],
        ),
        ("POST", "/org/agents/revoke", vec![("grant", "no-such-grant".into())]),
        ("GET", "/staff", vec![]),
        ("POST", "/staff/assign", assign_form("window_staff", AGENCY_A, "110105")),
        ("POST", "/staff/assign", assign_form("window_staff", AGENCY_A, "310104")),
        ("POST", "/staff/assign", assign_form("agency_admin", AGENCY_A, "110105")),
        ("POST", "/staff/assign", assign_form("window_staff", AGENCY_B, "110105")),
        ("GET", "/staff/verify", vec![]),
        ("POST", "/staff/verify", vec![("person", "13800000003".into()), ("card_number", citizen_id(3))]),
        // Last: it withdraws the window staff's role.
        ("POST", "/staff/revoke", vec![("role", window_role.clone())]),
    ];
    // Rows follow `routes`; columns: anonymous, person, agent, legal rep, window staff, admin B,
    // admin A, platform admin — admin B before admin A, so that B tries to revoke the window
    // staff's role while it still exists (A then may, and does).
    let expected: [[Outcome; 8]; 12] = [
        [Login, Allowed, Allowed, Allowed, Allowed, Allowed, Allowed, Allowed],
        [Login, Account, Allowed, Allowed, Account, Account, Account, Account],
        [Login, Refused, Refused, Allowed, Refused, Refused, Refused, Refused],
        [Login, Refused, Refused, Allowed, Refused, Refused, Refused, Refused],
        [Login, Refused, Refused, Refused, Refused, Allowed, Allowed, Allowed],
        [Login, Refused, Refused, Refused, Refused, Refused, Allowed, Allowed],
        [Login, Refused, Refused, Refused, Refused, Refused, Refused, Allowed],
        [Login, Refused, Refused, Refused, Refused, Refused, Refused, Allowed],
        [Login, Refused, Refused, Refused, Refused, Allowed, Refused, Allowed],
        [Login, Refused, Refused, Refused, Allowed, Refused, Refused, Refused],
        [Login, Refused, Refused, Refused, Allowed, Refused, Refused, Refused],
        [Login, Refused, Refused, Refused, Refused, Refused, Allowed, Allowed],
    ];
    let mut failures = Vec::new();
    for (row, (method, path, fields)) in routes.iter().enumerate() {
        let browsers: [&mut Browser; 8] =
            [&mut anonymous, &mut person, &mut agent, &mut rep, &mut window, &mut admin_b, &mut admin_a, &mut admin];
        for (col, b) in browsers.into_iter().enumerate() {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let page = if *method == "GET" { b.get(&s, path).await } else { b.post(&s, path, &fields).await };
            let got = outcome(&page);
            if got != expected[row][col] {
                failures.push(format!(
                    "{method} {path} {fields:?} as column {col}: expected {:?}, got {got:?} ({})",
                    expected[row][col], page.status
                ));
            }
        }
    }
    assert!(failures.is_empty(), "authorization matrix:\n{}", failures.join("\n"));
}
