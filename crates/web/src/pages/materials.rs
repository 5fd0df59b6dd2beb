//! The materials page of an application: what the guide asks for, the files uploaded for each
//! (download, remove), an upload form per material the applicant provides, and for a material a
//! licence provides the applicant's licences of its type to authorize (用证); the download of a
//! file for its applicant or the staff handling the case; the annotated copy of a licence used.
//! Forms work without JavaScript.

use super::Frame;
use super::filters;
use super::forms::{Page, Req, see_other};
use crate::AppState;
use crate::api::materials::{file_response, read_upload};
use crate::case_labels::CaseLabels;
use crate::extract::{FormPairs, QueryPairs};
use crate::extract::{Multipart, Path};
use crate::licence_labels::LicenceLabels;
use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tongban_app::cases::{self, ApplicationView};
use tongban_app::licences::uses::{self, CopyCheck, UseView};
use tongban_app::materials::{self, MaterialNeed};
use tongban_domain::licences::AnnotatedCopy;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/applications/{id}/materials", get(page).post(upload))
        .route("/applications/{id}/materials/{file_id}", get(download))
        .route("/applications/{id}/materials/{file_id}/remove", post(remove))
        .route("/applications/{id}/licence-uses", post(use_licence))
        .route("/applications/{id}/shared", post(choose_shared))
        .route("/applications/{id}/licence-uses/{use_id}/withdraw", post(withdraw_use))
        .route("/licence-uses/{id}", get(annotated_copy))
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
    /// (file id, file name, size).
    pub files: Vec<(String, String, String)>,
    /// The licence type, for a material a licence can provide.
    pub licence_type: Option<String>,
    /// The licence used for it.
    pub used: Option<UseView>,
    /// (licence id, what to show) of the applicant's valid licences of the type.
    pub choices: Vec<(String, String)>,
    /// For a material fetched by data sharing: what will be fetched, from whom.
    pub shared: Option<tongban_app::exchange::shared::SharedPreview>,
}

impl MaterialLine {
    /// What will be fetched for it by data sharing, unless the applicant chose to upload it.
    pub fn fetched(&self) -> Option<&tongban_app::exchange::shared::SharedPreview> {
        self.shared.as_ref().filter(|p| !p.declined)
    }
}

/// A file's size as people read it: 512 B, 12.3 KiB, 1.2 MiB (not "0.0 KiB" for a tiny file).
pub fn size_text(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1_048_576 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
    }
}

/// The material a supplement notice's item asks for, among `names`: one whose name contains the
/// item or is contained in it, else the one sharing the longest run of at least four characters
/// (经营场所使用证明 → 经营场所证明).
pub fn material_asked(item: &str, names: &[String]) -> Option<usize> {
    if let Some(i) = names.iter().position(|n| n.contains(item) || item.contains(n.as_str())) {
        return Some(i);
    }
    let shared = |a: &str, b: &str| {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut best = 0;
        for i in 0..a.len() {
            for j in 0..b.len() {
                let k = a[i..].iter().zip(&b[j..]).take_while(|(x, y)| x == y).count();
                best = best.max(k);
            }
        }
        best
    };
    names.iter().enumerate().map(|(i, n)| (shared(item, n), i)).filter(|(k, _)| *k >= 4).max().map(|(_, i)| i)
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
                "licence" if n.licence_type.is_none() => Some(l.from_licence),
                // Previewed (or declined, then uploaded) when its resource is on the platform.
                "shared" if n.shared.is_some() => None,
                "shared" => Some(l.shared.source),
                "exempt" => Some(l.exempt),
                _ => None,
            },
            files: n.files.iter().map(|f| (f.id.clone(), f.file_name.clone(), size_text(f.size))).collect(),
            licence_type: n.licence_type.clone(),
            used: n.licence_use.clone(),
            choices: n
                .choices
                .iter()
                .map(|c| {
                    (c.licence_id.clone(), format!("{} {}（{}，{}）", c.name, c.number, c.holder_name, c.issuer_name))
                })
                .collect(),
            shared: n.shared.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "application_materials.html")]
struct MaterialsPage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    /// For the licences used: the use's reason, agency and expiry.
    lc: &'static LicenceLabels,
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
        Some("used") => Some(l.used_notice),
        Some("withdrawn") => Some(l.withdrawn_notice),
        Some("declined") => Some(l.shared.declined_notice),
        Some("fetching") => Some(l.shared.fetching_notice),
        _ => None,
    };
    Ok(r.with_csrf(|csrf| {
        let p = MaterialsPage {
            f: &r.f,
            l,
            lc: r.f.lang.licences(),
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
            if let Some(to) = back {
                // Refused on the case page: shown there, above the notice.
                let refused = super::case_view::Refused::new(r.f.lang.cases(), "upload", errors, &QueryPairs(vec![]));
                return super::apply::case_page_with(&r, &to["/cases/".len()..], status, refused).await;
            }
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

/// Authorizes the use of the licence picked for a material.
async fn use_licence(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let (material, licence_id) = (form.first("material").unwrap_or(""), form.first("licence_id").unwrap_or(""));
    match uses::authorize(&r.s.app, &who, &id, material, licence_id).await {
        Ok(_) => Ok(see_other(&format!("/applications/{id}/materials?done=used"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            let (v, form) = cases::application_with_form(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
            render(&r, v, form.sections.len(), status, errors).await
        }
    }
}

/// The applicant's choice for a material fetched by data sharing: upload it instead, or have it
/// fetched again.
async fn choose_shared(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let decline = form.first("choice") == Some("upload");
    let material = form.first("material").unwrap_or("");
    match tongban_app::exchange::shared::choose(&r.s.app, &who, &id, material, decline).await {
        Ok(()) => Ok(see_other(&format!(
            "/applications/{id}/materials?done={}",
            if decline { "declined" } else { "fetching" }
        ))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            let (v, form) = cases::application_with_form(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
            render(&r, v, form.sections.len(), status, errors).await
        }
    }
}

async fn withdraw_use(r: Req, Path((id, use_id)): Path<(String, String)>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    uses::withdraw(&r.s.app, &who, &id, &use_id).await.map_err(|e| r.error(e))?;
    Ok(see_other(&format!("/applications/{id}/materials?done=withdrawn")))
}

#[derive(Template)]
#[template(path = "annotated_copy.html")]
struct CopyPage<'a> {
    f: &'a Frame,
    l: &'static LicenceLabels,
    id: String,
    copy: AnnotatedCopy,
    check: CopyCheck,
    /// The licence's other fields, by label.
    fields: Vec<(String, String)>,
}

/// The annotated copy (加注件) of a licence used, with the platform's check of it: for the staff
/// handling the case and the applicant.
async fn annotated_copy(r: Req, Path(id): Path<String>) -> Page {
    let who = r.signed_in().await?;
    let (copy, check) = uses::annotated_copy(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
    let fields = copy.licence.licence.face_fields();
    Ok(r.respond(StatusCode::OK, &CopyPage { f: &r.f, l: r.f.lang.licences(), id, copy, check, fields }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_size_reads_as_people_read_it() {
        assert_eq!(size_text(18), "18 B");
        assert_eq!(size_text(12_600), "12.3 KiB");
        assert_eq!(size_text(3 * 1_048_576), "3.0 MiB");
    }

    #[test]
    fn a_notice_item_finds_the_material_it_asks_for() {
        let names = ["经营者身份证明".to_owned(), "经营场所证明".to_owned()];
        assert_eq!(material_asked("经营场所证明", &names), Some(1));
        assert_eq!(material_asked("经营场所使用证明", &names), Some(1), "a shared run of four");
        assert_eq!(material_asked("身份证明", &names), Some(0), "contained in a name");
        assert_eq!(material_asked("经营范围表述不规范", &names), None, "not a document");
    }
}
