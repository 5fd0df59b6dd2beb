//! `GET /api/v1/divisions/{code}` and `GET /api/v1/divisions/{code}/children`.

use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use tongban_app::divisions::{self, DivisionRecord, DivisionView};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/divisions/{code}", get(one)).route("/api/v1/divisions/{code}/children", get(children))
}

async fn one(State(s): State<AppState>, Path(code): Path<String>) -> Result<axum::Json<DivisionView>, ApiError> {
    Ok(axum::Json(divisions::get(&s.app.store, &code).await?))
}

#[derive(serde::Serialize)]
struct Children {
    parent: String,
    items: Vec<DivisionRecord>,
}

async fn children(State(s): State<AppState>, Path(code): Path<String>) -> Result<axum::Json<Children>, ApiError> {
    let items = divisions::children(&s.app.store, &code).await?;
    Ok(axum::Json(Children { parent: code, items }))
}
