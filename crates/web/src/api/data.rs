//! The JSON API of data sharing under `/api/v1/data`: the resource catalog, requests and grants,
//! registered department systems and the day's monitoring, for stewards and the data authority.
//! `tongban_app::exchange` decides who may.

use super::caller::Caller;
use crate::error::ErrorBody;
use crate::extract::{Json, Path, QueryPairs};
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use tongban_app::exchange::catalog::{self, ImportReport, ResourceView};
use tongban_app::exchange::monitor::{self, Monitoring};
use tongban_app::exchange::requests::{self, NewRequest, RequestView, Verdict};
use tongban_app::exchange::{self, NewClient, SystemView};
use tongban_domain::exchange::{RequestState, Resource};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/data/resources", get(list).post(register))
        .route("/api/v1/data/resources/export", get(export))
        .route("/api/v1/data/resources/import", post(import))
        .route("/api/v1/data/resources/{id}", get(one))
        .route("/api/v1/data/resources/{id}/versions", post(new_version))
        .route("/api/v1/data/resources/{id}/publication", post(publish))
        .route("/api/v1/data/requests", get(request_list).post(request))
        .route("/api/v1/data/requests/{id}", get(request_one))
        .route("/api/v1/data/requests/{id}/decision", post(decide))
        .route("/api/v1/data/requests/{id}/revocation", post(revoke))
        .route("/api/v1/data/systems", get(systems).post(register_system))
        .route("/api/v1/data/monitoring", get(monitoring))
}

/// The catalog: published resources and your agencies' drafts (stewards, the data authority and
/// other staff), those matching every word of `q`.
#[utoipa::path(get, path = "/api/v1/data/resources", tag = "data",
    params(("q" = Option<String>, Query, description = "关键词: name, abstract, classification, identifier, item labels")),
    responses((status = 200, body = Vec<ResourceView>), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn list(
    State(s): State<AppState>,
    c: Caller,
    q: QueryPairs,
) -> Result<axum::Json<Vec<ResourceView>>, ApiError> {
    let words: String = q.first("q").unwrap_or("").chars().take(100).collect();
    Ok(axum::Json(catalog::list(&s.app, &c.who, &words).await?))
}

/// Registers a resource of an agency you steward (its version 1, unpublished).
#[utoipa::path(post, path = "/api/v1/data/resources", tag = "data", request_body = Resource,
    responses((status = 201, body = ResourceView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn register(
    State(s): State<AppState>,
    c: Caller,
    Json(r): Json<Resource>,
) -> Result<(StatusCode, axum::Json<ResourceView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(catalog::save(&s.app, &c.who, r, None).await?)))
}

/// One resource: the published version, or `version`; unpublished ones for their stewards only.
#[utoipa::path(get, path = "/api/v1/data/resources/{id}", tag = "data",
    params(("id" = String, Path, description = "资源代码"), ("version" = Option<i32>, Query, description = "a saved version")),
    responses((status = 200, body = ResourceView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn one(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    q: QueryPairs,
) -> Result<axum::Json<ResourceView>, ApiError> {
    let version = match q.first("version") {
        Some(v) => Some(v.parse().map_err(|_| tongban_app::AppError::field("version", "应为整数 (a number)"))?),
        None => None,
    };
    Ok(axum::Json(catalog::view(&s.app, Some(&c.who), &id, version).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVersion {
    /// The latest version you edited (409 when another save came first).
    pub expected_version: i32,
    pub resource: Resource,
}

/// Saves the next version of a resource (publish it to put it in use).
#[utoipa::path(post, path = "/api/v1/data/resources/{id}/versions", tag = "data",
    params(("id" = String, Path, description = "资源代码")), request_body = NewVersion,
    responses((status = 201, body = ResourceView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn new_version(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(v): Json<NewVersion>,
) -> Result<(StatusCode, axum::Json<ResourceView>), ApiError> {
    exchange::data_roles(&s.app, &c.who).await?;
    if v.resource.identifier != id {
        return Err(tongban_app::AppError::field(
            "resource.identifier",
            "与地址中的资源代码不同 (differs from the path)",
        )
        .into());
    }
    Ok((StatusCode::CREATED, axum::Json(catalog::save(&s.app, &c.who, v.resource, Some(v.expected_version)).await?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    pub version: i32,
}

/// Publishes a saved version: requests and calls use it from now on.
#[utoipa::path(post, path = "/api/v1/data/resources/{id}/publication", tag = "data",
    params(("id" = String, Path, description = "资源代码")), request_body = Publication,
    responses((status = 200, body = ResourceView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn publish(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(p): Json<Publication>,
) -> Result<axum::Json<ResourceView>, ApiError> {
    Ok(axum::Json(catalog::publish(&s.app, &c.who, &id, p.version).await?))
}

/// The published entries you see, as JSON Lines (what import reads).
#[utoipa::path(get, path = "/api/v1/data/resources/export", tag = "data",
    responses((status = 200, body = String, content_type = "application/x-ndjson"), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn export(State(s): State<AppState>, c: Caller) -> Result<impl IntoResponse, ApiError> {
    let body = catalog::export(&s.app, &c.who).await?;
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8")], body))
}

/// Imports entries (JSON Lines), each saved and published; refused lines are reported with reasons.
#[utoipa::path(post, path = "/api/v1/data/resources/import", tag = "data",
    request_body(content = String, content_type = "text/plain", description = "JSON Lines (`application/x-ndjson` is taken too)"),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn import(
    State(s): State<AppState>,
    c: Caller,
    body: String,
) -> Result<axum::Json<ImportReport>, ApiError> {
    Ok(axum::Json(catalog::import(&s.app, &c.who, &body).await?))
}

/// Requests and grants of your agencies (both sides; all for the data authority), newest first.
#[utoipa::path(get, path = "/api/v1/data/requests", tag = "data",
    params(("state" = Option<String>, Query, description = "review | provider_reply | granted | refused | revoked (repeatable)")),
    responses((status = 200, body = Vec<RequestView>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn request_list(
    State(s): State<AppState>,
    c: Caller,
    q: QueryPairs,
) -> Result<axum::Json<Vec<RequestView>>, ApiError> {
    let mut states = Vec::new();
    for v in q.all("state") {
        states.push(RequestState::parse(&v).ok_or_else(|| {
            tongban_app::AppError::field("state", "应为 review、provider_reply、granted、refused 或 revoked")
        })?);
    }
    Ok(axum::Json(requests::list(&s.app, &c.who, &states).await?))
}

/// Requests a published resource for your agency (不予共享 resources are refused at once).
#[utoipa::path(post, path = "/api/v1/data/requests", tag = "data", request_body = NewRequest,
    responses((status = 201, body = RequestView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn request(
    State(s): State<AppState>,
    c: Caller,
    Json(r): Json<NewRequest>,
) -> Result<(StatusCode, axum::Json<RequestView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(requests::request(&s.app, &c.who, r, &c.request_id).await?)))
}

/// One request with its clock and its SM3-chained trail.
#[utoipa::path(get, path = "/api/v1/data/requests/{id}", tag = "data",
    params(("id" = String, Path, description = "申请编号")),
    responses((status = 200, body = RequestView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn request_one(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(requests::view(&s.app, &c.who, &id).await?))
}

/// Decides the current stage: the data authority's review, or the provider's reply.
#[utoipa::path(post, path = "/api/v1/data/requests/{id}/decision", tag = "data",
    params(("id" = String, Path, description = "申请编号")), request_body = Verdict,
    responses((status = 200, body = RequestView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn decide(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(v): Json<Verdict>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(requests::decide(&s.app, &c.who, &id, v, &c.request_id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    pub reasons: String,
}

/// Revokes a grant; the next gateway call under it is refused.
#[utoipa::path(post, path = "/api/v1/data/requests/{id}/revocation", tag = "data",
    params(("id" = String, Path, description = "申请编号")), request_body = Revocation,
    responses((status = 200, body = RequestView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn revoke(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(r): Json<Revocation>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(requests::revoke(&s.app, &c.who, &id, &r.reasons, &c.request_id).await?))
}

/// The registered systems of an agency you steward.
#[utoipa::path(get, path = "/api/v1/data/systems", tag = "data",
    params(("agency" = String, Query, description = "the agency's credit code")),
    responses((status = 200, body = Vec<SystemView>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn systems(
    State(s): State<AppState>,
    c: Caller,
    q: QueryPairs,
) -> Result<axum::Json<Vec<SystemView>>, ApiError> {
    exchange::data_roles(&s.app, &c.who).await?;
    let agency = q.required("agency")?;
    Ok(axum::Json(exchange::systems(&s.app, &c.who, agency).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSystem {
    pub agency_code: String,
    pub name: String,
}

/// Registers a department system that queries the gateway with client credentials; the secret
/// is shown this once.
#[utoipa::path(post, path = "/api/v1/data/systems", tag = "data", request_body = NewSystem,
    responses((status = 201, body = NewClient), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn register_system(
    State(s): State<AppState>,
    c: Caller,
    Json(n): Json<NewSystem>,
) -> Result<(StatusCode, axum::Json<NewClient>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(exchange::register_system(&s.app, &c.who, &n.agency_code, &n.name).await?)))
}

/// A day's calls, errors, latency and quota use per resource and consumer, with volume jumps.
#[utoipa::path(get, path = "/api/v1/data/monitoring", tag = "data",
    params(("day" = Option<String>, Query, description = "YYYY-MM-DD (China date), today by default")),
    responses((status = 200, body = Monitoring), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn monitoring(
    State(s): State<AppState>,
    c: Caller,
    q: QueryPairs,
) -> Result<axum::Json<Monitoring>, ApiError> {
    let day = match q.first("day") {
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| tongban_app::AppError::field("day", "日期格式为 YYYY-MM-DD (a date YYYY-MM-DD)"))?,
        None => tongban_domain::calendar::china_today(),
    };
    Ok(axum::Json(monitor::day(&s.app, &c.who, day).await?))
}
