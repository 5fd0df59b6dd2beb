//! Requests and grants with their clocks and decisions, revoking a grant (asked first), an
//! agency's department systems (the secret shown once) and the day's call monitoring.

use super::super::forms::{FormErrors, Page, Req, field, see_other};
use super::super::{Frame, filters};
use super::roles;
use crate::data_labels::DataLabels;
use crate::extract::{FormPairs, Path};
use askama::Template;
use axum::http::StatusCode;
use tongban_app::AppError;
use tongban_app::access::Principal;
use tongban_app::exchange::monitor::{self, Monitoring};
use tongban_app::exchange::requests::{self, Actions, RequestView};
use tongban_app::exchange::{self, NewClient, SystemView};
use tongban_domain::exchange::{Decision, RequestState};

// ---------------------------------------------------------------- requests and grants

/// A clock as a list shows it: the badge colour, its words and the due day.
fn clock_text(l: &DataLabels, v: &RequestView) -> (&'static str, String) {
    match &v.clock {
        Some(c) => {
            let colour = match c.warning {
                tongban_domain::cases::Warning::Green => "green",
                tongban_domain::cases::Warning::Yellow => "yellow",
                tongban_domain::cases::Warning::Red => "red",
            };
            let words = if c.remaining < 0 {
                format!("{} · {}", c.due.due, l.overdue)
            } else {
                format!("{} · {} {}", c.due.due, l.remaining, c.remaining)
            };
            (colour, words)
        }
        None => ("", String::new()),
    }
}

#[derive(Template)]
#[template(path = "data_requests.html")]
struct RequestsPage<'a> {
    f: &'a Frame,
    l: &'static DataLabels,
    rows: Vec<(RequestView, &'static str, String)>,
    states: Vec<(&'static str, &'static str, bool)>,
    all: bool,
}

pub(super) async fn request_list(r: Req) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.data();
    let chosen = r.q.first("state").and_then(RequestState::parse);
    let list = requests::list(&r.s.app, &who, chosen.as_slice()).await.map_err(|e| r.error(e))?;
    let rows = list
        .into_iter()
        .map(|v| {
            let (colour, words) = clock_text(l, &v);
            (v, colour, words)
        })
        .collect();
    let states = RequestState::ALL.iter().map(|s| (s.as_str(), s.label(), chosen == Some(*s))).collect();
    Ok(r.respond(StatusCode::OK, &RequestsPage { f: &r.f, l, rows, states, all: chosen.is_none() }))
}

#[derive(Template)]
#[template(path = "data_request.html")]
struct RequestPage<'a> {
    f: &'a Frame,
    l: &'static DataLabels,
    csrf: String,
    v: RequestView,
    colour: &'static str,
    clock: String,
    may: Actions,
    confirm_revoke: bool,
    notice: Option<&'static str>,
    errors: FormErrors,
    reasons: String,
}

async fn render_request(
    r: &Req,
    who: &Principal,
    id: &str,
    status: StatusCode,
    errors: FormErrors,
    reasons: String,
) -> Page {
    let l = r.f.lang.data();
    let v = requests::view(&r.s.app, who, id).await.map_err(|e| r.error(e))?;
    let may = requests::actions(&r.s.app, who, &v).await.map_err(|e| r.error(e))?;
    let (colour, clock) = clock_text(l, &v);
    let notice = match r.q.first("done") {
        Some("decided") => Some(l.decided),
        Some("revoked") => Some(l.revoked),
        _ => None,
    };
    let confirm_revoke = may.revoke && r.q.first("revoke").is_some();
    let labels = [("reasons", l.reasons), ("quota_per_day", l.quota_granted), ("state", l.state)];
    let errors = super::super::labelled(errors, &labels, r.f.lang);
    Ok(r.with_csrf(|csrf| {
        let page = RequestPage { f: &r.f, l, csrf, v, colour, clock, may, confirm_revoke, notice, errors, reasons };
        r.respond(status, &page)
    }))
}

pub(super) async fn request_page(r: Req, Path(id): Path<String>) -> Page {
    let who = r.signed_in().await?;
    render_request(&r, &who, &id, StatusCode::OK, vec![], String::new()).await
}

pub(super) async fn decide(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let decision = if field(&form, "decision") == "approve" { Decision::Approve } else { Decision::Refuse };
    let reasons = field(&form, "reasons");
    let quota = field(&form, "quota_per_day");
    let quota = match quota.trim() {
        "" => None,
        q => match q.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                let errors = vec![("quota_per_day".into(), "请填写整数 (a whole number)".into())];
                return render_request(&r, &who, &id, StatusCode::BAD_REQUEST, errors, reasons).await;
            }
        },
    };
    let expected = field(&form, "version").parse().ok();
    let verdict =
        requests::Verdict { decision, reasons: reasons.clone(), quota_per_day: quota, expected_version: expected };
    match requests::decide(&r.s.app, &who, &id, verdict, &r.request_id()).await {
        Ok(_) => Ok(see_other(&format!("/data/requests/{id}?done=decided"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            render_request(&r, &who, &id, status, errors, reasons).await
        }
    }
}

pub(super) async fn revoke(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let reasons = field(&form, "reasons");
    match requests::revoke(&r.s.app, &who, &id, &reasons, &r.request_id()).await {
        Ok(_) => Ok(see_other(&format!("/data/requests/{id}?done=revoked"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            render_request(&r, &who, &id, status, errors, reasons).await
        }
    }
}

// ---------------------------------------------------------------- systems

#[derive(Template)]
#[template(path = "data_systems.html")]
struct SystemsPage<'a> {
    f: &'a Frame,
    l: &'static DataLabels,
    csrf: String,
    agencies: Vec<(String, String)>,
    agency: String,
    list: Vec<SystemView>,
    created: Option<NewClient>,
    errors: FormErrors,
    name: String,
}

async fn render_systems(
    r: &Req,
    who: &Principal,
    agency: String,
    status: StatusCode,
    created: Option<NewClient>,
    errors: FormErrors,
    name: String,
) -> Page {
    let l = r.f.lang.data();
    let mine = roles(r, who).await?;
    let mut agencies = mine.own.clone();
    let agency = if agency.is_empty() { agencies.first().map(|(c, _)| c.clone()).unwrap_or_default() } else { agency };
    if mine.authority && !agency.is_empty() && !agencies.iter().any(|(c, _)| *c == agency) {
        let n = tongban_app::staff::agency_name(&r.s.app, &agency).await.map_err(|e| r.error(e))?;
        agencies.push((agency.clone(), n));
    }
    let list = if agency.is_empty() {
        Vec::new()
    } else {
        exchange::systems(&r.s.app, who, &agency).await.map_err(|e| r.error(e))?
    };
    let errors =
        super::super::labelled(errors, &[("name", l.system_name), ("agency_code", l.provider_agency)], r.f.lang);
    Ok(r.with_csrf(|csrf| {
        let page = SystemsPage { f: &r.f, l, csrf, agencies, agency, list, created, errors, name };
        r.respond(status, &page)
    }))
}

pub(super) async fn systems(r: Req) -> Page {
    let who = r.signed_in().await?;
    let agency = r.q.first("agency").unwrap_or("").trim().to_owned();
    render_systems(&r, &who, agency, StatusCode::OK, None, vec![], String::new()).await
}

pub(super) async fn register_system(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let agency = field(&form, "agency_code").trim().to_owned();
    let name = field(&form, "name").trim().to_owned();
    match exchange::register_system(&r.s.app, &who, &agency, &name).await {
        // Shown here, once: never in an address, never again.
        Ok(c) => render_systems(&r, &who, agency, StatusCode::CREATED, Some(c), vec![], String::new()).await,
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            render_systems(&r, &who, agency, status, None, errors, name).await
        }
    }
}

// ---------------------------------------------------------------- monitoring

#[derive(Template)]
#[template(path = "data_monitoring.html")]
struct MonitoringPage<'a> {
    f: &'a Frame,
    l: &'static DataLabels,
    m: Monitoring,
}

pub(super) async fn monitoring(r: Req) -> Page {
    let who = r.signed_in().await?;
    let day = match r.q.first("day").filter(|d| !d.is_empty()) {
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| r.error(AppError::field("day", "日期格式为 YYYY-MM-DD (a date YYYY-MM-DD)")))?,
        None => tongban_domain::calendar::china_today(),
    };
    let m = monitor::day(&r.s.app, &who, day).await.map_err(|e| r.error(e))?;
    Ok(r.respond(StatusCode::OK, &MonitoringPage { f: &r.f, l: r.f.lang.data(), m }))
}
