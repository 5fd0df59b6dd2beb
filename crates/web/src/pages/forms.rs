//! What every form page shares. `Req` carries what a page handler reads from its request (the
//! state, the page's frame, the query, the headers, the peer) and does the checks every form
//! needs: the CSRF token of a post, the signed-in person, the errors a form shows again. Handlers
//! answer `Page`: `Err` is a response that stops them early (log in first, 403, an error page).

// The `Err` of these results is the HTTP response itself, sent as soon as it is returned: boxing
// it would only add an allocation.
#![allow(clippy::result_large_err)]

use super::Frame;
use crate::AppState;
use crate::account_labels::AccountLabels;
use crate::extract::QueryPairs;
use crate::session::{self, Csrf, Peer};
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::header::LOCATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tongban_app::AppError;
use tongban_app::access::Principal;
use tongban_app::identity::Client;

/// A page handler's answer.
pub type Page = Result<Response, Response>;

/// Errors a form shows again next to its fields.
pub type FormErrors = Vec<(String, String)>;

pub struct Req {
    pub s: AppState,
    pub f: Frame,
    pub q: QueryPairs,
    pub headers: HeaderMap,
    uri: Uri,
    peer: Peer,
    /// The signed-in person, looked up once per request.
    who: Option<Principal>,
}

impl FromRequestParts<AppState> for Req {
    type Rejection = crate::ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, crate::ApiError> {
        let q = QueryPairs::from_request_parts(parts, state).await?;
        let Ok(peer) = Peer::from_request_parts(parts, state).await;
        let mut f = Frame::new(state, &parts.uri, &q, &parts.headers);
        // A failed lookup reads as signed out here; the pages that need the person say why.
        let who = session::current(state, &parts.headers).await.ok().flatten();
        if let Some(who) = &who {
            f.user = Some(super::HeaderUser::of(state, who).await);
        }
        Ok(Self { s: state.clone(), f, q, headers: parts.headers.clone(), uri: parts.uri.clone(), peer, who })
    }
}

impl Req {
    pub fn labels(&self) -> &'static AccountLabels {
        self.f.lang.account()
    }

    pub fn respond(&self, status: StatusCode, page: &impl Template) -> Response {
        self.f.respond(status, page)
    }

    /// An application error as a page.
    pub fn error(&self, e: AppError) -> Response {
        super::error_page(&self.f, e)
    }

    /// The errors a form shows again, with the status; any other error stops with an error page.
    pub fn form_errors(&self, e: AppError) -> Result<(StatusCode, FormErrors), Response> {
        let status = crate::error::status_of(&e);
        let errors = match e {
            AppError::Validation { fields } => fields.into_iter().collect(),
            AppError::Conflict { field, message } | AppError::TooLarge { field, message } => {
                vec![(field.to_owned(), message)]
            }
            e @ (AppError::LoginFailed
            | AppError::SecondFactorRequired
            | AppError::Locked { .. }
            | AppError::RateLimited) => vec![(String::new(), e.to_string())],
            e => return Err(self.error(e)),
        };
        let lang = self.f.lang;
        Ok((status, errors.into_iter().map(|(field, m)| (field, crate::i18n::in_lang(&m, lang))).collect()))
    }

    /// The post carries this browser's CSRF token; 403 with nothing done otherwise.
    pub fn check_csrf(&self, form: &QueryPairs) -> Result<(), Response> {
        if session::csrf_ok(&self.s, &self.headers, form.first("csrf")) {
            Ok(())
        } else {
            Err(super::error_page_with(&self.f, StatusCode::FORBIDDEN, self.labels().csrf_failed))
        }
    }

    /// The signed-in person, or the response that sends them to log in and back here.
    pub async fn signed_in(&self) -> Result<Principal, Response> {
        if let Some(who) = &self.who {
            return Ok(who.clone());
        }
        match session::current(&self.s, &self.headers).await {
            Ok(Some(who)) => Ok(who),
            Ok(None) => {
                let back = self.uri.path_and_query().map_or(self.uri.path(), |p| p.as_str());
                let next: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
                Err(see_other(&format!("/login?next={next}")))
            }
            Err(e) => Err(self.error(e)),
        }
    }

    /// A form post of a signed-in person: the CSRF check, then the person.
    pub async fn posted(&self, form: &QueryPairs) -> Result<Principal, Response> {
        self.check_csrf(form)?;
        self.signed_in().await
    }

    /// Renders a form page with this browser's CSRF token, setting its cookie if it is new.
    pub fn with_csrf(&self, page: impl FnOnce(String) -> Response) -> Response {
        match Csrf::of(&self.s, &self.headers) {
            Ok(csrf) => {
                let mut res = page(csrf.token.clone());
                csrf.remember(&self.s, &mut res);
                res
            }
            Err(e) => self.error(e),
        }
    }

    /// The request's id (set by the middleware), for the audit trail.
    pub fn request_id(&self) -> String {
        self.headers.get(crate::middleware::REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned()
    }

    /// Where the request comes from, for sessions and throttling.
    pub fn client(&self) -> Client {
        session::client(&self.headers, &self.peer)
    }

    /// A redirect that also starts (or replaces) the browser's session.
    pub fn see_other_with_session(&self, to: &str, token: &str) -> Response {
        let mut res = see_other(to);
        session::set_session(&self.s, &mut res, token);
        res
    }

    /// A redirect that also ends the browser's session.
    pub fn see_other_without_session(&self, to: &str) -> Response {
        let mut res = see_other(to);
        session::clear_session(&self.s, &mut res);
        res
    }
}

/// 303 See Other to `to`.
pub fn see_other(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

/// The value of a form field, empty when absent.
pub fn field(form: &QueryPairs, key: &str) -> String {
    form.first(key).unwrap_or("").to_owned()
}
