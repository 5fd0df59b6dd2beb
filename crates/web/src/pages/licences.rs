//! Licence pages: the public verification page a QR code leads to (no login), the holder's
//! wallet (我的证照) and each licence's face with its history and uses.

use super::Frame;
use super::forms::{Page, Req};
use crate::AppState;
use crate::case_labels::CaseLabels;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use qrcode::QrCode;
use tongban_app::AppError;
use tongban_app::licences::uses::{self, UseView};
use tongban_app::licences::{self, LicenceEvent, Verification, WalletEntry};
use tongban_domain::licences::Licence;

/// The public page.
pub fn public_routes() -> Router<AppState> {
    Router::new().route("/verify/{id}", get(verify))
}

/// The holder's pages (never cached).
pub fn routes() -> Router<AppState> {
    Router::new().route("/licences", get(wallet)).route("/licences/{id}", get(face))
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
    let (status, v) = match licences::public_verification(&r.s.app, &r.client().address, &id).await {
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

#[derive(Template)]
#[template(path = "licence_face.html")]
struct FacePage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    c: Licence,
    status_name: String,
    /// The face's other fields, by label.
    fields: Vec<(String, String)>,
    key_id: String,
    url: String,
    /// The QR code of `url`, as SVG.
    qr: String,
    history: Vec<LicenceEvent>,
    uses: Vec<UseView>,
}

/// A licence's other fields (its extension), by label, for its face.
pub fn face_fields(c: &Licence) -> Vec<(String, String)> {
    match &c.extension {
        serde_json::Value::Object(m) => {
            m.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned))).collect()
        }
        _ => Vec::new(),
    }
}

/// The licence's face (照面), to its holder: the fields, the issuer's seal and a QR code of the
/// public verification address; print-friendly.
async fn face(r: Req, Path(id): Path<String>, headers: HeaderMap) -> Page {
    let who = r.signed_in().await?;
    let sealed = licences::export(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
    let v = licences::verification(&r.s.app, &id).await.map_err(|e| r.error(e))?;
    let url = format!("{}/verify/{}", crate::public_url(&r.s, &headers).trim_end_matches('/'), sealed.licence.id);
    let qr = QrCode::new(url.as_bytes())
        .map_err(|e| r.error(AppError::internal(e)))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .build();
    // Inline: without the XML declaration, and the SVG itself hidden from the accessibility tree
    // (its container is the image with a text alternative).
    let svg = &qr[qr.find("<svg").unwrap_or(0)..];
    let qr = svg.replacen("<svg", "<svg aria-hidden=\"true\" focusable=\"false\"", 1);
    let fields = face_fields(&sealed.licence);
    let history = licences::history(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
    let uses = uses::uses_of_licence(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
    let page = FacePage {
        f: &r.f,
        l: r.f.lang.cases(),
        status_name: v.status_name,
        fields,
        key_id: sealed.seal.key_id,
        url,
        qr,
        c: sealed.licence,
        history,
        uses,
    };
    Ok(r.respond(StatusCode::OK, &page))
}
