//! The OpenID Connect provider's HTTP endpoints: discovery, the JWKS, and the token endpoint
//! (so far the client-credentials grant). Errors follow RFC 6749 §5.2 (`{"error", "error_description"}`),
//! not the platform's API error shape, because OAuth client libraries expect them.

use crate::AppState;
use crate::extract::FormPairs;
use axum::Router;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use tongban_app::oidc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/oauth/jwks", get(jwks))
        .route("/oauth/token", post(token))
        .route("/oauth/userinfo", get(userinfo).post(userinfo))
}

async fn discovery(State(s): State<AppState>) -> Response {
    axum::Json(oidc::discovery(s.public_url())).into_response()
}

async fn jwks(State(s): State<AppState>) -> Response {
    match oidc::jwks(&s.app) {
        Ok(keys) => axum::Json(keys).into_response(),
        Err(e) => crate::ApiError::from(e).into_response(),
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description });
    let mut res = (status, axum::Json(body)).into_response();
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"tongban\""));
    }
    res
}

/// The client's id and secret: HTTP Basic (client_secret_basic) or the form (client_secret_post).
fn credentials(headers: &HeaderMap, form: &crate::extract::QueryPairs) -> Option<(String, String)> {
    if let Some(basic) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = base64::engine::general_purpose::STANDARD.decode(basic.trim()).ok()?;
        let (id, secret) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
        // A NUL is no client's id or secret (and PostgreSQL refuses it): no credentials.
        let unescape = |s: &str| {
            form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .filter(|v| !v.contains('\0'))
        };
        return Some((unescape(id)?, unescape(secret)?));
    }
    Some((form.first("client_id")?.to_owned(), form.first("client_secret")?.to_owned()))
}

fn json_no_store(body: impl serde::Serialize) -> Response {
    let mut res = axum::Json(body).into_response();
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn token_error(e: Result<oidc::TokenError, tongban_app::AppError>) -> Response {
    match e {
        Ok(e) => {
            let status = if e.error == "invalid_client" { StatusCode::UNAUTHORIZED } else { StatusCode::BAD_REQUEST };
            oauth_error(status, e.error, e.description)
        }
        Err(e) => crate::ApiError::from(e).into_response(),
    }
}

async fn token(State(s): State<AppState>, headers: HeaderMap, FormPairs(form): FormPairs) -> Response {
    let grant = form.first("grant_type");
    if !matches!(grant, Some("client_credentials" | "authorization_code" | "refresh_token")) {
        return match grant {
            None => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is required"),
            Some(_) => oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "supported: authorization_code, refresh_token, client_credentials",
            ),
        };
    }
    let Some((id, secret)) = credentials(&headers, &form) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client authentication is required");
    };
    let issuer = s.public_url().to_owned();
    let value = |k: &str| form.first(k).unwrap_or("");
    let answer = match grant {
        Some("authorization_code") => {
            let (code, redirect_uri, verifier) = (value("code"), value("redirect_uri"), value("code_verifier"));
            oidc::exchange_code(&s.app, &issuer, (&id, &secret), code, redirect_uri, verifier).await.map(json_no_store)
        }
        Some("refresh_token") => {
            oidc::refresh(&s.app, &issuer, (&id, &secret), value("refresh_token")).await.map(json_no_store)
        }
        _ => oidc::client_credentials(&s.app, &issuer, &id, &secret, form.first("scope")).await.map(json_no_store),
    };
    answer.unwrap_or_else(token_error)
}

async fn userinfo(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let bearer = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let refused = || {
        let mut res = oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", "a valid access token is required");
        res.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
        res
    };
    let Some(token) = bearer else { return refused() };
    match oidc::userinfo(&s.app, token.trim()).await {
        Ok(claims) => json_no_store(claims),
        Err(tongban_app::AppError::Unauthenticated) => refused(),
        Err(e) => crate::ApiError::from(e).into_response(),
    }
}
