//! The service hall pages: the halls (`/halls`, `/halls/{id}`), the kiosk and its tickets
//! (`/halls/{id}/kiosk`, `/tickets/{id}`) and the display with its live calls
//! (`/halls/{id}/display`, server-sent events) — public, as they stand in the hall —; `booking`
//! (a person's appointments) and `window` (the window's desk, its rating device, the figures).
//! `tongban_app::hall` decides who may.

mod booking;
mod window;

use super::filters;
use super::forms::{Page, Req, field, see_other};
use crate::AppState;
use crate::extract::{FormPairs, Path};
use crate::hall_labels::{HallLabels, name_of};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::Stream;
use tongban_app::hall::queue::{self, TicketRequest, TicketView};
use tongban_app::hall::{self, HallSummary, HallView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/halls", get(list_page))
        .route("/halls/{id}", get(hall_page))
        .route("/halls/{id}/kiosk", get(kiosk_page))
        .route("/halls/{id}/kiosk/tickets", post(take))
        .route("/halls/{id}/kiosk/check-in", post(check_in))
        .route("/tickets/{id}", get(ticket_page))
        .route("/halls/{id}/display", get(display_page))
        .route("/halls/{id}/display/events", get(display_events))
}

/// The pages with a person's appointments or a window's work (kept by no cache).
pub fn private_routes() -> Router<AppState> {
    booking::routes().merge(window::routes())
}

#[derive(Template)]
#[template(path = "halls.html")]
struct ListPage<'a> {
    f: &'a super::Frame,
    l: &'static HallLabels,
    halls: Vec<HallSummary>,
}

/// The halls of the chosen area (all when none is chosen).
async fn list_page(r: Req) -> Page {
    let division = super::division_cookie(&r.headers).unwrap_or("").to_owned();
    let halls = hall::list_halls(&r.s.app, &division).await.map_err(|e| r.error(e))?;
    Ok(r.respond(StatusCode::OK, &ListPage { f: &r.f, l: r.f.lang.hall(), halls }))
}

#[derive(Template)]
#[template(path = "hall.html")]
struct HallPage<'a> {
    f: &'a super::Frame,
    l: &'static HallLabels,
    h: HallView,
    /// Per group: name and its offerings (code, name).
    groups: Vec<(String, Vec<(String, String)>)>,
}

async fn hall_page(r: Req, Path(id): Path<String>) -> Page {
    let h = hall::get(&r.s.app, &id).await.map_err(|e| r.error(e))?;
    let groups = h
        .spec
        .groups
        .iter()
        .map(|g| {
            let offerings =
                g.offerings.iter().map(|o| (o.clone(), h.offering_names.get(o).cloned().unwrap_or_default())).collect();
            (g.name.clone(), offerings)
        })
        .collect();
    Ok(r.respond(StatusCode::OK, &HallPage { f: &r.f, l: r.f.lang.hall(), h, groups }))
}

#[derive(Template)]
#[template(path = "kiosk.html")]
struct KioskPage<'a> {
    f: &'a super::Frame,
    l: &'static HallLabels,
    csrf: String,
    h: HallView,
    /// Offerings the hall serves: code and name.
    offerings: Vec<(String, String)>,
    offering: String,
    errors: Vec<(String, String)>,
}

async fn kiosk_with(r: &Req, id: &str, status: StatusCode, offering: String, errors: Vec<(String, String)>) -> Page {
    let h = hall::get(&r.s.app, id).await.map_err(|e| r.error(e))?;
    let offerings = offerings_of(&h);
    Ok(r.with_csrf(|csrf| {
        r.respond(status, &KioskPage { f: &r.f, l: r.f.lang.hall(), csrf, h, offerings, offering, errors })
    }))
}

/// The offerings a hall serves, once each, with their names.
pub(super) fn offerings_of(h: &HallView) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for o in h.spec.groups.iter().flat_map(|g| &g.offerings) {
        if !out.iter().any(|(c, _)| c == o) {
            out.push((o.clone(), h.offering_names.get(o).cloned().unwrap_or_else(|| o.clone())));
        }
    }
    out
}

async fn kiosk_page(r: Req, Path(id): Path<String>) -> Page {
    kiosk_with(&r, &id, StatusCode::OK, String::new(), Vec::new()).await
}

async fn take(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    r.check_csrf(&form)?;
    let t = TicketRequest {
        offering_code: field(&form, "offering_code"),
        card_number: field(&form, "card_number"),
        green: form.first("green") == Some("yes"),
    };
    match queue::take(&r.s.app, &id, t, &r.client().address).await {
        Ok(t) => Ok(see_other(&format!("/tickets/{}", t.id))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            kiosk_with(&r, &id, status, field(&form, "offering_code"), errors).await
        }
    }
}

async fn check_in(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    r.check_csrf(&form)?;
    match queue::check_in(&r.s.app, &id, &field(&form, "card_number"), &r.client().address).await {
        Ok(t) => Ok(see_other(&format!("/tickets/{}", t.id))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            // The check-in form's field, apart from the walk-in form's.
            let errors = errors
                .into_iter()
                .map(|(f, m)| (if f == "card_number" { "checkin_card".into() } else { f }, m))
                .collect();
            kiosk_with(&r, &id, status, String::new(), errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage<'a> {
    f: &'a super::Frame,
    l: &'static HallLabels,
    t: TicketView,
    line: &'static str,
    state: &'static str,
}

async fn ticket_page(r: Req, Path(id): Path<String>) -> Page {
    let t = queue::ticket(&r.s.app, &id).await.map_err(|e| r.error(e))?;
    let l = r.f.lang.hall();
    let (line, state) = (name_of(&l.lines, &t.line), name_of(&l.ticket_states, &t.state));
    Ok(r.respond(StatusCode::OK, &TicketPage { f: &r.f, l, t, line, state }))
}

/// A call as the display shows it.
pub(super) struct CallLine {
    pub number: String,
    pub window: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "display.html")]
struct DisplayPage<'a> {
    f: &'a super::Frame,
    l: &'static HallLabels,
    h: HallView,
    calls: Vec<CallLine>,
}

fn call_line(r: &Req, number: &str, window: &str) -> CallLine {
    let (zh, en) = tongban_domain::hall::announcement(number, window);
    let text = if r.f.lang == crate::i18n::Lang::En { en } else { zh };
    CallLine { number: number.into(), window: window.into(), text }
}

/// The display (for a large screen): the latest calls, and with JavaScript each new call as it
/// is made, queued and spoken in turn.
async fn display_page(r: Req, Path(id): Path<String>) -> Page {
    let h = hall::get(&r.s.app, &id).await.map_err(|e| r.error(e))?;
    let recent = hall::display::recent(&r.s.app, &id, 10).await.map_err(|e| r.error(e))?;
    let calls = recent.iter().map(|c| call_line(&r, &c.number, &c.window)).collect();
    Ok(r.respond(StatusCode::OK, &DisplayPage { f: &r.f, l: r.f.lang.hall(), h, calls }))
}

/// The hall's calls as server-sent events (`call`: number, window, the text to announce), each
/// once, in order; from any node's calls.
async fn display_events(r: Req, Path(id): Path<String>) -> Result<Response, Response> {
    hall::display::recent(&r.s.app, &id, 1).await.map_err(|e| r.error(e))?;
    let rx = hall::display::subscribe(&r.s.app);
    let lang = r.f.lang;
    let stream = events(rx, id, lang);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

fn events(
    rx: tokio::sync::broadcast::Receiver<std::sync::Arc<tongban_store::hall::CallRow>>,
    hall_id: String,
    lang: crate::i18n::Lang,
) -> impl Stream<Item = Result<Event, std::convert::Infallible>> {
    futures_util::stream::unfold(rx, move |mut rx| {
        let hall_id = hall_id.clone();
        async move {
            loop {
                match rx.recv().await {
                    Ok(c) if c.hall_id == hall_id => {
                        let (zh, en) = tongban_domain::hall::announcement(&c.number, &c.window);
                        let text = if lang == crate::i18n::Lang::En { en } else { zh };
                        let data =
                            serde_json::json!({ "number": c.number, "window": c.window, "text": text, "kind": c.kind });
                        return Some((Ok(Event::default().event("call").id(c.id.clone()).data(data.to_string())), rx));
                    }
                    Ok(_) => continue,
                    // A display too slow to keep up skips what it missed rather than stopping.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    })
}
