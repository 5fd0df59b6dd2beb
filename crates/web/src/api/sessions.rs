//! `POST /api/v1/sessions` (log in, for programs: the token is then sent as a bearer token) and
//! `DELETE /api/v1/sessions/current` (log out). The same lockout and throttling as the login page.

use super::caller::Caller;
use crate::error::ErrorBody;
use crate::extract::Json;
use crate::session::{self, Peer};
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, post};
use serde::{Deserialize, Serialize};
use tongban_app::identity;
use tongban_domain::identity::Assurance;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/sessions", post(login)).route("/api/v1/sessions/current", delete(logout))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// 公民身份号码 or mobile number.
    pub identifier: String,
    pub password: String,
    /// The authenticator app's code, when the second factor is on.
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionCreated {
    /// Send as `Authorization: Bearer <token>`. Shown once; the platform keeps only its digest.
    pub token: String,
    pub name: String,
    pub assurance: Assurance,
}

/// Logs in and returns a session token for API calls.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", request_body = LoginRequest,
    responses(
        (status = 201, body = SessionCreated),
        (status = 401, description = "wrong identifier, password or code", body = ErrorBody),
        (status = 423, description = "locked after too many failures", body = ErrorBody),
        (status = 429, description = "too many attempts from this address", body = ErrorBody),
    ))]
pub(crate) async fn login(
    State(s): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Json(r): Json<LoginRequest>,
) -> Result<(StatusCode, axum::Json<SessionCreated>), ApiError> {
    let client = session::client(&headers, &peer);
    let done = identity::login(&s.app, &r.identifier, &r.password, r.code.as_deref(), &client).await?;
    let body = SessionCreated { token: done.token, name: done.principal.name, assurance: done.principal.assurance };
    Ok((StatusCode::CREATED, axum::Json(body)))
}

/// Ends the calling session.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "sessions",
    responses((status = 204), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn logout(State(s): State<AppState>, c: Caller) -> Result<StatusCode, ApiError> {
    identity::logout(&s.app, &c.who).await?;
    Ok(StatusCode::NO_CONTENT)
}
