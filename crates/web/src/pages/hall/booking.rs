//! A person's appointments: choosing a service, a day and a free time at a hall (also to move
//! one), the list of one's appointments, and cancelling after a confirmation.

use super::super::forms::{Page, Req, field, see_other};
use crate::AppState;
use crate::extract::{FormPairs, Path, QueryPairs};
use crate::hall_labels::{HallLabels, name_of};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::NaiveDate;
use tongban_app::hall::booking::{self, AppointmentView, DaySlots, NewAppointment};
use tongban_app::hall::{self, HallView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/halls/{id}/book", get(book_page).post(book))
        .route("/appointments", get(mine_page))
        .route("/appointments/{id}/cancel", get(cancel_page).post(cancel))
}

#[derive(Template)]
#[template(path = "hall_book.html")]
struct BookPage<'a> {
    f: &'a super::super::Frame,
    l: &'static HallLabels,
    csrf: String,
    h: HallView,
    offerings: Vec<(String, String)>,
    offering: String,
    day: String,
    today: String,
    last_day: String,
    slots: Option<DaySlots>,
    /// The person's drafts of the offering: id and when last saved.
    drafts: Vec<(String, String)>,
    /// The appointment being moved.
    moving: Option<AppointmentView>,
    errors: Vec<(String, String)>,
}

async fn book_with(r: &Req, id: &str, form: &QueryPairs, status: StatusCode, errors: Vec<(String, String)>) -> Page {
    let who = r.signed_in().await?;
    let app = &r.s.app;
    let h = hall::get(app, id).await.map_err(|e| r.error(e))?;
    let get = |k: &str| form.first(k).or_else(|| r.q.first(k)).unwrap_or("").trim().to_owned();
    let moving = match get("move").as_str() {
        "" => None,
        m => Some(booking::get(app, &who, m).await.map_err(|e| r.error(e))?),
    };
    let offering = moving.as_ref().map_or_else(|| get("offering_code"), |m| m.offering_code.clone());
    let day = get("day");
    let today = tongban_domain::calendar::china_today();
    let mut errors = errors;
    let slots = match (offering.is_empty(), NaiveDate::parse_from_str(&day, "%Y-%m-%d")) {
        (false, Ok(d)) => match booking::slots(app, id, &offering, d).await {
            Ok(s) => Some(s),
            Err(e) => {
                errors.extend(r.form_errors(e)?.1);
                None
            }
        },
        (false, Err(_)) if !day.is_empty() => {
            errors.push(("day".into(), r.f.lang.hall().day.to_owned()));
            None
        }
        _ => None,
    };
    let last_day = slots.as_ref().map_or(today + chrono::Duration::days(i64::from(h.spec.days_ahead)), |s| s.last_day);
    let drafts = if offering.is_empty() || moving.is_some() {
        Vec::new()
    } else {
        tongban_app::cases::my_applications(app, &who)
            .await
            .map_err(|e| r.error(e))?
            .into_iter()
            .filter(|a| a.offering_code == offering && a.case_number.is_none())
            .map(|a| (a.id, super::super::china_time(a.updated_at)))
            .collect()
    };
    let offerings = super::offerings_of(&h);
    Ok(r.with_csrf(|csrf| {
        let page = BookPage {
            f: &r.f,
            l: r.f.lang.hall(),
            csrf,
            h,
            offerings,
            offering,
            day,
            today: today.to_string(),
            last_day: last_day.to_string(),
            slots,
            drafts,
            moving,
            errors,
        };
        r.respond(status, &page)
    }))
}

async fn book_page(r: Req, Path(id): Path<String>) -> Page {
    book_with(&r, &id, &QueryPairs(Vec::new()), StatusCode::OK, Vec::new()).await
}

async fn book(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let day = NaiveDate::parse_from_str(&field(&form, "day"), "%Y-%m-%d");
    let done = match (day, form.first("move").filter(|m| !m.is_empty())) {
        (Err(_), _) => Err(tongban_app::AppError::field("day", "请选择日期 (choose a date)")),
        (Ok(day), Some(m)) => {
            let version = form.first("version").and_then(|v| v.parse().ok()).unwrap_or(0);
            booking::move_to(&r.s.app, &who, m, day, &field(&form, "start"), version).await
        }
        (Ok(day), None) => {
            let new = NewAppointment {
                offering_code: field(&form, "offering_code"),
                day,
                start: field(&form, "start"),
                application_id: field(&form, "application_id"),
            };
            booking::book(&r.s.app, &who, &id, new).await
        }
    };
    match done {
        Ok(_) => Ok(see_other("/appointments?done=booked")),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            book_with(&r, &id, &form, status, errors).await
        }
    }
}

/// An appointment with its state's name.
struct Line {
    a: AppointmentView,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "appointments.html")]
struct MinePage<'a> {
    f: &'a super::super::Frame,
    l: &'static HallLabels,
    lines: Vec<Line>,
    notice: Option<&'static str>,
}

async fn mine_page(r: Req) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.hall();
    let list = booking::mine(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    let lines = list.into_iter().map(|a| Line { state: name_of(&l.states, &a.state), a }).collect();
    let notice = match r.q.first("done") {
        Some("booked") => Some(l.booked_done),
        Some("cancelled") => Some(l.cancelled_done),
        _ => None,
    };
    Ok(r.respond(StatusCode::OK, &MinePage { f: &r.f, l, lines, notice }))
}

#[derive(Template)]
#[template(path = "appointment_cancel.html")]
struct CancelPage<'a> {
    f: &'a super::super::Frame,
    l: &'static HallLabels,
    csrf: String,
    a: AppointmentView,
    errors: Vec<(String, String)>,
}

async fn cancel_with(r: &Req, id: &str, status: StatusCode, errors: Vec<(String, String)>) -> Page {
    let who = r.signed_in().await?;
    let a = booking::get(&r.s.app, &who, id).await.map_err(|e| r.error(e))?;
    Ok(r.with_csrf(|csrf| r.respond(status, &CancelPage { f: &r.f, l: r.f.lang.hall(), csrf, a, errors })))
}

/// Asks first: cancelling gives the place away.
async fn cancel_page(r: Req, Path(id): Path<String>) -> Page {
    cancel_with(&r, &id, StatusCode::OK, Vec::new()).await
}

async fn cancel(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let version = form.first("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    match booking::cancel(&r.s.app, &who, &id, version).await {
        Ok(_) => Ok(see_other("/appointments?done=cancelled")),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            cancel_with(&r, &id, status, errors).await
        }
    }
}
