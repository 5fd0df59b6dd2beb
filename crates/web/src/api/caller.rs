//! Who calls an API endpoint that needs a signed-in person: a session token as a bearer token
//! (`Authorization: Bearer …`, from `POST /api/v1/sessions`), or the browser's session cookie —
//! then a request that changes anything must also carry the CSRF cookie's value in
//! `X-CSRF-Token`, so another site cannot make the browser act.

use crate::session;
use crate::{ApiError, AppState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header::AUTHORIZATION};
use tongban_app::access::Principal;
use tongban_app::identity;
use tower_http::request_id::RequestId;

/// The header a cookie-authenticated API call repeats the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in caller and the request's id (for the audit trail).
pub struct Caller {
    pub who: Principal,
    pub request_id: String,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn unauthenticated() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录 (please log in)")
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, ApiError> {
        let headers = &parts.headers;
        let token = match bearer(headers) {
            Some(t) => t.to_owned(),
            None => {
                let token = session::session_token(s, headers).ok_or_else(unauthenticated)?;
                if !parts.method.is_safe() {
                    let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
                    if !session::csrf_ok(s, headers, sent) {
                        return Err(ApiError::new(
                            StatusCode::FORBIDDEN,
                            "csrf",
                            "缺少或错误的 X-CSRF-Token (missing or wrong X-CSRF-Token)",
                        ));
                    }
                }
                token
            }
        };
        let who = identity::authenticate(&s.app, &token).await?.ok_or_else(unauthenticated)?;
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .and_then(|id| id.header_value().to_str().ok())
            .unwrap_or("-")
            .to_owned();
        Ok(Self { who, request_id })
    }
}

/// The caller of an endpoint anyone may use: signed in (then as `Caller`: a wrong token is 401,
/// a cookie without the CSRF header 403) or not at all.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, ApiError> {
        if bearer(&parts.headers).is_none() && session::session_token(s, &parts.headers).is_none() {
            return Ok(Self(None));
        }
        Ok(Self(Some(Caller::from_request_parts(parts, s).await?)))
    }
}
