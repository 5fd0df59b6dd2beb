//! The materials page of an application: what the guide asks for, the files uploaded for each
//! (download, remove) and an upload form per material the applicant provides; and the download
//! of a file for its applicant or the staff handling the case. Forms are multipart, without
//! JavaScript.

use super::Frame;
use super::forms::{Page, Req, see_other};
use crate::AppState;
use crate::api::materials::{file_response, read_upload};
use crate::case_labels::CaseLabels;
use crate::extract::{FormPairs, QueryPairs};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path};
use axum::http::StatusCode;
use axum::routing::{get, post};
use tongban_app::cases::{self, ApplicationView};
use tongban_app::materials::{self, MaterialNeed};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/applications/{id}/materials", get(page).post(upload))
        .route("/applications/{id}/materials/{file_id}", get(download))
        .route("/applications/{id}/materials/{file_id}/remove", post(remove))
        .layer(DefaultBodyLimit::max(tongban_domain::materials::MAX_BYTES + 64 * 1024))
}

/// One material as the pages show it.
pub struct MaterialLine {
    pub index: usize,
    pub name: String,
    pub required: bool,
    pub condition: Option<String>,
    /// Why no upload is asked, for materials that come from elsewhere.
    pub not_asked: Option<&'static str>,
    /// (file id, file name, size in KiB).
    pub files: Vec<(String, String, String)>,
}

pub fn material_lines(l: &CaseLabels, needs: &[MaterialNeed]) -> Vec<MaterialLine> {
    needs
        .iter()
        .enumerate()
        .map(|(index, n)| MaterialLine {
            index,
            name: n.name.clone(),
            required: n.required,
            condition: n.condition.clone(),
            not_asked: match n.source.as_str() {
                "licence" => Some(l.from_licence),
                "shared" => Some(l.from_shared),
                "exempt" => Some(l.exempt),
                _ => None,
            },
            files: n
                .files
                .iter()
                .map(|f| (f.id.clone(), f.file_name.clone(), format!("{:.1} KiB", f.size as f64 / 1024.0)))
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "application_materials.html")]
struct MaterialsPage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    csrf: String,
    id: String,
    offering_name: String,
    lines: Vec<MaterialLine>,
    last_page: usize,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

async fn render(
    r: &Req,
    v: ApplicationView,
    sections: usize,
    status: StatusCode,
    errors: Vec<(String, String)>,
) -> Page {
    if let Some(n) = &v.case_number {
        return Ok(see_other(&format!("/cases/{n}")));
    }
    let l = r.f.lang.cases();
    let notice = match r.q.first("done") {
        Some("uploaded") => Some(l.uploaded),
        Some("removed") => Some(l.removed),
        _ => None,
    };
    Ok(r.with_csrf(|csrf| {
        let p = MaterialsPage {
            f: &r.f,
            l,
            csrf,
            id: v.id.clone(),
            offering_name: v.offering_name.clone(),
            lines: material_lines(l, &v.materials),
            last_page: sections.max(1),
            notice,
            errors,
        };
        r.respond(status, &p)
    }))
}

async fn page(r: Req, Path(id): Path<String>) -> Page {
    let who = r.signed_in().await?;
    let (v, form) = cases::application_with_form(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
    render(&r, v, form.sections.len(), StatusCode::OK, vec![]).await
}

async fn upload(r: Req, Path(id): Path<String>, form: Multipart) -> Page {
    let upload = read_upload(form).await;
    // The CSRF token travels in the multipart body.
    let token: Vec<(String, String)> = match &upload {
        Ok((_, _, _, other)) => other.iter().filter(|(k, _)| k == "csrf").cloned().collect(),
        Err(_) => vec![],
    };
    let who = r.posted(&QueryPairs(token)).await?;
    // A supplement's upload form comes from the case page and goes back there.
    let back = match &upload {
        Ok((_, _, _, other)) => other
            .iter()
            .find(|(k, v)| k == "back" && v.starts_with("/cases/") && v[7..].bytes().all(|b| b.is_ascii_alphanumeric()))
            .map(|(_, v)| v.clone()),
        Err(_) => None,
    };
    let result = match upload {
        Ok((material, name, bytes, _)) => {
            materials::upload(&r.s.app, &who, &id, &material, &name, bytes).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => match back {
            Some(to) => Ok(see_other(&format!("{to}?done=uploaded"))),
            None => Ok(see_other(&format!("/applications/{id}/materials?done=uploaded"))),
        },
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            let (v, form) = cases::application_with_form(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
            render(&r, v, form.sections.len(), status, errors).await
        }
    }
}

async fn remove(r: Req, Path((id, file_id)): Path<(String, String)>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    materials::remove(&r.s.app, &who, &id, &file_id).await.map_err(|e| r.error(e))?;
    Ok(see_other(&format!("/applications/{id}/materials?done=removed")))
}

async fn download(r: Req, Path((id, file_id)): Path<(String, String)>) -> Page {
    let who = r.signed_in().await?;
    let (file, bytes) = materials::download(&r.s.app, &who, &id, &file_id).await.map_err(|e| r.error(e))?;
    Ok(file_response(&file, bytes))
}
