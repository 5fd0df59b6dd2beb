//! Ratings (好差评): the applicant rates a concluded case and says whether a rectification
//! satisfied them; the deciding agency's staff work the rectifications a bad review opens; the
//! figures are public. `tongban_app::ratings` decides who may.

use super::caller::Caller;
use crate::error::ErrorBody;
use crate::extract::{Json, Path, QueryPairs};
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use tongban_app::ratings::{
    self, AppealView, FigureQuery, Figures, NewRating, RaterContact, RatingView, RectificationView, Step,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases/{number}/rating", get(of_case).post(rate).put(change))
        .route("/api/v1/cases/{number}/rating/verdict", post(verdict))
        .route("/api/v1/rectifications", get(queue))
        .route("/api/v1/rectifications/{id}", post(work))
        .route("/api/v1/rectifications/{id}/contact", get(contact))
        .route("/api/v1/rectifications/{id}/appeal", post(appeal))
        .route("/api/v1/appeals", get(appeals))
        .route("/api/v1/appeals/{id}", post(decide))
        .route("/api/v1/ratings/figures", get(figures))
        .route("/api/v1/ratings/mine", get(mine))
        .route("/api/v1/ratings/{id}/verdict", post(verdict_rating))
}

/// Rates a case of the caller (一事一评) once it is concluded, delivered, refused or denied:
/// 1–5 stars, scores per indicator, a comment (required for 1–2 stars, which open a
/// rectification for the deciding agency).
#[utoipa::path(post, path = "/api/v1/cases/{number}/rating", tag = "ratings",
    params(("number" = String, Path, description = "办件编号")), request_body = NewRating,
    responses((status = 201, body = RatingView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such case of the caller"),
        (status = 409, body = ErrorBody, description = "not yet rateable, or rated already")),
    security(("session" = [])))]
pub(crate) async fn rate(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    Json(r): Json<NewRating>,
) -> Result<(StatusCode, axum::Json<RatingView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(ratings::rate(&s.app, &c.who, &number, r).await?)))
}

/// Changes the caller's rating of a case, once, within `rating_change_days` of rating it: a bad
/// review turned good withdraws its rectification, a good one turned bad opens one.
#[utoipa::path(put, path = "/api/v1/cases/{number}/rating", tag = "ratings",
    params(("number" = String, Path, description = "办件编号")), request_body = NewRating,
    responses((status = 200, body = RatingView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such case of the caller, or not rated"),
        (status = 409, body = ErrorBody, description = "changed already, or too late")),
    security(("session" = [])))]
pub(crate) async fn change(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    Json(r): Json<NewRating>,
) -> Result<axum::Json<RatingView>, ApiError> {
    Ok(axum::Json(ratings::change(&s.app, &c.who, &number, r).await?))
}

/// A case's rating with its rectification (its applicant, or staff who may read the case);
/// 404 when not rated.
#[utoipa::path(get, path = "/api/v1/cases/{number}/rating", tag = "ratings",
    params(("number" = String, Path, description = "办件编号")),
    responses((status = 200, body = RatingView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn of_case(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
) -> Result<axum::Json<RatingView>, ApiError> {
    let view = ratings::of_case(&s.app, &c.who, &number).await?;
    Ok(axum::Json(view.ok_or(tongban_app::AppError::NotFound { what: "评价", what_en: "rating" })?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    pub satisfied: bool,
}

/// The rater's verdict on the agency's answer to a bad review (整改满意); closes it.
#[utoipa::path(post, path = "/api/v1/cases/{number}/rating/verdict", tag = "ratings",
    params(("number" = String, Path, description = "办件编号")), request_body = Verdict,
    responses((status = 200, body = RatingView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "not answered yet, or closed")),
    security(("session" = [])))]
pub(crate) async fn verdict(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    Json(v): Json<Verdict>,
) -> Result<axum::Json<RatingView>, ApiError> {
    Ok(axum::Json(ratings::judge(&s.app, &c.who, &number, v.satisfied).await?))
}

/// The caller's own ratings — of their cases and of their window visits (一次一评) —, the newest
/// first (at most 100), each with its rectification.
#[utoipa::path(get, path = "/api/v1/ratings/mine", tag = "ratings",
    responses((status = 200, body = Vec<RatingView>), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn mine(State(s): State<AppState>, c: Caller) -> Result<axum::Json<Vec<RatingView>>, ApiError> {
    Ok(axum::Json(ratings::mine(&s.app, &c.who).await?))
}

/// The rater's verdict by the rating's identifier — the way to judge a window visit's
/// rectification, which has no case; closes it.
#[utoipa::path(post, path = "/api/v1/ratings/{id}/verdict", tag = "ratings",
    params(("id" = String, Path, description = "评价标识")), request_body = Verdict,
    responses((status = 200, body = RatingView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such rating of the caller"),
        (status = 409, body = ErrorBody, description = "not answered yet, or closed")),
    security(("session" = [])))]
pub(crate) async fn verdict_rating(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(v): Json<Verdict>,
) -> Result<axum::Json<RatingView>, ApiError> {
    Ok(axum::Json(ratings::judge_rating(&s.app, &c.who, &id, v.satisfied).await?))
}

/// The rectifications of the caller's agencies and divisions, the oldest first, with their
/// clocks; `?all=true` includes the closed ones.
#[utoipa::path(get, path = "/api/v1/rectifications", tag = "ratings",
    params(("all" = Option<bool>, Query, description = "include closed ones")),
    responses((status = 200, body = Vec<RectificationView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn queue(
    State(s): State<AppState>,
    c: Caller,
    q: QueryPairs,
) -> Result<axum::Json<Vec<RectificationView>>, ApiError> {
    let all = q.first("all") == Some("true");
    Ok(axum::Json(ratings::queue(&s.app, &c.who, !all).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct WorkRequest {
    #[serde(flatten)]
    pub step: Step,
    /// The version read (409 when it moved since).
    pub expected_version: i64,
}

/// Records the callback (回访) or the answer (整改答复) on a rectification.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}", tag = "ratings",
    params(("id" = String, Path, description = "评价编号")), request_body = WorkRequest,
    responses((status = 200, body = RectificationView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn work(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(w): Json<WorkRequest>,
) -> Result<axum::Json<RectificationView>, ApiError> {
    Ok(axum::Json(ratings::work(&s.app, &c.who, &id, w.step, w.expected_version).await?))
}

/// The rater's name and phone for the callback (回访), unmasked: the deciding agency's staff, while
/// the rectification is worked; each showing is logged.
#[utoipa::path(get, path = "/api/v1/rectifications/{id}/contact", tag = "ratings",
    params(("id" = String, Path, description = "评价编号")),
    responses((status = 200, body = RaterContact), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "anonymous, or no longer worked")),
    security(("session" = [])))]
pub(crate) async fn contact(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<RaterContact>, ApiError> {
    Ok(axum::Json(ratings::rater_contact(&s.app, &c.who, &id).await?))
}

/// The published figures (no login): 好评率, 差评率, 未评率, 差评回复率, 回访整改率, 整改满意率
/// per agency, offering, division or month, from the counts kept with every rating.
#[utoipa::path(get, path = "/api/v1/ratings/figures", tag = "ratings",
    params(FigureQuery),
    responses((status = 200, body = Figures), (status = 400, body = ErrorBody)))]
pub(crate) async fn figures(State(s): State<AppState>, q: QueryPairs) -> Result<axum::Json<Figures>, ApiError> {
    let get = |k: &str| q.first(k).map(str::to_owned);
    let query = FigureQuery {
        from: get("from"),
        to: get("to"),
        by: get("by"),
        agency: get("agency"),
        offering: get("offering"),
        division: get("division"),
    };
    Ok(axum::Json(ratings::figures(&s.app, &query).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    /// Why the review is mistaken or malicious.
    pub reason: String,
}

/// The deciding agency appeals a bad review as mistaken or malicious (申诉), once, while its
/// rectification is worked; the platform administrator decides.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/appeal", tag = "ratings",
    params(("id" = String, Path, description = "评价编号")), request_body = AppealRequest,
    responses((status = 201, body = AppealView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "appealed already, or closed")),
    security(("session" = [])))]
pub(crate) async fn appeal(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(a): Json<AppealRequest>,
) -> Result<(StatusCode, axum::Json<AppealView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(ratings::appeal(&s.app, &c.who, &id, &a.reason).await?)))
}

/// The appeals waiting for a decision (the platform administrator), the oldest first.
#[utoipa::path(get, path = "/api/v1/appeals", tag = "ratings",
    responses((status = 200, body = Vec<AppealView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn appeals(State(s): State<AppState>, c: Caller) -> Result<axum::Json<Vec<AppealView>>, ApiError> {
    Ok(axum::Json(ratings::pending_appeals(&s.app, &c.who).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealDecision {
    /// Upheld: the review leaves the figures and its rectification is void.
    pub upheld: bool,
    pub reasons: String,
}

/// The platform administrator upholds or rejects an appeal, with reasons; the rater is told.
#[utoipa::path(post, path = "/api/v1/appeals/{id}", tag = "ratings",
    params(("id" = String, Path, description = "评价编号")), request_body = AppealDecision,
    responses((status = 200, body = AppealView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "decided already")),
    security(("session" = [])))]
pub(crate) async fn decide(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(d): Json<AppealDecision>,
) -> Result<axum::Json<AppealView>, ApiError> {
    Ok(axum::Json(ratings::decide_appeal(&s.app, &c.who, &id, d.upheld, &d.reasons).await?))
}
