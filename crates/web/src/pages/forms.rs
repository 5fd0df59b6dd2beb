//! What every form page shares: the CSRF token of the page, the check of a post, the signed-in
//! person, the redirect after a post, and the errors a form shows again.

use super::Frame;
use crate::AppState;
use crate::extract::QueryPairs;
use crate::session::{self, Csrf};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tongban_app::AppError;
use tongban_app::identity::Principal;

pub fn see_other(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

/// The page of a form that failed CSRF: 403, nothing done.
pub fn csrf_refused(f: &Frame) -> Response {
    super::error_page_with(f, StatusCode::FORBIDDEN, f.lang.account().csrf_failed)
}

/// The errors a form shows again, with the status; other errors go to an error page.
pub fn errors_of(e: AppError) -> Result<(StatusCode, Vec<(String, String)>), AppError> {
    let status = crate::error::status_of(&e);
    match e {
        AppError::Validation { fields } => Ok((status, fields.into_iter().collect())),
        AppError::Conflict { field, message } => Ok((status, vec![(field.to_owned(), message)])),
        e @ (AppError::LoginFailed
        | AppError::SecondFactorRequired
        | AppError::Locked { .. }
        | AppError::RateLimited) => Ok((status, vec![(String::new(), e.to_string())])),
        e => Err(e),
    }
}

/// The signed-in person, or the response that sends them to log in first.
pub async fn signed_in(s: &AppState, f: &Frame, headers: &HeaderMap, uri: &Uri) -> Result<Principal, Response> {
    match session::current(&s.app, headers).await {
        Ok(Some(who)) => Ok(who),
        Ok(None) => {
            let back = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
            let next: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
            Err(see_other(&format!("/login?next={next}")))
        }
        Err(e) => Err(super::error_page(f, e)),
    }
}

/// A form post of a signed-in person: the CSRF check, then the person (or the response that
/// refuses the post or sends them to log in).
pub async fn posted(
    s: &AppState,
    f: &Frame,
    headers: &HeaderMap,
    uri: &Uri,
    form: &QueryPairs,
) -> Result<Principal, Response> {
    if !session::csrf_ok(headers, form.first("csrf")) {
        return Err(csrf_refused(f));
    }
    signed_in(s, f, headers, uri).await
}

/// Renders a form page with this browser's CSRF token, setting its cookie if it is new.
pub fn with_csrf(f: &Frame, headers: &HeaderMap, page: impl FnOnce(String) -> Response) -> Response {
    match Csrf::of(headers) {
        Ok(csrf) => {
            let mut res = page(csrf.token.clone());
            csrf.remember(&mut res, headers);
            res
        }
        Err(e) => super::error_page(f, e),
    }
}
