//! The OpenID Connect pages: the authorization request (log in first, then the consent screen
//! listing the claims the client receives) and RP-initiated logout.

use super::Frame;
use super::forms::{Page, Req, see_other};
use crate::AppState;
use crate::account_labels::AccountLabels;
use crate::extract::{FormPairs, QueryPairs};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use tongban_app::access::Principal;
use tongban_app::oidc::{self, AuthorizeError, AuthorizeRequest};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth/authorize", get(authorize).post(decide))
        .route("/oauth/logout", get(logout).post(logout_confirmed))
}

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
    /// The whole request, sealed: the answer carries it (`oidc::seal_request`).
    request: String,
    /// The level the client requires and the person's, when the person must step up first.
    step_up: Option<(&'static str, &'static str)>,
}

/// A request that stops: back to the client's redirect URI, or an error page.
fn stopped(r: &Req, e: AuthorizeError) -> Response {
    match e {
        AuthorizeError::Redirect(uri) => see_other(&uri),
        AuthorizeError::Page(e) => r.error(e),
    }
}

async fn authorize(r: Req) -> Page {
    let req = request(&r.q);
    oidc::check_authorize(&r.s.app, &req).await.map_err(|e| stopped(&r, e))?;
    // Log in first; the login page comes back here with the same request.
    let who = r.signed_in().await?;
    let consent = oidc::consent(&r.s.app, &who, &req).await.map_err(|e| stopped(&r, e))?;
    let a = r.labels();
    let step_up = consent.step_up.map(|need| (a.level(&need), a.level(&who.assurance)));
    let claims = oidc::CLAIMS
        .iter()
        .zip(a.claim_names)
        .filter(|((_, scope), _)| consent.scopes.iter().any(|s| s == scope))
        .map(|(_, name)| name)
        .collect();
    let request = oidc::seal_request(&r.s.app, &who, &req).map_err(|e| r.error(e))?;
    Ok(r.with_csrf(|csrf| {
        let page = ConsentPage { f: &r.f, a, csrf, client: consent.client_name, claims, request, step_up };
        r.respond(StatusCode::OK, &page)
    }))
}

async fn decide(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let req = oidc::open_request(&r.s.app, &who, form.first("request").unwrap_or_default()).map_err(|e| r.error(e))?;
    let to = if form.first("decision") == Some("allow") {
        oidc::approve(&r.s.app, &who, &req).await
    } else {
        oidc::check_authorize(&r.s.app, &req).await.map(|_| oidc::deny(&req))
    };
    Ok(see_other(&to.map_err(|e| stopped(&r, e))?))
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    client_id: Option<String>,
    back: Option<String>,
}

/// RP-initiated logout. A request carrying an ID token this platform issued to the signed-in
/// person (`id_token_hint`) logs out at once; any other — another site's link, say — asks first.
async fn logout(r: Req) -> Page {
    let who = crate::session::current(&r.s, &r.headers).await.map_err(|e| r.error(e))?;
    let (client, back) = (r.q.first("client_id"), r.q.first("post_logout_redirect_uri"));
    if let Some(who) = &who {
        let hinted = match r.q.first("id_token_hint") {
            Some(hint) => oidc::hint_names(&r.s.app, who, hint).await.map_err(|e| r.error(e))?,
            None => false,
        };
        if !hinted {
            let (client_id, back) = (client.map(str::to_owned), back.map(str::to_owned));
            return Ok(r.with_csrf(|csrf| {
                let page = LogoutPage { f: &r.f, a: r.labels(), csrf, client_id, back };
                r.respond(StatusCode::OK, &page)
            }));
        }
    }
    end_session(&r, who.as_ref(), client, back).await
}

/// The person confirmed the logout.
async fn logout_confirmed(r: Req, FormPairs(form): FormPairs) -> Page {
    r.check_csrf(&form)?;
    let who = crate::session::current(&r.s, &r.headers).await.map_err(|e| r.error(e))?;
    end_session(&r, who.as_ref(), form.first("client_id"), form.first("post_logout_redirect_uri")).await
}

async fn end_session(r: &Req, who: Option<&Principal>, client: Option<&str>, back: Option<&str>) -> Page {
    let to = oidc::end_session(&r.s.app, who, client, back).await.map_err(|e| r.error(e))?;
    if let Some(who) = who {
        tongban_app::identity::logout(&r.s.app, who).await.map_err(|e| r.error(e))?;
    }
    Ok(r.see_other_without_session(&to))
}
