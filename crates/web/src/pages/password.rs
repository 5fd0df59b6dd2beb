//! A forgotten password: a code texted to the account's registered phone, then a new password.
//! The first step answers alike whether or not the account exists.

use super::Frame;
use super::forms::{csrf_refused, errors_of, see_other, with_csrf};
use crate::AppState;
use crate::account_labels::AccountLabels;
use crate::extract::{FormPairs, QueryPairs};
use crate::session::{self, Peer};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use tongban_app::identity;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(forgot_form).post(forgot))
        .route("/password/reset", get(reset_form).post(reset))
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    identifier: String,
    errors: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    identifier: String,
    errors: Vec<(String, String)>,
}

async fn forgot_form(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let a = f.lang.account();
    with_csrf(&f, &headers, |csrf| {
        f.respond(StatusCode::OK, &ForgotPage { f: &f, a, csrf, identifier: String::new(), errors: vec![] })
    })
}

async fn forgot(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    peer: Peer,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let a = f.lang.account();
    if !session::csrf_ok(&headers, form.first("csrf")) {
        return csrf_refused(&f);
    }
    let identifier = form.first("identifier").unwrap_or("").trim().to_owned();
    match identity::request_password_reset(&s.app, &identifier, &session::client(&headers, &peer)).await {
        // The reset form follows at once, not by a redirect: the number stays out of URLs,
        // browser history and request logs.
        Ok(()) => {
            let csrf = form.first("csrf").unwrap_or("").to_owned();
            f.respond(StatusCode::OK, &ResetPage { f: &f, a, csrf, identifier, errors: vec![] })
        }
        Err(e) => match errors_of(e) {
            Ok((status, errors)) => {
                let csrf = form.first("csrf").unwrap_or("").to_owned();
                f.respond(status, &ForgotPage { f: &f, a, csrf, identifier, errors })
            }
            Err(e) => super::error_page(&f, e),
        },
    }
}

async fn reset_form(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let a = f.lang.account();
    with_csrf(&f, &headers, |csrf| {
        f.respond(StatusCode::OK, &ResetPage { f: &f, a, csrf, identifier: String::new(), errors: vec![] })
    })
}

async fn reset(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    peer: Peer,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let a = f.lang.account();
    if !session::csrf_ok(&headers, form.first("csrf")) {
        return csrf_refused(&f);
    }
    let value = |k: &str| form.first(k).unwrap_or("").to_owned();
    let mut page = ResetPage { f: &f, a, csrf: value("csrf"), identifier: value("identifier"), errors: vec![] };
    let password = value("password");
    if password != value("password_confirm") {
        page.errors.push(("password_confirm".into(), a.password_mismatch.into()));
        return f.respond(StatusCode::BAD_REQUEST, &page);
    }
    let client = session::client(&headers, &peer);
    match identity::reset_password(&s.app, &page.identifier, &value("code"), &password, &client).await {
        Ok(()) => {
            let mut res = see_other("/login?reset=1");
            session::clear_session(&mut res, &headers);
            res
        }
        Err(e) => match errors_of(e) {
            Ok((status, errors)) => {
                page.errors = errors;
                f.respond(status, &page)
            }
            Err(e) => super::error_page(&f, e),
        },
    }
}
