//! Staff administration: administrators list the staff they manage, assign and withdraw roles.
//! Window staff verify a person face to face (level 4). Every action passes `policy::authorize` in
//! the app; others get 403.

use super::Frame;
use super::forms::{errors_of, posted, see_other, signed_in, with_csrf};
use crate::AppState;
use crate::account_labels::AccountLabels;
use crate::extract::{FormPairs, QueryPairs};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use tongban_app::identity::Principal;
use tongban_app::policy::Need;
use tongban_app::staff::{self, NewAssignment};
use tongban_domain::identity::StaffRole;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff", get(page))
        .route("/staff/assign", post(assign))
        .route("/staff/revoke", post(revoke))
        .route("/staff/verify", get(verify_form).post(verify))
}

struct Row {
    id: String,
    name: String,
    phone: String,
    role: &'static str,
    agency: String,
    division: String,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    rows: Vec<Row>,
    roles: Vec<(&'static str, &'static str)>,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

async fn render(
    s: &AppState,
    f: &Frame,
    headers: &HeaderMap,
    who: &Principal,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
) -> Response {
    let a = f.lang.account();
    let managed = match staff::managed(&s.app, who).await {
        Ok(m) => m,
        Err(e) => return super::error_page(f, e),
    };

    let rows = managed
        .into_iter()
        .map(|v| Row {
            role: a.role_name(&v.assignment.role),
            id: v.assignment.id,
            name: v.name,
            phone: v.phone_masked,
            agency: v.assignment.agency_code,
            division: v.assignment.division_code,
        })
        .collect();
    let roles = StaffRole::ALL.iter().map(|r| (r.as_str(), a.role_name(r))).collect();
    with_csrf(f, headers, |csrf| f.respond(status, &StaffPage { f, a, csrf, rows, roles, notice, errors }))
}

async fn page(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match signed_in(&s, &f, &headers, &uri).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    let a = f.lang.account();
    let notice = match q.first("done") {
        Some("assigned") => Some(a.staff_assigned),
        Some("revoked") => Some(a.staff_revoked),
        _ => None,
    };
    render(&s, &f, &headers, &who, StatusCode::OK, notice, vec![]).await
}

async fn assign(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match posted(&s, &f, &headers, &uri, &form).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    let value = |k: &str| form.first(k).unwrap_or("").trim().to_owned();
    let new = NewAssignment {
        person: value("person"),
        role: value("role"),
        agency_code: value("agency_code"),
        division_code: value("division_code"),
    };
    match staff::assign(&s.app, Some(&who), new).await {
        Ok(_) => see_other("/staff?done=assigned"),
        Err(e) => match errors_of(e) {
            Ok((status, errors)) => render(&s, &f, &headers, &who, status, None, errors).await,
            Err(e) => super::error_page(&f, e),
        },
    }
}

async fn revoke(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match posted(&s, &f, &headers, &uri, &form).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    match staff::revoke(&s.app, &who, form.first("role").unwrap_or("")).await {
        Ok(()) => see_other("/staff?done=revoked"),
        Err(e) => super::error_page(&f, e),
    }
}

#[derive(Template)]
#[template(path = "staff_verify.html")]
struct VerifyPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

async fn verify_form(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match signed_in(&s, &f, &headers, &uri).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    let window = Need::StaffAnywhere(&[StaffRole::WindowStaff]);
    if let Err(e) = tongban_app::policy::authorize(&s.app, &who, window).await {
        return super::error_page(&f, e);
    }
    let a = f.lang.account();
    let notice = (q.first("done") == Some("verified")).then_some(a.in_person_done);
    with_csrf(&f, &headers, |csrf| f.respond(StatusCode::OK, &VerifyPage { f: &f, a, csrf, notice, errors: vec![] }))
}

async fn verify(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match posted(&s, &f, &headers, &uri, &form).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    let value = |k: &str| form.first(k).unwrap_or("").trim().to_owned();
    match staff::verify_in_person(&s.app, &who, &value("person"), &value("card_number")).await {
        Ok(()) => see_other("/staff/verify?done=verified"),
        Err(e) => match errors_of(e) {
            Ok((status, errors)) => {
                let a = f.lang.account();
                let csrf = value("csrf");
                f.respond(status, &VerifyPage { f: &f, a, csrf, notice: None, errors })
            }
            Err(e) => super::error_page(&f, e),
        },
    }
}
