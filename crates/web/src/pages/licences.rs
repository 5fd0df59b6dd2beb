//! Licence pages: the public verification page a QR code leads to (no login) and the holder's
//! wallet (我的证照).

use super::Frame;
use super::forms::{Page, Req};
use crate::AppState;
use crate::case_labels::CaseLabels;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use tongban_app::AppError;
use tongban_app::licences::{self, Verification, WalletEntry};

/// The public page.
pub fn public_routes() -> Router<AppState> {
    Router::new().route("/verify/{id}", get(verify))
}

/// The holder's pages (never cached).
pub fn routes() -> Router<AppState> {
    Router::new().route("/licences", get(wallet))
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    id: String,
    v: Option<Verification>,
}

async fn verify(r: Req, Path(id): Path<String>) -> Page {
    let l = r.f.lang.cases();
    let (status, v) = match licences::verification(&r.s.app, &id).await {
        Ok(v) => (StatusCode::OK, Some(v)),
        Err(AppError::NotFound { .. }) => (StatusCode::NOT_FOUND, None),
        Err(e) => return Err(r.error(e)),
    };
    Ok(r.respond(status, &VerifyPage { f: &r.f, l, id, v }))
}

#[derive(Template)]
#[template(path = "wallet.html")]
struct WalletPage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    entries: Vec<WalletEntry>,
}

async fn wallet(r: Req) -> Page {
    let who = r.signed_in().await?;
    let entries = licences::wallet(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    Ok(r.respond(StatusCode::OK, &WalletPage { f: &r.f, l: r.f.lang.cases(), entries }))
}
