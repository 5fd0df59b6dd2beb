//! `GET /api/v1/codes/check?value=…` and the batch form `POST /api/v1/codes/check`.

use crate::error::ErrorBody;
use crate::extract::{Json, QueryPairs};
use crate::{ApiError, AppState};
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tongban_domain::CheckOutcome;

/// Most values one batch may check.
const MAX_BATCH: usize = 1000;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/codes/check", get(check_one).post(check_many))
}

/// Detects the kind of a code (citizen-id, credit-code, division, licence-id) and validates it.
/// Always 200: validity is in the body.
#[utoipa::path(get, path = "/api/v1/codes/check", tag = "codes",
    params(("value" = String, Query, description = "the code to check")),
    responses(
        (status = 200, body = CheckOutcome),
        (status = 400, description = "`value` missing", body = ErrorBody),
    ))]
pub(crate) async fn check_one(q: QueryPairs) -> Result<axum::Json<CheckOutcome>, ApiError> {
    Ok(axum::Json(tongban_app::codes::check(q.required("value")?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Batch {
    values: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct BatchResult {
    results: Vec<CheckOutcome>,
}

/// Checks up to 1,000 values at once; results in the order given.
#[utoipa::path(post, path = "/api/v1/codes/check", tag = "codes",
    request_body = Batch,
    responses(
        (status = 200, body = BatchResult),
        (status = 400, description = "too many values, or a malformed body", body = ErrorBody),
        (status = 415, description = "not `application/json`", body = ErrorBody),
    ))]
pub(crate) async fn check_many(Json(batch): Json<Batch>) -> Result<axum::Json<BatchResult>, ApiError> {
    if batch.values.len() > MAX_BATCH {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, "validation_failed", "输入有误 (invalid input)");
        e.fields = Some([("values".to_owned(), format!("最多 {MAX_BATCH} 个 (at most {MAX_BATCH})"))].into());
        return Err(e);
    }
    let results = batch.values.iter().map(|v| tongban_app::codes::check(v)).collect();
    Ok(axum::Json(BatchResult { results }))
}
