//! `GET /api/v1/catalog/search` and `GET /api/v1/offerings/{offering_code}`.

use crate::error::ErrorBody;
use crate::extract::Path;
use crate::extract::QueryPairs;
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;
use tongban_app::catalog::{self, SearchParams};
use tongban_domain::catalog::Offering;
use tongban_search::SearchResults;
use tongban_store::catalog::VersionSummary;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/catalog/search", get(search))
        .route("/api/v1/offerings/{code}", get(offering))
        .route("/api/v1/offerings/{code}/versions", get(versions))
}

/// The search parameters of the API and of the results page.
pub fn search_params(q: &QueryPairs) -> SearchParams {
    let get = |k: &str| q.first(k).map(str::to_owned);
    SearchParams {
        q: get("q"),
        division: get("division"),
        audience: get("audience"),
        agency: get("agency"),
        theme: get("theme"),
        depth: get("depth"),
        case_kind: get("case_kind"),
        page: get("page"),
        per_page: get("per_page"),
    }
}

/// Searches the published catalog: every word must match; the exact service name comes first.
#[utoipa::path(get, path = "/api/v1/catalog/search", tag = "catalog",
    params(
        ("q" = Option<String>, Query, description = "关键词 (keywords), at most 100 characters"),
        ("division" = Option<String>, Query, description = "行政区划代码: offerings of this division, of its ancestors, and national ones"),
        ("audience" = Option<String>, Query, description = "person | organization"),
        ("agency" = Option<String>, Query, description = "实施机构统一社会信用代码 (agency credit code)"),
        ("theme" = Option<String>, Query, description = "主题或人生事件 (theme or life event)"),
        ("depth" = Option<String>, Query, description = "网上办理深度 I | II | III | IV"),
        ("case_kind" = Option<String>, Query, description = "immediate | committed | reported | joint"),
        ("page" = Option<u32>, Query, description = "1..=10000, default 1"),
        ("per_page" = Option<u32>, Query, description = "1..=100, default 10"),
    ),
    responses(
        (status = 200, body = SearchResults),
        (status = 400, description = "a bad parameter, named in `fields`", body = ErrorBody),
    ))]
pub(crate) async fn search(State(s): State<AppState>, q: QueryPairs) -> Result<axum::Json<SearchResults>, ApiError> {
    Ok(axum::Json(catalog::search(&s.app, &search_params(&q)).await?))
}

/// A published guide with its version and publication time.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PublishedOffering {
    version: i32,
    published_at: chrono::DateTime<chrono::Utc>,
    #[serde(flatten)]
    offering: Offering,
}

/// The whole published guide (latest version), with its version and publication time.
#[utoipa::path(get, path = "/api/v1/offerings/{code}", tag = "catalog",
    params(("code" = String, Path, description = "实施编码 (31-character implementation code)")),
    responses(
        (status = 200, body = PublishedOffering),
        (status = 404, body = ErrorBody),
    ))]
pub(crate) async fn offering(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<axum::Json<PublishedOffering>, ApiError> {
    let g = catalog::get(&s.app.store, &code).await?;
    Ok(axum::Json(PublishedOffering { version: g.version, published_at: g.published_at, offering: g.offering }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Versions {
    offering_code: String,
    versions: Vec<VersionSummary>,
}

/// The change history of an offering, newest first.
#[utoipa::path(get, path = "/api/v1/offerings/{code}/versions", tag = "catalog",
    params(("code" = String, Path, description = "实施编码 (implementation code)")),
    responses(
        (status = 200, body = Versions),
        (status = 404, body = ErrorBody),
    ))]
pub(crate) async fn versions(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<axum::Json<Versions>, ApiError> {
    catalog::get(&s.app.store, &code).await?;
    let versions = s.app.store.offering_versions(&code).await.map_err(tongban_app::AppError::from)?;
    Ok(axum::Json(Versions { offering_code: code, versions }))
}
