//! `GET /api/v1/calendar/deadline` and `GET /api/v1/calendar/years`.

use crate::extract::QueryPairs;
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use tongban_app::calendar::DeadlineQuery;
use tongban_domain::Deadline;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/calendar/deadline", get(deadline)).route("/api/v1/calendar/years", get(years))
}

/// `?from=YYYY-MM-DD&workdays=N[&suspend=A..B]…` → `{"due","provisional"}`.
async fn deadline(State(s): State<AppState>, q: QueryPairs) -> Result<axum::Json<Deadline>, ApiError> {
    let query =
        DeadlineQuery::parse(q.first("from").unwrap_or(""), q.first("workdays").unwrap_or(""), &q.all("suspend"))?;
    Ok(axum::Json(s.app.calendar.deadline(&s.app.store, &query).await?))
}

/// The years whose State Council notice is loaded; deadlines reaching other years are provisional.
async fn years(State(s): State<AppState>) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let years = s.app.calendar.known_years(&s.app.store).await?;
    Ok(axum::Json(serde_json::json!({ "years": years })))
}
