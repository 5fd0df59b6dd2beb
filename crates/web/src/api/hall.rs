//! The service hall (政务服务中心): halls and their slots for everyone, appointments for their
//! person, the kiosk's tickets and check-in (no sign-in: the kiosk stands in the hall), the
//! window's desk and calls, the visit's rating and the manager's figures. `tongban_app::hall`
//! decides who may.

use super::caller::Caller;
use crate::error::ErrorBody;
use crate::extract::{Json, Path, QueryPairs};
use crate::session::Peer;
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use tongban_app::hall::booking::{self, AppointmentView, DaySlots, NewAppointment};
use tongban_app::hall::figures::HallFigures;
use tongban_app::hall::queue::{self, Desk, Step, TicketRequest, TicketView};
use tongban_app::hall::{self, HallSpec, HallSummary, HallView};
use tongban_app::ratings::NewRating;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/halls", get(list).post(create))
        .route("/api/v1/halls/{id}", get(one).put(change))
        .route("/api/v1/halls/{id}/slots", get(slots))
        .route("/api/v1/halls/{id}/appointments", post(book))
        .route("/api/v1/halls/{id}/tickets", post(take))
        .route("/api/v1/halls/{id}/check-in", post(check_in))
        .route("/api/v1/halls/{id}/window", post(window))
        .route("/api/v1/halls/{id}/desk", get(desk))
        .route("/api/v1/halls/{id}/calls", post(call_next))
        .route("/api/v1/halls/{id}/figures", get(figures))
        .route("/api/v1/appointments", get(mine))
        .route("/api/v1/appointments/{id}", get(appointment))
        .route("/api/v1/appointments/{id}/move", post(move_to))
        .route("/api/v1/appointments/{id}/cancel", post(cancel))
        .route("/api/v1/tickets/{id}", get(ticket))
        .route("/api/v1/tickets/{id}/action", post(act))
        .route("/api/v1/tickets/{id}/rating", post(rate))
}

fn day(q: &QueryPairs, key: &'static str) -> Result<NaiveDate, ApiError> {
    let v = q.first(key).unwrap_or("");
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| tongban_app::AppError::field(key, "日期应为 YYYY-MM-DD (a date as YYYY-MM-DD)").into())
}

/// The halls in a division subtree (`?division=`, all without it).
#[utoipa::path(get, path = "/api/v1/halls", tag = "hall",
    params(("division" = Option<String>, Query, description = "行政区划代码")),
    responses((status = 200, body = Vec<HallSummary>), (status = 400, body = ErrorBody)))]
pub(crate) async fn list(State(s): State<AppState>, q: QueryPairs) -> Result<axum::Json<Vec<HallSummary>>, ApiError> {
    Ok(axum::Json(hall::list_halls(&s.app, q.first("division").unwrap_or("")).await?))
}

/// Creates a hall: its agency's administrator over its division, or the platform administrator.
#[utoipa::path(post, path = "/api/v1/halls", tag = "hall", request_body = HallSpec,
    responses((status = 201, body = HallView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn create(
    State(s): State<AppState>,
    c: Caller,
    Json(spec): Json<HallSpec>,
) -> Result<(StatusCode, axum::Json<HallView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(hall::save(&s.app, &c.who, None, spec).await?)))
}

/// A hall with its window groups, their services and its windows.
#[utoipa::path(get, path = "/api/v1/halls/{id}", tag = "hall", params(("id" = String, Path, description = "hall id")),
    responses((status = 200, body = HallView), (status = 404, body = ErrorBody)))]
pub(crate) async fn one(State(s): State<AppState>, Path(id): Path<String>) -> Result<axum::Json<HallView>, ApiError> {
    Ok(axum::Json(hall::get(&s.app, &id).await?))
}

/// Changes a hall (its rules, groups and windows; a window keeps who is at it).
#[utoipa::path(put, path = "/api/v1/halls/{id}", tag = "hall", params(("id" = String, Path, description = "hall id")),
    request_body = HallSpec,
    responses((status = 200, body = HallView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn change(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(spec): Json<HallSpec>,
) -> Result<axum::Json<HallView>, ApiError> {
    Ok(axum::Json(hall::save(&s.app, &c.who, Some(&id), spec).await?))
}

/// The slots of a day for a service at the hall, with the places left and whether each is
/// released yet.
#[utoipa::path(get, path = "/api/v1/halls/{id}/slots", tag = "hall",
    params(("id" = String, Path, description = "hall id"), ("offering_code" = String, Query, description = "事项编码"),
        ("day" = String, Query, description = "YYYY-MM-DD")),
    responses((status = 200, body = DaySlots), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn slots(
    State(s): State<AppState>,
    Path(id): Path<String>,
    q: QueryPairs,
) -> Result<axum::Json<DaySlots>, ApiError> {
    let offering = q.first("offering_code").unwrap_or("");
    Ok(axum::Json(booking::slots(&s.app, &id, offering, day(&q, "day")?).await?))
}

/// Books a slot (L2 and up). 409 when the slot is full — of two racing for its last place, one
/// gets it —, when the person holds the most appointments allowed, or is suspended for no-shows.
#[utoipa::path(post, path = "/api/v1/halls/{id}/appointments", tag = "hall",
    params(("id" = String, Path, description = "hall id")), request_body = NewAppointment,
    responses((status = 201, body = AppointmentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn book(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(new): Json<NewAppointment>,
) -> Result<(StatusCode, axum::Json<AppointmentView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(booking::book(&s.app, &c.who, &id, new).await?)))
}

/// The caller's appointments, the latest first.
#[utoipa::path(get, path = "/api/v1/appointments", tag = "hall",
    responses((status = 200, body = Vec<AppointmentView>), (status = 401, body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn mine(State(s): State<AppState>, c: Caller) -> Result<axum::Json<Vec<AppointmentView>>, ApiError> {
    Ok(axum::Json(booking::mine(&s.app, &c.who).await?))
}

/// One of the caller's appointments (404 for anyone else's).
#[utoipa::path(get, path = "/api/v1/appointments/{id}", tag = "hall", params(("id" = String, Path, description = "appointment id")),
    responses((status = 200, body = AppointmentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn appointment(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<AppointmentView>, ApiError> {
    Ok(axum::Json(booking::get(&s.app, &c.who, &id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    pub day: NaiveDate,
    /// `HH:MM`.
    pub start: String,
    /// The version read (409 when it moved since).
    pub expected_version: i64,
}

/// Moves an appointment to another slot before it begins; the old place is given back.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/move", tag = "hall",
    params(("id" = String, Path, description = "appointment id")), request_body = MoveRequest,
    responses((status = 200, body = AppointmentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn move_to(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(m): Json<MoveRequest>,
) -> Result<axum::Json<AppointmentView>, ApiError> {
    Ok(axum::Json(booking::move_to(&s.app, &c.who, &id, m.day, &m.start, m.expected_version).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionRequest {
    /// The version read (409 when it moved since).
    pub expected_version: i64,
}

/// Cancels an appointment before it begins.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/cancel", tag = "hall",
    params(("id" = String, Path, description = "appointment id")), request_body = VersionRequest,
    responses((status = 200, body = AppointmentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn cancel(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(v): Json<VersionRequest>,
) -> Result<axum::Json<AppointmentView>, ApiError> {
    Ok(axum::Json(booking::cancel(&s.app, &c.who, &id, v.expected_version).await?))
}

/// The kiosk issues a walk-in ticket (with or without an identity card; the green line for the
/// elderly and disabled). Limited per address and minute.
#[utoipa::path(post, path = "/api/v1/halls/{id}/tickets", tag = "hall",
    params(("id" = String, Path, description = "hall id")), request_body = TicketRequest,
    responses((status = 201, body = TicketView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub(crate) async fn take(
    State(s): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(r): Json<TicketRequest>,
) -> Result<(StatusCode, axum::Json<TicketView>), ApiError> {
    let address = crate::session::client(&headers, &peer).address;
    Ok((StatusCode::CREATED, axum::Json(queue::take(&s.app, &id, r, &address).await?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// The identity card read at the kiosk.
    pub card_number: String,
}

/// The kiosk checks in today's appointment of the card's holder: a ticket in the appointment
/// line.
#[utoipa::path(post, path = "/api/v1/halls/{id}/check-in", tag = "hall",
    params(("id" = String, Path, description = "hall id")), request_body = CheckInRequest,
    responses((status = 201, body = TicketView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub(crate) async fn check_in(
    State(s): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(r): Json<CheckInRequest>,
) -> Result<(StatusCode, axum::Json<TicketView>), ApiError> {
    let address = crate::session::client(&headers, &peer).address;
    Ok((StatusCode::CREATED, axum::Json(queue::check_in(&s.app, &id, &r.card_number, &address).await?)))
}

/// A ticket with its place in the queue and the estimated wait.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "hall", params(("id" = String, Path, description = "ticket id")),
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
pub(crate) async fn ticket(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<TicketView>, ApiError> {
    Ok(axum::Json(queue::ticket(&s.app, &id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowRequest {
    /// The window to sign in at; none: sign out.
    #[serde(default)]
    pub window: Option<String>,
}

/// Window staff sign in at a window of the hall (or out).
#[utoipa::path(post, path = "/api/v1/halls/{id}/window", tag = "hall",
    params(("id" = String, Path, description = "hall id")), request_body = WindowRequest,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn window(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(r): Json<WindowRequest>,
) -> Result<StatusCode, ApiError> {
    queue::sign_in(&s.app, &c.who, &id, r.window.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's window: the ticket being served, the waiting per group, the visit to rate.
#[utoipa::path(get, path = "/api/v1/halls/{id}/desk", tag = "hall", params(("id" = String, Path, description = "hall id")),
    responses((status = 200, body = Desk), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "at no window")),
    security(("session" = [])))]
pub(crate) async fn desk(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<Desk>, ApiError> {
    Ok(axum::Json(queue::desk(&s.app, &c.who, &id).await?))
}

/// Calls the next ticket to the caller's window — of two windows calling at once, each gets a
/// different one; 204 when none waits.
#[utoipa::path(post, path = "/api/v1/halls/{id}/calls", tag = "hall", params(("id" = String, Path, description = "hall id")),
    responses((status = 200, body = TicketView), (status = 204, description = "none waiting"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn call_next(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(match queue::call_next(&s.app, &c.who, &id).await? {
        Some(t) => axum::Json(t).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketAction {
    /// `recall`, `no_show`, `transfer` (with `group`) or `finish`.
    pub action: String,
    #[serde(default)]
    pub group: String,
    /// The version read (409 when it moved since).
    pub expected_version: i64,
}

/// What the window does with the ticket it called.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/action", tag = "hall",
    params(("id" = String, Path, description = "ticket id")), request_body = TicketAction,
    responses((status = 200, body = TicketView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn act(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(a): Json<TicketAction>,
) -> Result<axum::Json<TicketView>, ApiError> {
    let step = step_of(&a.action, &a.group)?;
    Ok(axum::Json(queue::step(&s.app, &c.who, &id, a.expected_version, step).await?))
}

pub(crate) fn step_of<'a>(action: &str, group: &'a str) -> Result<Step<'a>, tongban_app::AppError> {
    Ok(match action {
        "recall" => Step::Recall,
        "no_show" => Step::NoShow,
        "transfer" => Step::Transfer(group.trim()),
        "finish" => Step::Finish,
        _ => return Err(tongban_app::AppError::field("action", "应为 recall、no_show、transfer 或 finish")),
    })
}

/// The visit's rating (一次一评) on the rating device of the window that finished it. Send
/// `"anonymous": true` unless the person served chose to give their name (the device's page asks,
/// anonymous by default); real-name is kept only for a known person (card read, appointment).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/rating", tag = "hall",
    params(("id" = String, Path, description = "ticket id")), request_body = NewRating,
    responses((status = 200, body = TicketView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "rated, or not finished")),
    security(("session" = [])))]
pub(crate) async fn rate(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(r): Json<NewRating>,
) -> Result<axum::Json<TicketView>, ApiError> {
    Ok(axum::Json(queue::rate(&s.app, &c.who, &id, r).await?))
}

/// The hall's figures per day and window, for its managers (`from`, `to`: at most 92 days).
#[utoipa::path(get, path = "/api/v1/halls/{id}/figures", tag = "hall",
    params(("id" = String, Path, description = "hall id"), ("from" = String, Query, description = "YYYY-MM-DD"),
        ("to" = String, Query, description = "YYYY-MM-DD")),
    responses((status = 200, body = HallFigures), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn figures(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    q: QueryPairs,
) -> Result<axum::Json<HallFigures>, ApiError> {
    let (from, to) = (day(&q, "from")?, day(&q, "to")?);
    Ok(axum::Json(tongban_app::hall::figures::figures(&s.app, &c.who, &id, from, to).await?))
}
