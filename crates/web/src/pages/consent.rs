//! The OpenID Connect pages: the authorization request (log in first, then the consent screen
//! listing the claims the client receives) and RP-initiated logout.

use super::Frame;
use super::forms::{posted, see_other, signed_in, with_csrf};
use crate::AppState;
use crate::account_labels::AccountLabels;
use crate::extract::{FormPairs, QueryPairs};
use crate::session;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use tongban_app::oidc::{self, AuthorizeError, AuthorizeRequest};

pub fn routes() -> Router<AppState> {
    Router::new().route("/oauth/authorize", get(authorize).post(decide)).route("/oauth/logout", get(logout))
}

const PARAMS: [&str; 8] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
];

fn request(p: &QueryPairs) -> AuthorizeRequest {
    let v = |k: &str| p.first(k).unwrap_or("").to_owned();
    AuthorizeRequest {
        client_id: v("client_id"),
        redirect_uri: v("redirect_uri"),
        response_type: v("response_type"),
        scope: v("scope"),
        state: p.first("state").map(str::to_owned),
        nonce: p.first("nonce").map(str::to_owned),
        code_challenge: v("code_challenge"),
        code_challenge_method: v("code_challenge_method"),
        acr_values: p.first("acr_values").map(str::to_owned),
    }
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    client: String,
    claims: Vec<&'static str>,
    params: Vec<(&'static str, String)>,
    /// The level the client requires and the person's, when the person must step up first.
    step_up: Option<(&'static str, &'static str)>,
}

fn stopped(f: &Frame, e: AuthorizeError) -> Response {
    match e {
        AuthorizeError::Redirect(uri) => see_other(&uri),
        AuthorizeError::Page(e) => super::error_page(f, e),
    }
}

async fn authorize(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let req = request(&q);
    if let Err(e) = oidc::check_authorize(&s.app, &req).await {
        return stopped(&f, e);
    }
    // Log in first; the login page comes back here with the same request.
    let who = match signed_in(&s, &f, &headers, &uri).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    let consent = match oidc::consent(&s.app, &who, &req).await {
        Ok(c) => c,
        Err(e) => return stopped(&f, e),
    };
    let a = f.lang.account();
    let step_up = consent.step_up.map(|need| (a.level(&need), a.level(&who.assurance)));
    let claims = oidc::CLAIMS
        .iter()
        .zip(a.claim_names)
        .filter(|((_, scope), _)| consent.scopes.iter().any(|s| s == scope))
        .map(|(_, name)| name)
        .collect();
    let params = PARAMS.iter().filter_map(|k| q.first(k).map(|v| (*k, v.to_owned()))).collect();
    with_csrf(&f, &headers, |csrf| {
        f.respond(StatusCode::OK, &ConsentPage { f: &f, a, csrf, client: consent.client_name, claims, params, step_up })
    })
}

async fn decide(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match posted(&s, &f, &headers, &uri, &form).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    let req = request(&form);
    if form.first("decision") != Some("allow") {
        return match oidc::check_authorize(&s.app, &req).await {
            Ok(_) => see_other(&oidc::deny(&req)),
            Err(e) => stopped(&f, e),
        };
    }
    match oidc::approve(&s.app, &who, &req).await {
        Ok(to) => see_other(&to),
        Err(e) => stopped(&f, e),
    }
}

async fn logout(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = session::current(&s.app, &headers).await.ok().flatten();
    let to = match oidc::end_session(&s.app, who.as_ref(), q.first("client_id"), q.first("post_logout_redirect_uri"))
        .await
    {
        Ok(to) => to,
        Err(e) => return super::error_page(&f, e),
    };
    if let Some(who) = &who
        && let Err(e) = tongban_app::identity::logout(&s.app, who).await
    {
        return super::error_page(&f, e);
    }
    let mut res = see_other(&to);
    session::clear_session(&mut res, &headers);
    res
}
