//! `GET /api/v1/calendar/deadline` and `GET /api/v1/calendar/years`.

use crate::error::ErrorBody;
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

/// The due date of a time limit in working days, counted from the day after `from`; suspension
/// intervals do not count. `provisional` when a counted day lies in a year whose State Council
/// notice is not loaded.
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar",
    params(
        ("from" = String, Query, description = "YYYY-MM-DD"),
        ("workdays" = u32, Query, description = "working days"),
        ("suspend" = Option<Vec<String>>, Query, description = "YYYY-MM-DD..YYYY-MM-DD, repeatable"),
    ),
    responses(
        (status = 200, body = Deadline),
        (status = 400, body = ErrorBody),
    ))]
pub(crate) async fn deadline(State(s): State<AppState>, q: QueryPairs) -> Result<axum::Json<Deadline>, ApiError> {
    let query =
        DeadlineQuery::parse(q.first("from").unwrap_or(""), q.first("workdays").unwrap_or(""), &q.all("suspend"))?;
    Ok(axum::Json(s.app.calendar.deadline(&s.app.store, &query).await?))
}

/// The years whose State Council notice is loaded; deadlines reaching other years are provisional.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Years {
    years: Vec<i32>,
}

#[utoipa::path(get, path = "/api/v1/calendar/years", tag = "calendar", responses((status = 200, body = Years)))]
pub(crate) async fn years(State(s): State<AppState>) -> Result<axum::Json<Years>, ApiError> {
    let years = s.app.calendar.known_years(&s.app.store).await?;
    Ok(axum::Json(Years { years }))
}
