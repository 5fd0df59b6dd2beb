//! `GET /api/v1/catalog/search` and `GET /api/v1/offerings/{offering_code}`.

use crate::extract::QueryPairs;
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::{Path, State};
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

/// `?q=&division=&audience=person|organization&agency=&theme=&depth=&case_kind=&page=&per_page=`
async fn search(State(s): State<AppState>, q: QueryPairs) -> Result<axum::Json<SearchResults>, ApiError> {
    Ok(axum::Json(catalog::search(&s.app, &search_params(&q)).await?))
}

#[derive(Serialize)]
struct PublishedOffering {
    version: i32,
    published_at: chrono::DateTime<chrono::Utc>,
    #[serde(flatten)]
    offering: Offering,
}

/// The whole published guide, with its version and publication time.
async fn offering(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<axum::Json<PublishedOffering>, ApiError> {
    let g = catalog::get(&s.app.store, &code).await?;
    Ok(axum::Json(PublishedOffering { version: g.version, published_at: g.published_at, offering: g.offering }))
}

#[derive(Serialize)]
struct Versions {
    offering_code: String,
    versions: Vec<VersionSummary>,
}

/// The change history, newest first.
async fn versions(State(s): State<AppState>, Path(code): Path<String>) -> Result<axum::Json<Versions>, ApiError> {
    catalog::get(&s.app.store, &code).await?;
    let versions = s.app.store.offering_versions(&code).await.map_err(tongban_app::AppError::from)?;
    Ok(axum::Json(Versions { offering_code: code, versions }))
}
