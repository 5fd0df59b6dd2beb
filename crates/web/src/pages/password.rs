//! A forgotten password: a code texted to the account's registered phone, then a new password.
//! The first step answers alike whether or not the account exists.

use super::Frame;
use super::forms::{FormErrors, Page, Req, field};
use crate::AppState;
use crate::account_labels::AccountLabels;
use crate::extract::FormPairs;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
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
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    identifier: String,
    errors: FormErrors,
}

async fn forgot_form(r: Req) -> Response {
    r.with_csrf(|csrf| {
        let page = ForgotPage { f: &r.f, a: r.labels(), csrf, identifier: String::new(), errors: vec![] };
        r.respond(StatusCode::OK, &page)
    })
}

async fn forgot(r: Req, FormPairs(form): FormPairs) -> Page {
    r.check_csrf(&form)?;
    let (a, csrf) = (r.labels(), field(&form, "csrf"));
    let identifier = field(&form, "identifier").trim().to_owned();
    match identity::request_password_reset(&r.s.app, &identifier, &r.client()).await {
        // The reset form follows at once, not by a redirect: the number stays out of URLs,
        // browser history and request logs.
        Ok(()) => Ok(r.respond(StatusCode::OK, &ResetPage { f: &r.f, a, csrf, identifier, errors: vec![] })),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            Ok(r.respond(status, &ForgotPage { f: &r.f, a, csrf, identifier, errors }))
        }
    }
}

async fn reset_form(r: Req) -> Response {
    r.with_csrf(|csrf| {
        let page = ResetPage { f: &r.f, a: r.labels(), csrf, identifier: String::new(), errors: vec![] };
        r.respond(StatusCode::OK, &page)
    })
}

async fn reset(r: Req, FormPairs(form): FormPairs) -> Page {
    r.check_csrf(&form)?;
    let a = r.labels();
    let value = |k: &str| field(&form, k);
    let mut page = ResetPage { f: &r.f, a, csrf: value("csrf"), identifier: value("identifier"), errors: vec![] };
    let password = value("password");
    if password != value("password_confirm") {
        page.errors.push(("password_confirm".into(), a.password_mismatch.into()));
        return Ok(r.respond(StatusCode::BAD_REQUEST, &page));
    }
    match identity::reset_password(&r.s.app, &page.identifier, &value("code"), &password, &r.client()).await {
        Ok(()) => Ok(r.see_other_without_session("/login?reset=1")),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            page.errors = errors;
            Ok(r.respond(status, &page))
        }
    }
}
