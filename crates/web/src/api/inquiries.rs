//! Consultations and complaints (咨询投诉举报): anyone brings an item (signed in, or anonymous with
//! the tracking code it answers with); its handlers answer or transfer it; its author rates the
//! answer. `tongban_app::inquiries` decides who may.

use super::caller::{Caller, MaybeCaller};
use crate::error::ErrorBody;
use crate::extract::{Json, Path, QueryPairs};
use crate::session::Peer;
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde::Deserialize;
use tongban_app::inquiries::{self, InquiryView, NewInquiry, Submitted};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/inquiries", get(mine).post(submit))
        .route("/api/v1/inquiries/queue", get(queue))
        .route("/api/v1/inquiries/{number}", get(one))
        .route("/api/v1/inquiries/{number}/answer", post(answer))
        .route("/api/v1/inquiries/{number}/transfer", post(transfer))
        .route("/api/v1/inquiries/{number}/rating", post(rate))
}

/// Brings an inquiry (咨询), complaint (投诉) or report (举报), signed in or not (anonymous then):
/// about a case of the caller or a service (routed to its agency), else to the platform's
/// triage. The answer carries the tracking code that opens it without signing in — shown once.
/// Limited per address and minute.
#[utoipa::path(post, path = "/api/v1/inquiries", tag = "inquiries", request_body = NewInquiry,
    responses((status = 201, body = Submitted), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody)),
    security((), ("session" = [])))]
pub(crate) async fn submit(
    State(s): State<AppState>,
    MaybeCaller(c): MaybeCaller,
    peer: Peer,
    headers: HeaderMap,
    Json(new): Json<NewInquiry>,
) -> Result<(StatusCode, axum::Json<Submitted>), ApiError> {
    let address = crate::session::client(&headers, &peer).address;
    let done = inquiries::submit(&s.app, c.as_ref().map(|c| &c.who), new, &address).await?;
    Ok((StatusCode::CREATED, axum::Json(done)))
}

/// The caller's own items (not the anonymous ones), the newest first.
#[utoipa::path(get, path = "/api/v1/inquiries", tag = "inquiries",
    responses((status = 200, body = Vec<InquiryView>), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn mine(State(s): State<AppState>, c: Caller) -> Result<axum::Json<Vec<InquiryView>>, ApiError> {
    Ok(axum::Json(inquiries::mine(&s.app, &c.who).await?))
}

/// The items of the caller's agencies and divisions (the triage's for the platform
/// administrator), the oldest first, with their clocks; `?all=true` includes answered ones.
#[utoipa::path(get, path = "/api/v1/inquiries/queue", tag = "inquiries",
    params(("all" = Option<bool>, Query, description = "include answered and closed ones")),
    responses((status = 200, body = Vec<InquiryView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn queue(
    State(s): State<AppState>,
    c: Caller,
    q: QueryPairs,
) -> Result<axum::Json<Vec<InquiryView>>, ApiError> {
    Ok(axum::Json(inquiries::queue(&s.app, &c.who, q.first("all") != Some("true")).await?))
}

/// One item, for its author (signed in, or with `?code=` its tracking code) or its handlers;
/// 404 for anyone else.
#[utoipa::path(get, path = "/api/v1/inquiries/{number}", tag = "inquiries",
    params(("number" = String, Path, description = "咨询投诉编号"),
        ("code" = Option<String>, Query, description = "the tracking code")),
    responses((status = 200, body = InquiryView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security((), ("session" = [])))]
pub(crate) async fn one(
    State(s): State<AppState>,
    MaybeCaller(c): MaybeCaller,
    Path(number): Path<String>,
    q: QueryPairs,
) -> Result<axum::Json<InquiryView>, ApiError> {
    Ok(axum::Json(inquiries::get(&s.app, c.as_ref().map(|c| &c.who), &number, q.first("code")).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub answer: String,
    /// Given: this inquiry about a service (not about a case) joins the service's guide (知识库),
    /// under this question — worded for everyone, without personal details.
    #[serde(default)]
    pub public_question: Option<String>,
    /// The version read (409 when it moved since).
    pub expected_version: i64,
}

/// Answers an open item; its author is told.
#[utoipa::path(post, path = "/api/v1/inquiries/{number}/answer", tag = "inquiries",
    params(("number" = String, Path, description = "咨询投诉编号")), request_body = AnswerRequest,
    responses((status = 200, body = InquiryView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "answered, or changed since")),
    security(("session" = [])))]
pub(crate) async fn answer(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    Json(a): Json<AnswerRequest>,
) -> Result<axum::Json<InquiryView>, ApiError> {
    Ok(axum::Json(
        inquiries::answer(&s.app, &c.who, &number, &a.answer, a.public_question.as_deref(), a.expected_version).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The agency's credit code; blank: back to the platform's triage.
    pub agency_code: String,
    pub reason: String,
    pub expected_version: i64,
}

/// Sends an open item to another agency, or back to the triage, with the reason.
#[utoipa::path(post, path = "/api/v1/inquiries/{number}/transfer", tag = "inquiries",
    params(("number" = String, Path, description = "咨询投诉编号")), request_body = TransferRequest,
    responses((status = 200, body = InquiryView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "answered, or changed since")),
    security(("session" = [])))]
pub(crate) async fn transfer(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    Json(t): Json<TransferRequest>,
) -> Result<axum::Json<InquiryView>, ApiError> {
    let done = inquiries::transfer(&s.app, &c.who, &number, &t.agency_code, &t.reason, t.expected_version).await?;
    Ok(axum::Json(done))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateRequest {
    /// 1 (非常不满意) to 5 (非常满意).
    pub level: i64,
    /// The tracking code, when not signed in.
    #[serde(default)]
    pub code: Option<String>,
}

/// The author rates the answer, once; that closes the item.
#[utoipa::path(post, path = "/api/v1/inquiries/{number}/rating", tag = "inquiries",
    params(("number" = String, Path, description = "咨询投诉编号")), request_body = RateRequest,
    responses((status = 200, body = InquiryView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "not answered, or rated")),
    security((), ("session" = [])))]
pub(crate) async fn rate(
    State(s): State<AppState>,
    MaybeCaller(c): MaybeCaller,
    Path(number): Path<String>,
    Json(r): Json<RateRequest>,
) -> Result<axum::Json<InquiryView>, ApiError> {
    let who = c.as_ref().map(|c| &c.who);
    Ok(axum::Json(inquiries::rate(&s.app, who, &number, r.code.as_deref(), r.level).await?))
}
