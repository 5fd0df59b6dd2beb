//! The exchange gateway's endpoint, `POST /exchange/v1/resources/{id}/query`: a department
//! system's bearer token (client credentials of its agency's registered system) and the query;
//! the answer carries only the granted items and the call's place in the log
//! (`X-Tongban-Call`), and so does every refusal after the token was accepted.

use crate::extract::{Json, Path};
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tongban_app::exchange::gateway::{self, Answer, Query, Refusal};

pub fn routes() -> Router<AppState> {
    Router::new().route("/exchange/v1/resources/{id}/query", post(query))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The log place of a call, as a header: `NODE-SEQ`.
fn call_header(res: &mut Response, node: i32, seq: i64) {
    if let Ok(v) = HeaderValue::from_str(&format!("{node}-{seq}")) {
        res.headers_mut().insert("x-tongban-call", v);
    }
}

fn refused(r: Refusal) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut e = ApiError::new(status, r.code, r.message.clone());
    if let Some(f) = &r.field {
        e.fields = Some([(f.clone(), r.message.clone())].into());
    }
    let mut res = e.into_response();
    if let Some(s) = r.retry_after
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if let Some(c) = &r.call {
        call_header(&mut res, c.node, c.seq);
    }
    res
}

/// Queries a shared resource for the case being handled. Only the granted items come back; the
/// call is in the log (`X-Tongban-Call: NODE-SEQ`) before the answer leaves.
#[utoipa::path(post, path = "/exchange/v1/resources/{id}/query", tag = "exchange",
    params(("id" = String, Path, description = "资源代码")), request_body = Query,
    responses(
        (status = 200, body = Answer),
        (status = 400, body = crate::error::ErrorBody, description = "a parameter or the case number is missing or invalid"),
        (status = 401, body = crate::error::ErrorBody, description = "no or an invalid client-credentials token"),
        (status = 403, body = crate::error::ErrorBody, description = "grant_required, item_not_granted, purpose_mismatch, not_the_subject, not_a_data_system"),
        (status = 404, body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody, description = "the grant's daily quota is used; Retry-After"),
        (status = 502, body = crate::error::ErrorBody, description = "the provider's system is down, cut off or answered malformed data"),
        (status = 503, body = crate::error::ErrorBody, description = "not connected, or the call log is unavailable"),
        (status = 504, body = crate::error::ErrorBody, description = "the provider's system was too slow"),
    ),
    security(("client_credentials" = [])))]
pub(crate) async fn query(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(q): Json<Query>,
) -> Response {
    let answer = match bearer(&headers) {
        Some(token) => gateway::query(&s.app, token, &id, q).await,
        None => Err(Refusal::new(
            401,
            "unauthenticated",
            "请携带部门系统的访问令牌 (Authorization: Bearer, from the client-credentials grant)".into(),
        )),
    };
    // Calls the gateway logged are counted there, by resource and consumer; these were refused
    // before a token named an agency.
    if let Err(r) = &answer
        && r.call.is_none()
        && r.code != "log_unavailable"
    {
        metrics::counter!("exchange_calls_total", "resource" => "-", "consumer" => "-", "status" => r.status.to_string())
            .increment(1);
    }
    match answer {
        Ok(a) => {
            let (node, seq) = (a.call.node, a.call.seq);
            let mut res = axum::Json(a).into_response();
            call_header(&mut res, node, seq);
            res
        }
        Err(r) => refused(r),
    }
}
