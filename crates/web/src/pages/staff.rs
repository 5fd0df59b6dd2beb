//! Staff administration: administrators list the staff they manage, assign and withdraw roles.
//! Window staff verify a person face to face (level 4). Every action passes `access::authorize` in
//! the app; others get 403.

use super::Frame;
use super::forms::{FormErrors, Page, Req, field, see_other};
use crate::AppState;
use crate::account_labels::AccountLabels;
use crate::extract::FormPairs;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tongban_app::access::{Need, Principal};
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
    /// The agency and division by name, their codes beside in small print.
    agency: String,
    agency_code: String,
    division: String,
    division_code: String,
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
    errors: FormErrors,
    /// The platform's administrator, who also edits the search synonyms.
    platform: bool,
    /// What was typed into the assignment form, kept when it is refused.
    typed: NewAssignment,
    /// The agencies the administrator may assign to: (name, code and place), for the list.
    agencies: Vec<(String, String)>,
    /// The role whose withdrawal is being confirmed.
    confirm: Option<Row>,
}

impl StaffPage<'_> {
    /// The error of a field of the assignment form, shown beside it.
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

/// What the page shows besides the list: a notice, errors, what was typed, a withdrawal to confirm.
#[derive(Default)]
struct Extras {
    notice: Option<&'static str>,
    errors: FormErrors,
    typed: NewAssignment,
    confirm: Option<String>,
}

async fn render(r: &Req, who: &Principal, status: StatusCode, x: Extras) -> Page {
    let a = r.labels();
    let app = &r.s.app;
    let managed = staff::managed(app, who).await.map_err(|e| r.error(e))?;
    let codes: Vec<String> = managed.iter().map(|v| v.assignment.agency_code.clone()).collect();
    let names: std::collections::HashMap<String, String> =
        app.store.agency_names(&codes).await.map_err(|e| r.error(e.into()))?.into_iter().collect();
    let rows: Vec<Row> = managed
        .into_iter()
        .map(|v| Row {
            role: a.role_name(&v.assignment.role),
            id: v.assignment.id,
            name: v.name,
            phone: v.phone_masked,
            agency: names.get(&v.assignment.agency_code).cloned().unwrap_or_default(),
            division: tongban_app::datasets::place_name(&v.assignment.division_code),
            agency_code: v.assignment.agency_code,
            division_code: v.assignment.division_code,
        })
        .collect();
    let (confirm, rows) = match x.confirm {
        Some(id) => {
            let (picked, rest): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|row| row.id == id);
            let one = picked
                .into_iter()
                .next()
                .ok_or_else(|| r.error(tongban_app::AppError::NotFound { what: "角色", what_en: "role" }))?;
            (Some(one), rest)
        }
        None => (None, rows),
    };
    let mine = tongban_app::access::roles(app, &who.person_id).await.map_err(|e| r.error(e))?;
    let agencies = staff::assignable_agencies(app, &mine)
        .await
        .map_err(|e| r.error(e))?
        .into_iter()
        .map(|(code, name, place)| (name, format!("{place} · {code}")))
        .collect();
    let roles = StaffRole::ALL.iter().map(|r| (r.as_str(), a.role_name(r))).collect();
    let platform = mine.iter().any(|m| m.role == StaffRole::PlatformAdmin);
    // Each error names its field by the label the form shows.
    let labels = [
        ("person", a.staff_person),
        ("role", a.role),
        ("agency_code", a.agency_code),
        ("division_code", a.division_code),
    ];
    let errors = super::labelled(x.errors, &labels, r.f.lang);
    Ok(r.with_csrf(|csrf| {
        let page = StaffPage {
            f: &r.f,
            a,
            csrf,
            rows,
            roles,
            notice: x.notice,
            errors,
            platform,
            typed: x.typed,
            agencies,
            confirm,
        };
        r.respond(status, &page)
    }))
}

async fn page(r: Req) -> Page {
    let who = r.signed_in().await?;
    let a = r.labels();
    let notice = match r.q.first("done") {
        Some("assigned") => Some(a.staff_assigned),
        Some("revoked") => Some(a.staff_revoked),
        _ => None,
    };
    // 撤销角色 asks first: the list's button opens this confirmation.
    let confirm = r.q.first("revoke").map(str::to_owned);
    render(&r, &who, StatusCode::OK, Extras { notice, confirm, ..Extras::default() }).await
}

async fn assign(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let value = |k: &str| field(&form, k).trim().to_owned();
    let new = NewAssignment {
        person: value("person"),
        role: value("role"),
        agency_code: value("agency_code"),
        division_code: value("division_code"),
    };
    match staff::assign(&r.s.app, Some(&who), new.clone()).await {
        Ok(_) => Ok(see_other("/staff?done=assigned")),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            render(&r, &who, status, Extras { errors, typed: new, ..Extras::default() }).await
        }
    }
}

async fn revoke(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    staff::revoke(&r.s.app, &who, &field(&form, "role")).await.map_err(|e| r.error(e))?;
    Ok(see_other("/staff?done=revoked"))
}

#[derive(Template)]
#[template(path = "staff_verify.html")]
struct VerifyPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    notice: Option<&'static str>,
    errors: FormErrors,
}

async fn verify_form(r: Req) -> Page {
    let who = r.signed_in().await?;
    let window = Need::StaffAnywhere(&[StaffRole::WindowStaff]);
    tongban_app::access::authorize(&r.s.app, &who, window).await.map_err(|e| r.error(e))?;
    let a = r.labels();
    let notice = (r.q.first("done") == Some("verified")).then_some(a.in_person_done);
    Ok(r.with_csrf(|csrf| r.respond(StatusCode::OK, &VerifyPage { f: &r.f, a, csrf, notice, errors: vec![] })))
}

async fn verify(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let value = |k: &str| field(&form, k).trim().to_owned();
    match staff::verify_in_person(&r.s.app, &who, &value("person"), &value("card_number")).await {
        Ok(()) => Ok(see_other("/staff/verify?done=verified")),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            let page = VerifyPage { f: &r.f, a: r.labels(), csrf: value("csrf"), notice: None, errors };
            Ok(r.respond(status, &page))
        }
    }
}
