//! `GET /api/v1/divisions/{code}` and `GET /api/v1/divisions/{code}/children`.

use crate::error::ErrorBody;
use crate::extract::Path;
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use tongban_app::divisions::{self, DivisionRecord, DivisionView};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/divisions/{code}", get(one)).route("/api/v1/divisions/{code}/children", get(children))
}

/// A GB/T 2260 division: name, level, parent and path from the province down.
#[utoipa::path(get, path = "/api/v1/divisions/{code}", tag = "divisions",
    params(("code" = String, Path, description = "行政区划代码, 6 digits (or 9/12 for townships and villages)")),
    responses(
        (status = 200, body = DivisionView),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub(crate) async fn one(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<axum::Json<DivisionView>, ApiError> {
    Ok(axum::Json(divisions::get(&s.app.store, &code).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Children {
    parent: String,
    items: Vec<DivisionRecord>,
}

/// The divisions directly under a division.
#[utoipa::path(get, path = "/api/v1/divisions/{code}/children", tag = "divisions",
    params(("code" = String, Path, description = "行政区划代码")),
    responses(
        (status = 200, body = Children),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub(crate) async fn children(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<axum::Json<Children>, ApiError> {
    let items = divisions::children(&s.app.store, &code).await?;
    Ok(axum::Json(Children { parent: code, items }))
}
