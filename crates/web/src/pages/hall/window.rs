//! The window's pages: signing in at a window (`/workbench/hall`), the desk that calls and
//! serves tickets and opens one-window acceptance for the person called, the rating device the
//! person rates the visit on (一次一评), and the hall manager's figures.

use super::super::forms::{Page, Req, field, see_other};
use crate::AppState;
use crate::extract::{FormPairs, Path};
use crate::hall_labels::{HallLabels, name_of};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use tongban_app::hall::figures::HallFigures;
use tongban_app::hall::queue::{self, Desk, HallWindows};
use tongban_app::hall::{self, GroupSpec, HallSpec, HallSummary, WindowSpec};
use tongban_app::ratings::NewRating;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/workbench/hall", get(halls_page))
        .route("/workbench/hall/{id}", get(desk_page))
        .route("/workbench/hall/{id}/window", post(sign_in))
        .route("/workbench/hall/{id}/call", post(call_next))
        .route("/workbench/hall/{id}/tickets/{ticket}", post(act))
        .route("/workbench/hall/{id}/device", get(device_page).post(rate))
        .route("/workbench/hall/{id}/figures", get(figures_page))
        .route("/workbench/hall/new", get(new_page).post(create))
        .route("/workbench/hall/{id}/edit", get(edit).post(change))
}

/// An agency or platform administrator, who may set up a hall (where, `hall::save` decides).
async fn may_set_up(r: &Req, who: &tongban_app::access::Principal) -> Result<bool, Response> {
    use tongban_domain::identity::StaffRole;
    let roles = tongban_app::access::roles(&r.s.app, &who.person_id).await.map_err(|e| r.error(e))?;
    Ok(who.acting.is_none()
        && roles.iter().any(|a| matches!(a.role, StaffRole::AgencyAdmin | StaffRole::PlatformAdmin)))
}

#[derive(Template)]
#[template(path = "hall_windows.html")]
struct HallsPage<'a> {
    f: &'a super::super::Frame,
    l: &'static HallLabels,
    csrf: String,
    windows: Vec<HallWindows>,
    managed: Vec<HallSummary>,
    /// An agency or platform administrator: may set up a hall.
    can_create: bool,
}

/// Where window staff sign in, and the halls a manager reads the figures of.
async fn halls_page(r: Req) -> Page {
    let who = r.signed_in().await?;
    let windows = queue::windows_for(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    let managed = hall::managed(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    let can_create = may_set_up(&r, &who).await?;
    if windows.is_empty() && managed.is_empty() && !can_create {
        return Err(super::super::error_page_with(&r.f, StatusCode::FORBIDDEN, r.f.lang.hall().no_halls_for_you));
    }
    Ok(r.with_csrf(|csrf| {
        r.respond(StatusCode::OK, &HallsPage { f: &r.f, l: r.f.lang.hall(), csrf, windows, managed, can_create })
    }))
}

async fn sign_in(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let window = form.first("window").filter(|w| !w.is_empty());
    match queue::sign_in(&r.s.app, &who, &id, window).await {
        Ok(()) if window.is_some() => Ok(see_other(&format!("/workbench/hall/{id}"))),
        Ok(()) => Ok(see_other("/workbench/hall")),
        Err(e) => Err(r.error(e)),
    }
}

/// A ticket with its names in the page's language.
struct Current {
    t: queue::TicketView,
    line: &'static str,
}

#[derive(Template)]
#[template(path = "hall_desk.html")]
struct DeskPage<'a> {
    f: &'a super::super::Frame,
    l: &'static HallLabels,
    csrf: String,
    d: Desk,
    current: Option<Current>,
    /// Groups it may be transferred to: code and name.
    others: Vec<(String, String)>,
    /// Group code, name, waiting.
    waiting: Vec<(String, String, usize)>,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

async fn desk_with(r: &Req, id: &str, status: StatusCode, errors: Vec<(String, String)>) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.hall();
    let d = match queue::desk(&r.s.app, &who, id).await {
        Ok(d) => d,
        // At no window of this hall: choose one first.
        Err(tongban_app::AppError::Conflict { .. }) => return Ok(see_other("/workbench/hall")),
        Err(e) => return Err(r.error(e)),
    };
    let h = hall::get(&r.s.app, id).await.map_err(|e| r.error(e))?;
    let name =
        |code: &str| h.spec.groups.iter().find(|g| g.code == code).map_or_else(|| code.to_owned(), |g| g.name.clone());
    let current = d.current.clone().map(|t| Current { line: name_of(&l.lines, &t.line), t });
    let others = h
        .spec
        .groups
        .iter()
        .filter(|g| current.as_ref().is_none_or(|c| c.t.group != g.code))
        .map(|g| (g.code.clone(), g.name.clone()))
        .collect();
    let waiting = d.groups.iter().map(|g| (g.clone(), name(g), d.waiting.get(g).copied().unwrap_or(0))).collect();
    let notice = (r.q.first("done") == Some("none")).then_some(l.none_waiting);
    Ok(r.with_csrf(|csrf| {
        r.respond(status, &DeskPage { f: &r.f, l, csrf, d, current, others, waiting, notice, errors })
    }))
}

async fn desk_page(r: Req, Path(id): Path<String>) -> Page {
    desk_with(&r, &id, StatusCode::OK, Vec::new()).await
}

async fn call_next(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    match queue::call_next(&r.s.app, &who, &id).await {
        Ok(Some(_)) => Ok(see_other(&format!("/workbench/hall/{id}"))),
        Ok(None) => Ok(see_other(&format!("/workbench/hall/{id}?done=none"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            desk_with(&r, &id, status, errors).await
        }
    }
}

async fn act(r: Req, Path((id, ticket)): Path<(String, String)>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let version = form.first("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let group = field(&form, "group");
    let done = match crate::api::hall::step_of(form.first("action").unwrap_or(""), &group) {
        Ok(step) => queue::step(&r.s.app, &who, &ticket, version, step).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(see_other(&format!("/workbench/hall/{id}"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            desk_with(&r, &id, status, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "hall_device.html")]
struct DevicePage<'a> {
    f: &'a super::super::Frame,
    l: &'static HallLabels,
    csrf: String,
    hall_id: String,
    to_rate: Option<queue::TicketView>,
    /// The on-site indicators: name, label.
    indicators: Vec<(&'static str, &'static str)>,
    levels: Vec<(u8, &'static str)>,
    thanks: bool,
    errors: Vec<(String, String)>,
}

async fn device_with(r: &Req, id: &str, status: StatusCode, errors: Vec<(String, String)>) -> Page {
    let who = r.signed_in().await?;
    let d = queue::desk(&r.s.app, &who, id).await.map_err(|e| r.error(e))?;
    let en = r.f.lang == crate::i18n::Lang::En;
    let pick = |zh: &'static str, e: &'static str| if en { e } else { zh };
    let indicators =
        tongban_domain::ratings::Channel::OnSite.indicators().iter().map(|(k, zh, e)| (*k, pick(zh, e))).collect();
    let levels = tongban_domain::ratings::LEVELS.iter().map(|(n, zh, e)| (*n, pick(zh, e))).collect();
    let thanks = r.q.first("done") == Some("rated");
    Ok(r.with_csrf(|csrf| {
        let page = DevicePage {
            f: &r.f,
            l: r.f.lang.hall(),
            csrf,
            hall_id: d.hall_id.clone(),
            to_rate: d.to_rate,
            indicators,
            levels,
            thanks,
            errors,
        };
        r.respond(status, &page)
    }))
}

/// The rating device at the window, facing the person served: the last visit it finished.
async fn device_page(r: Req, Path(id): Path<String>) -> Page {
    device_with(&r, &id, StatusCode::OK, Vec::new()).await
}

async fn rate(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let level = form.first("level").and_then(|v| v.parse().ok()).unwrap_or(0);
    // Anonymous unless the person served chooses to give their name (for a callback).
    let anonymous = form.first("real_name") != Some("yes");
    let new = NewRating { level, comment: field(&form, "comment"), anonymous, ..Default::default() };
    match queue::rate(&r.s.app, &who, &field(&form, "ticket"), new).await {
        Ok(_) => Ok(see_other(&format!("/workbench/hall/{id}/device?done=rated"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            device_with(&r, &id, status, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "hall_figures.html")]
struct FiguresPage<'a> {
    f: &'a super::super::Frame,
    l: &'static HallLabels,
    x: HallFigures,
}

/// The hall manager's figures, the last 7 days unless asked.
async fn figures_page(r: Req, Path(id): Path<String>) -> Page {
    let who = r.signed_in().await?;
    let today = tongban_domain::calendar::china_today();
    let day =
        |k: &str, or: NaiveDate| r.q.first(k).and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()).unwrap_or(or);
    let (from, to) = (day("from", today - chrono::Duration::days(6)), day("to", today));
    let x = tongban_app::hall::figures::figures(&r.s.app, &who, &id, from, to).await.map_err(|e| r.error(e))?;
    Ok(r.respond(StatusCode::OK, &FiguresPage { f: &r.f, l: r.f.lang.hall(), x }))
}

#[derive(Template)]
#[template(path = "hall_edit.html")]
struct EditPage<'a> {
    f: &'a super::super::Frame,
    l: &'static HallLabels,
    csrf: String,
    /// None: a new hall.
    id: Option<String>,
    s: HallSpec,
    /// The groups and windows as the form's lines.
    groups: String,
    windows: String,
    errors: Vec<(String, String)>,
}

/// The groups as lines: `code | name | places per slot | offering codes`.
fn group_lines(s: &HallSpec) -> String {
    s.groups.iter().map(|g| format!("{} | {} | {} | {}\n", g.code, g.name, g.capacity, g.offerings.join(" "))).collect()
}

/// The windows as lines: `number | agency code | group codes`.
fn window_lines(s: &HallSpec) -> String {
    s.windows.iter().map(|w| format!("{} | {} | {}\n", w.number, w.agency_code, w.groups.join(" "))).collect()
}

/// The spec a form posts; a line that cannot be read is an error of its field.
fn spec_of(form: &crate::extract::QueryPairs) -> Result<HallSpec, tongban_app::AppError> {
    let num = |k: &'static str| {
        field(form, k).trim().parse::<i32>().map_err(|_| tongban_app::AppError::field(k, "请填写整数 (a whole number)"))
    };
    let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let mut groups = Vec::new();
    for line in field(form, "groups").lines().map(str::trim).filter(|l| !l.is_empty()) {
        let p: Vec<&str> = line.split('|').map(str::trim).collect();
        let capacity = p.get(2).and_then(|c| c.parse().ok());
        let (Some(code), Some(name), Some(capacity)) = (p.first(), p.get(1), capacity) else {
            return Err(tongban_app::AppError::field(
                "groups",
                format!("「{line}」应为 代码 | 名称 | 每时段预约数 | 事项编码"),
            ));
        };
        groups.push(GroupSpec {
            code: (*code).into(),
            name: (*name).into(),
            capacity,
            offerings: words(p.get(3).unwrap_or(&"")),
        });
    }
    let mut windows = Vec::new();
    for line in field(form, "windows").lines().map(str::trim).filter(|l| !l.is_empty()) {
        let p: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(number), Some(agency), Some(groups)) = (p.first(), p.get(1), p.get(2)) else {
            return Err(tongban_app::AppError::field(
                "windows",
                format!("「{line}」应为 窗口号 | 部门代码 | 分组代码"),
            ));
        };
        windows.push(WindowSpec { number: (*number).into(), agency_code: (*agency).into(), groups: words(groups) });
    }
    Ok(HallSpec {
        name: field(form, "name"),
        division_code: field(form, "division_code"),
        agency_code: field(form, "agency_code"),
        address: field(form, "address"),
        hours: field(form, "hours"),
        slot_minutes: num("slot_minutes")?,
        days_ahead: num("days_ahead")?,
        release_at: field(form, "release_at"),
        appointment_ahead_minutes: num("appointment_ahead_minutes")?,
        max_recalls: num("max_recalls")?,
        default_service_secs: num("default_service_secs")?,
        groups,
        windows,
    })
}

fn edit_page(
    r: &Req,
    id: Option<String>,
    s: HallSpec,
    lines: (String, String),
    errors: Vec<(String, String)>,
) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let (groups, windows) = lines;
    r.with_csrf(|csrf| {
        r.respond(status, &EditPage { f: &r.f, l: r.f.lang.hall(), csrf, id, s, groups, windows, errors })
    })
}

/// A new hall's form, with the usual rules filled in (its managers: the agency administrators
/// and the platform administrator; `hall::save` decides).
async fn new_page(r: Req) -> Page {
    let who = r.signed_in().await?;
    if !may_set_up(&r, &who).await? {
        return Err(super::super::error_page_with(&r.f, StatusCode::FORBIDDEN, r.f.lang.hall().no_halls_for_you));
    }
    let s = HallSpec {
        hours: "09:00-12:00,13:30-17:00".into(),
        slot_minutes: 30,
        days_ahead: 7,
        release_at: "08:00".into(),
        appointment_ahead_minutes: 10,
        max_recalls: 2,
        default_service_secs: 300,
        ..Default::default()
    };
    Ok(edit_page(&r, None, s, Default::default(), Vec::new()))
}

async fn edit(r: Req, Path(id): Path<String>) -> Page {
    let who = r.signed_in().await?;
    let h = hall::get(&r.s.app, &id).await.map_err(|e| r.error(e))?;
    hall::manages(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
    let lines = (group_lines(&h.spec), window_lines(&h.spec));
    Ok(edit_page(&r, Some(id), h.spec, lines, Vec::new()))
}

async fn save(r: Req, id: Option<String>, form: crate::extract::QueryPairs) -> Page {
    let who = r.posted(&form).await?;
    let (spec, done) = match spec_of(&form) {
        Ok(s) => (Some(s.clone()), hall::save(&r.s.app, &who, id.as_deref(), s).await),
        Err(e) => (None, Err(e)),
    };
    match done {
        Ok(h) => Ok(see_other(&format!("/halls/{}", h.id))),
        Err(e) => {
            let (_, errors) = r.form_errors(e)?;
            // What was typed stays, even a line that could not be read.
            let n = |k: &str| field(&form, k).trim().parse().unwrap_or_default();
            let s = spec.unwrap_or_else(|| HallSpec {
                name: field(&form, "name"),
                division_code: field(&form, "division_code"),
                agency_code: field(&form, "agency_code"),
                address: field(&form, "address"),
                hours: field(&form, "hours"),
                release_at: field(&form, "release_at"),
                slot_minutes: n("slot_minutes"),
                days_ahead: n("days_ahead"),
                appointment_ahead_minutes: n("appointment_ahead_minutes"),
                max_recalls: n("max_recalls"),
                default_service_secs: n("default_service_secs"),
                ..Default::default()
            });
            Ok(edit_page(&r, id, s, (field(&form, "groups"), field(&form, "windows")), errors))
        }
    }
}

async fn create(r: Req, FormPairs(form): FormPairs) -> Page {
    save(r, None, form).await
}

async fn change(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    save(r, Some(id), form).await
}
