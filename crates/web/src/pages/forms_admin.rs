//! Catalog administration. The search synonyms (搜索同义词), which the platform's administrators
//! edit as a list, one rule a line.
//!
//! Form administration (表单管理): an offering's administrators edit its application form as
//! JSON, see it previewed as applicants will — live while they type (a small script posts the
//! text to `/preview`), or with the 预览 button without script — save it as a draft or publish
//! it as the guide's next version. The app checks who may (`catalog::form_for_editing`).

use super::Frame;
use super::apply::{FieldRow, field_rows};
use super::forms::{FormErrors, Page, Req, see_other};
use crate::AppState;
use crate::case_labels::CaseLabels;
use crate::extract::FormPairs;
use crate::extract::Path;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tongban_app::AppError;
use tongban_app::catalog::{self, FormEditing};
use tongban_app::forms;
use tongban_domain::forms::Form;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/forms", get(find))
        .route("/admin/forms/{code}", get(page).post(save))
        .route("/admin/forms/{code}/preview", post(preview))
        .route("/admin/synonyms", get(synonyms).post(save_synonyms))
}

#[derive(Template)]
#[template(path = "synonyms_admin.html")]
struct SynonymsPage<'a> {
    f: &'a Frame,
    csrf: String,
    notice: Option<String>,
    errors: FormErrors,
    list: String,
    revision: i64,
}

fn render_synonyms(
    r: &Req,
    status: StatusCode,
    notice: Option<String>,
    errors: FormErrors,
    list: String,
    revision: i64,
) -> Response {
    r.with_csrf(|csrf| r.respond(status, &SynonymsPage { f: &r.f, csrf, notice, errors, list, revision }))
}

async fn synonyms(r: Req) -> Page {
    let who = r.signed_in().await?;
    let (list, revision) = catalog::synonyms::list(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    let notice = r.q.first("saved").map(|n| format!("{}{n}", r.f.c.synonyms_saved));
    Ok(render_synonyms(&r, StatusCode::OK, notice, vec![], list, revision))
}

async fn save_synonyms(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let list = form.first("synonyms").unwrap_or("").replace("\r\n", "\n");
    match catalog::synonyms::save(&r.s.app, &who, &list).await {
        Ok(rules) => Ok(see_other(&format!("/admin/synonyms?saved={rules}"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            let revision = catalog::synonyms::list(&r.s.app, &who).await.map_or(0, |(_, rev)| rev);
            Ok(render_synonyms(&r, status, None, errors, list, revision))
        }
    }
}

/// A section as previewed: its position, its title, its inputs.
type Section = (String, String, Vec<FieldRow>);

fn sections(form: &Form, l: &'static CaseLabels, en: bool) -> Vec<Section> {
    let n = form.sections.len();
    form.sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let title = if en && !s.title_en.is_empty() { s.title_en.clone() } else { s.title.clone() };
            (l.page_of(i + 1, n), title, field_rows(form, &s.fields, None, l, en))
        })
        .collect()
}

/// The preview of `text`: the form's sections, or the problems that stop it.
fn preview_of(text: &str, l: &'static CaseLabels, en: bool) -> (FormErrors, Vec<Section>) {
    match forms::parse_form(text) {
        Ok(form) => (Vec::new(), sections(&form, l, en)),
        Err(AppError::Validation { fields }) => (fields.into_iter().collect(), Vec::new()),
        Err(e) => (vec![("form".into(), e.to_string())], Vec::new()),
    }
}

#[derive(Template)]
#[template(path = "form_admin.html")]
struct AdminPage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    csrf: String,
    code: String,
    name: String,
    status: String,
    notice: Option<&'static str>,
    json: String,
    errors: FormErrors,
    sections: Vec<Section>,
}

#[derive(Template)]
#[template(path = "form_preview.html")]
struct Preview<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    errors: FormErrors,
    sections: Vec<Section>,
}

/// The page with `json` in the editor and its preview; `more` are problems found beyond the form.
fn render(
    r: &Req,
    e: &FormEditing,
    json: String,
    status: StatusCode,
    notice: Option<&'static str>,
    more: FormErrors,
) -> Response {
    let l = r.f.lang.cases();
    let en = r.f.lang.code() == "en";
    let (mut errors, sections) = preview_of(&json, l, en);
    errors.extend(more);
    let state = if e.from_draft {
        l.form_from_draft.to_owned()
    } else {
        l.form_from_published.replace("{}", &e.published_version.to_string())
    };
    r.with_csrf(|csrf| {
        let p = AdminPage {
            f: &r.f,
            l,
            csrf,
            code: e.code.clone(),
            name: e.offering_name.clone(),
            status: state,
            notice,
            json,
            errors,
            sections,
        };
        r.respond(status, &p)
    })
}

/// From the staff page's look-up field to the offering's form.
async fn find(r: Req) -> Page {
    let code: String = r.q.first("code").unwrap_or("").trim().chars().filter(char::is_ascii_alphanumeric).collect();
    Ok(see_other(&if code.is_empty() { "/staff".to_owned() } else { format!("/admin/forms/{code}") }))
}

async fn page(r: Req, Path(code): Path<String>) -> Page {
    let who = r.signed_in().await?;
    let e = catalog::form_for_editing(&r.s.app, &who, &code).await.map_err(|e| r.error(e))?;
    let l = r.f.lang.cases();
    let notice = match r.q.first("done") {
        Some("saved") => Some(l.form_saved),
        Some("published") => Some(l.form_published),
        _ => None,
    };
    let json = serde_json::to_string_pretty(&e.form).unwrap_or_default();
    Ok(render(&r, &e, json, StatusCode::OK, notice, Vec::new()))
}

/// Preview (the page again with the posted text), save as draft, or publish.
async fn save(r: Req, Path(code): Path<String>, FormPairs(posted): FormPairs) -> Page {
    let who = r.posted(&posted).await?;
    let e = catalog::form_for_editing(&r.s.app, &who, &code).await.map_err(|e| r.error(e))?;
    let text = posted.first("form").unwrap_or("").to_owned();
    let publish = match posted.first("go") {
        Some("save") => false,
        Some("publish") => true,
        _ => return Ok(render(&r, &e, text, StatusCode::OK, None, Vec::new())),
    };
    let Ok(form) = forms::parse_form(&text) else {
        return Ok(render(&r, &e, text, StatusCode::BAD_REQUEST, None, Vec::new()));
    };
    match catalog::save_form(&r.s.app, &who, &code, form, publish).await {
        Ok(Some(_)) => Ok(see_other(&format!("/admin/forms/{code}?done=published"))),
        Ok(None) => Ok(see_other(&format!("/admin/forms/{code}?done=saved"))),
        // The form is fine but the draft breaks other rules of the guide: say which.
        Err(AppError::Validation { fields }) => {
            Ok(render(&r, &e, text, StatusCode::BAD_REQUEST, None, fields.into_iter().collect()))
        }
        Err(e) => Err(r.error(e)),
    }
}

/// The preview alone, as HTML to put in place by the page's script.
async fn preview(r: Req, Path(code): Path<String>, FormPairs(posted): FormPairs) -> Page {
    let who = r.posted(&posted).await?;
    catalog::form_for_editing(&r.s.app, &who, &code).await.map_err(|e| r.error(e))?;
    let l = r.f.lang.cases();
    let (errors, sections) = preview_of(posted.first("form").unwrap_or(""), l, r.f.lang.code() == "en");
    let html = Preview { f: &r.f, l, errors, sections }.render().map_err(|e| r.error(AppError::internal(e)))?;
    Ok(([(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}
