//! Licence pages: the public verification page a QR code leads to (no login), the holder's
//! wallet (我的证照) and each licence's face with its history and uses.

use super::Frame;
use super::filters;
use super::forms::{FormErrors, see_other};
use super::forms::{Page, Req};
use crate::AppState;
use crate::extract::FormPairs;
use crate::extract::Path;
use crate::licence_labels::LicenceLabels;
use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tongban_app::AppError;
use tongban_app::licences::issue::{self, IssueReport};
use tongban_app::licences::uses::{self, UseView};
use tongban_app::licences::{self, LicenceEvent, Verification, WalletEntry};
use tongban_domain::identity::StaffRole;
use tongban_domain::licences::Licence;
use tongban_domain::licences::{LicenceStatus, SignedLicence};

/// The public page.
pub fn public_routes() -> Router<AppState> {
    Router::new().route("/verify/{id}", get(verify))
}

/// The holder's pages and the administration (never cached).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/licences", get(wallet))
        .route("/licences/{id}", get(face))
        .route("/licences/{id}/pdf", get(pdf))
        .route("/admin/licences", get(admin))
        .route("/admin/licences/import", post(import))
        .route("/admin/licences/status", post(change_status))
        .route("/admin/licences/renewal", post(renew))
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage<'a> {
    f: &'a Frame,
    l: &'static LicenceLabels,
    id: String,
    v: Option<Verification>,
}

async fn verify(r: Req, Path(id): Path<String>) -> Page {
    let l = r.f.lang.licences();
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
    l: &'static LicenceLabels,
    entries: Vec<WalletEntry>,
}

async fn wallet(r: Req) -> Page {
    let who = r.signed_in().await?;
    let entries = licences::wallet(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    Ok(r.respond(StatusCode::OK, &WalletPage { f: &r.f, l: r.f.lang.licences(), entries }))
}

#[derive(Template)]
#[template(path = "licence_face.html")]
struct FacePage<'a> {
    f: &'a Frame,
    l: &'static LicenceLabels,
    c: Licence,
    status_name: String,
    /// The face's other fields, by label.
    fields: Vec<(String, String)>,
    key_id: String,
    url: String,
    /// The QR code of `url`, as SVG.
    qr: String,
    /// The rating's QR code and address, when the licence came of a case.
    rate: Option<(String, String)>,
    history: Vec<LicenceEvent>,
    uses: Vec<UseView>,
}

/// A licence of the signed-in holder, its verification and its public verification address.
async fn holders(r: &Req, id: &str) -> Result<(SignedLicence, Verification, String), Response> {
    let who = r.signed_in().await?;
    let sealed = licences::export(&r.s.app, &who, id).await.map_err(|e| r.error(e))?;
    let v = licences::verification(&r.s.app, id).await.map_err(|e| r.error(e))?;
    let url = format!("{}/verify/{}", r.s.public_url(), sealed.licence.id);
    Ok((sealed, v, url))
}

/// The licence's face (照面), to its holder: the fields, the issuer's seal and a QR code of the
/// public verification address; print-friendly; with its history and uses.
async fn face(r: Req, Path(id): Path<String>) -> Page {
    let (sealed, v, url) = holders(&r, &id).await?;
    let who = r.signed_in().await?;
    let qr = super::qr_svg(&url).map_err(|e| r.error(e))?;
    // The rating's QR code (好差评), when the licence came of a case.
    let rate = match licences::case_of(&r.s.app, &who, &id).await.map_err(|e| r.error(e))? {
        Some(n) => {
            let to = format!("{}/cases/{n}/rating", r.s.public_url());
            Some((super::qr_svg(&to).map_err(|e| r.error(e))?, to))
        }
        None => None,
    };
    let fields = sealed.licence.face_fields();
    let history = licences::history(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
    let uses = uses::uses_of_licence(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
    let page = FacePage {
        f: &r.f,
        l: r.f.lang.licences(),
        status_name: v.status_name,
        fields,
        key_id: sealed.seal.key_id,
        url,
        qr,
        rate,
        c: sealed.licence,
        history,
        uses,
    };
    Ok(r.respond(StatusCode::OK, &page))
}

/// The face as a PDF (CJK font embedded), to its holder.
async fn pdf(r: Req, Path(id): Path<String>) -> Page {
    let (sealed, v, url) = holders(&r, &id).await?;
    let c = &sealed.licence;
    // An organization's licence shows its name and credit code, as the verification page does.
    let l = r.f.lang.licences();
    let mut fields = if c.holder_code_type == tongban_domain::licences::HOLDER_ORGANIZATION {
        vec![(l.holder_subject.to_owned(), c.holder_name.clone()), (l.credit_code.to_owned(), c.holder_code.clone())]
    } else {
        vec![(l.licence_holder.to_owned(), c.holder_name.clone())]
    };
    fields.extend(c.face_fields());
    let valid_to = c.valid_to.map_or_else(|| r.f.lang.licences().long_term.to_owned(), |d| d.to_string());
    fields.push((r.f.lang.licences().valid_period.to_owned(), format!("{} – {valid_to}", c.valid_from)));
    fields.push((r.f.lang.licences().issuer.to_owned(), c.issuer_name.clone()));
    let number = c.number.clone();
    let font_path = r.s.config.pdf_font.clone();
    // Reading the font and subsetting it are blocking work: off the request's thread.
    let rendered = tokio::task::spawn_blocking(move || {
        let face = crate::licence_pdf::Face {
            licence: &sealed.licence,
            status_name: &v.status_name,
            fields: &fields,
            key_id: &sealed.seal.key_id,
            url: &url,
        };
        crate::licence_pdf::font(font_path.as_deref()).and_then(|font| crate::licence_pdf::render(&face, font))
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    let bytes = rendered.map_err(|e| r.error(AppError::Internal(e)))?;
    let name = format!("attachment; filename=\"{number}.pdf\"");
    Ok(([(header::CONTENT_TYPE, "application/pdf".to_owned()), (header::CONTENT_DISPOSITION, name)], bytes)
        .into_response())
}

#[derive(Template)]
#[template(path = "licence_admin.html")]
struct AdminPage<'a> {
    f: &'a Frame,
    l: &'static LicenceLabels,
    csrf: String,
    notice: Option<String>,
    errors: FormErrors,
    report: Option<IssueReport>,
    lines: String,
    /// The statuses an administrator sets: (code, name).
    statuses: Vec<(&'static str, &'static str)>,
}

/// Who sees the administration page: the staff who issue, renew or change licences (each action
/// is checked again against the licence's issuing agency).
async fn administrator(r: &Req) -> Result<tongban_app::access::Principal, axum::response::Response> {
    let who = r.signed_in().await?;
    let roles = tongban_app::access::roles(&r.s.app, &who.person_id).await.map_err(|e| r.error(e))?;
    let allowed = [StaffRole::PlatformAdmin, StaffRole::AgencyAdmin, StaffRole::Approver];
    if who.acting.is_some() || !roles.iter().any(|a| allowed.contains(&a.role)) {
        return Err(r.error(AppError::Forbidden));
    }
    Ok(who)
}

fn render_admin(
    r: &Req,
    status: StatusCode,
    notice: Option<String>,
    errors: FormErrors,
    report: Option<IssueReport>,
    lines: String,
) -> axum::response::Response {
    use LicenceStatus as S;
    let statuses = licences::SETTABLE
        .into_iter()
        .map(|s| (s.code(), if s == S::Valid { "发还 (有效)" } else { s.name_zh() }))
        .collect();
    r.with_csrf(|csrf| {
        let p = AdminPage { f: &r.f, l: r.f.lang.licences(), csrf, notice, errors, report, lines, statuses };
        r.respond(status, &p)
    })
}

async fn admin(r: Req) -> Page {
    administrator(&r).await?;
    let l = r.f.lang.licences();
    let notice = match r.q.first("done") {
        Some("status") => Some(l.status_changed.to_owned()),
        _ => None,
    };
    Ok(render_admin(&r, StatusCode::OK, notice, vec![], None, String::new()))
}

/// Imports the posted lines and shows the report (what was issued, each line refused).
async fn import(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    administrator(&r).await?;
    let lines = form.first("lines").unwrap_or("").to_owned();
    match issue::import(&r.s.app, &who, &lines).await {
        Ok(report) => Ok(render_admin(&r, StatusCode::OK, None, vec![], Some(report), String::new())),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            Ok(render_admin(&r, status, None, errors, None, lines))
        }
    }
}

async fn change_status(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let id = form.first("licence_id").unwrap_or("").trim();
    let to = LicenceStatus::parse(form.first("status").unwrap_or("")).unwrap_or(LicenceStatus::Other);
    match licences::change_status(&r.s.app, &who, id, to, form.first("reason").unwrap_or("")).await {
        Ok(_) => Ok(see_other("/admin/licences?done=status")),
        Err(AppError::NotFound { .. }) => {
            let errors = vec![("licence_id".into(), r.f.lang.licences().no_such_licence.to_owned())];
            Ok(render_admin(&r, StatusCode::NOT_FOUND, None, errors, None, String::new()))
        }
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            Ok(render_admin(&r, status, None, errors, None, String::new()))
        }
    }
}

async fn renew(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let id = form.first("licence_id").unwrap_or("").trim();
    let valid_to = match form.first("valid_to").map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                let errors = vec![("valid_to".into(), "日期格式应为 YYYY-MM-DD (a date, YYYY-MM-DD)".into())];
                return Ok(render_admin(&r, StatusCode::BAD_REQUEST, None, errors, None, String::new()));
            }
        },
    };
    match issue::renew(&r.s.app, &who, id, valid_to, form.first("reason").unwrap_or("")).await {
        Ok(new_id) => {
            let notice = format!("{}{new_id}", r.f.lang.licences().renewed_notice);
            Ok(render_admin(&r, StatusCode::OK, Some(notice), vec![], None, String::new()))
        }
        Err(AppError::NotFound { .. }) => {
            let errors = vec![("licence_id".into(), r.f.lang.licences().no_such_licence.to_owned())];
            Ok(render_admin(&r, StatusCode::NOT_FOUND, None, errors, None, String::new()))
        }
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            Ok(render_admin(&r, status, None, errors, None, String::new()))
        }
    }
}
