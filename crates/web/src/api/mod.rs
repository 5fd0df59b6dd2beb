//! The JSON API under `/api/v1`.

mod calendar;
pub mod caller;
pub(crate) mod cases;
pub(crate) mod catalog;
mod codes;
pub(crate) mod data;
mod divisions;
pub(crate) mod gateway;
pub(crate) mod hall;
mod inquiries;
pub(crate) mod licences;
pub(crate) mod materials;
pub mod openapi;
mod ratings;
mod sessions;

use crate::{ApiError, AppState};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(codes::routes())
        .merge(calendar::routes())
        .merge(divisions::routes())
        .merge(catalog::routes())
        .merge(sessions::routes())
        .merge(cases::routes())
        .merge(materials::routes())
        .merge(licences::routes())
        .merge(inquiries::routes())
        .merge(hall::routes())
        .merge(ratings::routes())
        .merge(data::routes())
        .merge(gateway::routes())
        .route("/api/v1/openapi.json", axum::routing::get(openapi::serve))
        .route("/api/{*rest}", axum::routing::any(|| async { ApiError::not_found() }))
        .route("/api", axum::routing::any(|| async { ApiError::not_found() }))
}
