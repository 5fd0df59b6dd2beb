//! The applicant's pages: start an application from a guide, fill it in one page (section) at a
//! time with what the platform already knows filled in and marked, check the answers with links
//! to change each, submit, then follow the case — its state, clock, the whole supplement notice
//! with the answer form, withdrawal, and the timeline. Pages work without JavaScript.

use super::Frame;
use super::case_view::{CaseFacts, CaseRowView, ConfirmPage, Refused, TimelineRow, case_row, facts, timeline};
use super::china_time;
use super::forms::{FormErrors, Page, Req, see_other};
use crate::AppState;
use crate::case_labels::CaseLabels;
use crate::extract::FormPairs;
use crate::extract::Path;
use crate::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde_json::{Map, Value};
use tongban_app::AppError;
use tongban_app::cases::{self, ApplicationView};
use tongban_domain::cases::{CaseAction, CaseState};
use tongban_domain::forms::Form;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/apply/{code}", get(start_page))
        .route("/apply", post(start))
        .route("/applications/{id}", get(section).post(save_section))
        .route("/applications/{id}/check", get(check))
        .route("/applications/{id}/submit", post(submit))
        .route("/cases", get(my_cases))
        .route("/cases/{number}", get(case_page))
        .route("/cases/{number}/act", post(act))
}

/// One field as a form page shows it.
pub struct FieldRow {
    pub name: String,
    pub label: String,
    pub help: String,
    pub widget: String,
    pub value: String,
    pub options: Vec<String>,
    /// Required, or required whenever its condition holds.
    pub required: bool,
    pub source: Option<String>,
    /// When the field applies: the other field's label and the value it must have.
    pub condition: Option<(String, String)>,
    pub error: Option<String>,
}

impl FieldRow {
    /// The ids of the texts that describe the input (condition, help, source, error), those shown.
    pub fn described_by(&self) -> String {
        let parts = [
            (self.condition.is_some(), "when"),
            (!self.help.is_empty(), "help"),
            (self.source.is_some(), "src"),
            (self.error.is_some(), "error"),
        ];
        let ids: Vec<String> =
            parts.iter().filter(|(shown, _)| *shown).map(|(_, id)| format!("{}-{id}", self.name)).collect();
        ids.join(" ")
    }
}

/// Whether the schema requires a field whenever an `if` holds (`then.required`, at the top or in `allOf`):
/// how a field shown only in some case is required in that case.
fn required_when_shown(form: &Form, name: &str) -> bool {
    let requires = |s: &Value| {
        s.pointer("/then/required")
            .and_then(Value::as_array)
            .is_some_and(|l| l.iter().any(|v| v.as_str() == Some(name)))
    };
    requires(&form.schema)
        || form.schema.get("allOf").and_then(Value::as_array).is_some_and(|all| all.iter().any(requires))
}

/// The inputs of `fields`, with the answers, sources and errors of `v` (none in a preview).
pub(crate) fn field_rows(
    form: &Form,
    fields: &[tongban_domain::forms::FormField],
    v: Option<&ApplicationView>,
    l: &CaseLabels,
    en: bool,
) -> Vec<FieldRow> {
    fields
        .iter()
        .map(|f| FieldRow {
            name: f.name.clone(),
            label: if en { f.label_en.clone() } else { f.label.clone() },
            help: f.help.clone(),
            widget: f.widget.clone().unwrap_or_else(|| "text".into()),
            value: Form::text_of(v.and_then(|v| v.data.get(&f.name))),
            options: form.options(&f.name),
            required: form.required(&f.name) || (f.show_if.is_some() && required_when_shown(form, &f.name)),
            source: v.and_then(|v| l.field_source(v, &f.name)),
            condition: f.show_if.as_ref().map(|c| {
                let other = form
                    .field(&c.field)
                    .map_or(c.field.clone(), |o| if en { o.label_en.clone() } else { o.label.clone() });
                (other, Form::text_of(Some(&c.equals)))
            }),
            error: v.and_then(|v| v.errors.get(&f.name)).map(|m| {
                let label = if en { &f.label_en } else { &f.label };
                let choice = !form.options(&f.name).is_empty();
                crate::i18n::field_error(label, choice, m, if en { Lang::En } else { Lang::Zh })
            }),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "apply_start.html")]
struct StartPage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    csrf: String,
    code: String,
    name: String,
    agency: String,
    materials: Vec<String>,
}

/// What applying involves, and the button that starts it.
async fn start_page(r: Req, Path(code): Path<String>) -> Page {
    r.signed_in().await?;
    let guide = tongban_app::catalog::get(&r.s.app.store, &code).await.map_err(|e| r.error(e))?;
    let o = guide.offering;
    let l = r.f.lang.cases();
    Ok(r.with_csrf(|csrf| {
        let p = StartPage {
            f: &r.f,
            l,
            csrf,
            code: o.offering_code.clone(),
            name: o.name.clone(),
            agency: o.agency.name.clone(),
            materials: o.materials.iter().map(|m| m.name.clone()).collect(),
        };
        r.respond(StatusCode::OK, &p)
    }))
}

async fn start(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let code = form.first("offering_code").unwrap_or("");
    let v = cases::start(&r.s.app, &who, code).await.map_err(|e| r.error(e))?;
    Ok(see_other(&format!("/applications/{}?page=1", v.id)))
}

#[derive(Template)]
#[template(path = "application.html")]
struct SectionPage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    csrf: String,
    id: String,
    offering_name: String,
    title: String,
    /// Where this page is among the form's pages, in words.
    position: String,
    page: usize,
    fields: Vec<FieldRow>,
    notice: Option<&'static str>,
    errors: FormErrors,
}

fn page_number(r: &Req, pages: usize) -> usize {
    r.q.first("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, pages.max(1))
}

async fn section_page(
    r: &Req,
    v: ApplicationView,
    form: Form,
    page: usize,
    show_errors: bool,
    status: StatusCode,
) -> Page {
    if v.case_number.is_some() {
        return Ok(see_other(&format!("/cases/{}", v.case_number.unwrap_or_default())));
    }
    let l = r.f.lang.cases();
    let en = r.f.lang.code() == "en";
    let Some(s) = form.sections.get(page - 1) else { return Ok(see_other(&format!("/applications/{}/check", v.id))) };
    let mut fields = field_rows(&form, &s.fields, Some(&v), l, en);
    if !show_errors {
        fields.iter_mut().for_each(|f| f.error = None);
    }
    let errors: FormErrors = fields.iter().filter_map(|f| Some((f.name.clone(), f.error.clone()?))).collect();
    let notice = (r.q.first("done") == Some("saved")).then_some(l.saved);
    Ok(r.with_csrf(|csrf| {
        let p = SectionPage {
            f: &r.f,
            l,
            csrf,
            id: v.id.clone(),
            offering_name: v.offering_name.clone(),
            title: if en { s.title_en.clone() } else { s.title.clone() },
            position: l.page_of(page, form.sections.len()),
            page,
            fields,
            notice,
            errors,
        };
        r.respond(status, &p)
    }))
}

async fn section(r: Req, Path(id): Path<String>) -> Page {
    let who = r.signed_in().await?;
    let (v, form) = cases::application_with_form(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
    let page = page_number(&r, form.sections.len());
    section_page(&r, v, form, page, r.q.first("check").is_some(), StatusCode::OK).await
}

/// Saves the fields of one page into the draft, then goes on, back, or stays (later).
async fn save_section(r: Req, Path(id): Path<String>, FormPairs(posted): FormPairs) -> Page {
    let who = r.posted(&posted).await?;
    let (v, form) = cases::application_with_form(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
    let page =
        posted.first("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, form.sections.len().max(1));
    let mut data: Map<String, Value> = v.data.clone();
    if let Some(s) = form.sections.get(page - 1) {
        for f in &s.fields {
            match form.value_from_text(&f.name, posted.first(&f.name).unwrap_or("")) {
                Some(value) => data.insert(f.name.clone(), value),
                None => data.remove(&f.name),
            };
        }
    }
    let saved = cases::save(&r.s.app, &who, &id, data).await.map_err(|e| r.error(e))?;
    let here: Vec<&str> =
        form.sections.get(page - 1).map(|s| s.fields.iter().map(|f| f.name.as_str()).collect()).unwrap_or_default();
    let page_ok = !saved.errors.keys().any(|k| here.contains(&k.as_str()));
    match posted.first("go") {
        Some("back") => Ok(see_other(&format!("/applications/{id}?page={}", page.saturating_sub(1).max(1)))),
        Some("later") => Ok(see_other(&format!("/applications/{id}?page={page}&done=saved"))),
        _ if !page_ok => section_page(&r, saved, form, page, true, StatusCode::BAD_REQUEST).await,
        _ if page >= form.sections.len() => Ok(see_other(&format!("/applications/{id}/materials"))),
        _ => Ok(see_other(&format!("/applications/{id}?page={}", page + 1))),
    }
}

pub struct AnswerRow {
    pub name: String,
    pub label: String,
    pub value: String,
    pub page: usize,
    pub source: Option<String>,
}

#[derive(Template)]
#[template(path = "application_check.html")]
struct CheckPage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    csrf: String,
    id: String,
    offering_name: String,
    answers: Vec<AnswerRow>,
    /// Every error of the submission: (the link to its field, or empty; the message).
    errors: Vec<(String, String)>,
    /// The submission was refused for want of real-name verification: link to where it is done.
    verify: bool,
    /// Sent back with the submission: a repeat of this page's submission makes no second case.
    key: String,
    materials: Vec<super::materials::MaterialLine>,
}

async fn check_page(r: &Req, v: ApplicationView, form: Form, status: StatusCode, extra: FormErrors) -> Page {
    check_page_with(r, v, form, status, extra, false).await
}

async fn check_page_with(
    r: &Req,
    v: ApplicationView,
    form: Form,
    status: StatusCode,
    extra: FormErrors,
    verify: bool,
) -> Page {
    if let Some(n) = &v.case_number {
        return Ok(see_other(&format!("/cases/{n}")));
    }
    let l = r.f.lang.cases();
    let en = r.f.lang.code() == "en";
    let mut answers = Vec::new();
    for (i, s) in form.sections.iter().enumerate() {
        for f in &s.fields {
            if !form.shown(f, &v.data) {
                continue;
            }
            answers.push(AnswerRow {
                name: f.name.clone(),
                label: if en { f.label_en.clone() } else { f.label.clone() },
                value: Form::text_of(v.data.get(&f.name)),
                page: i + 1,
                source: l.field_source(&v, &f.name),
            });
        }
    }
    // Every error at once, each naming its field by label and linking to it (the answers carry
    // the labels and pages of the fields shown): (link, message).
    let lang = r.f.lang;
    let link = |field: &str| match answers.iter().find(|a| a.name == field) {
        Some(a) => format!("/applications/{}?page={}&check=1#{field}", v.id, a.page),
        None if field == "materials" => format!("/applications/{}/materials", v.id),
        None => String::new(),
    };
    let mut errors: Vec<(String, String)> = v
        .errors
        .iter()
        .map(|(field, m)| {
            let message = match answers.iter().find(|a| a.name == *field) {
                Some(a) => crate::i18n::field_error(&a.label, !form.options(field).is_empty(), m, lang),
                None => crate::i18n::in_lang(m, lang),
            };
            (link(field), message)
        })
        .collect();
    errors.extend(extra.into_iter().map(|(field, m)| {
        let message = if field == "materials" { format!("{}{}{m}", l.materials_title, r.f.t.colon) } else { m };
        (link(&field), message)
    }));
    Ok(r.with_csrf(|csrf| {
        // A fresh key per rendering: submitting this page twice is one submission.
        let key = tongban_app::identity::csrf_token().map(|t| format!("page-{}", &t[..22])).unwrap_or_default();
        let p = CheckPage {
            f: &r.f,
            l,
            csrf,
            id: v.id.clone(),
            offering_name: v.offering_name.clone(),
            answers,
            errors,
            verify,
            key,
            materials: super::materials::material_lines(l, &v.materials),
        };
        r.respond(status, &p)
    }))
}

async fn check(r: Req, Path(id): Path<String>) -> Page {
    let who = r.signed_in().await?;
    let (v, form) = cases::application_with_form(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
    check_page(&r, v, form, StatusCode::OK, vec![]).await
}

async fn submit(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    match cases::submit(&r.s.app, &who, &id, form.first("key"), &r.request_id()).await {
        // A window that applied for a walk-in applicant goes on with the case at the workbench.
        Ok(receipt) if receipt.at_window => {
            Ok(see_other(&format!("/workbench/cases/{}?done=acted", receipt.case_number)))
        }
        Ok(receipt) => Ok(see_other(&format!("/cases/{}?done=submitted", receipt.case_number))),
        Err(e @ AppError::AssuranceRequired { .. }) => {
            let (v, f) = cases::application_with_form(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
            check_page_with(&r, v, f, StatusCode::FORBIDDEN, vec![(String::new(), e.to_string())], true).await
        }
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            let (v, f) = cases::application_with_form(&r.s.app, &who, &id).await.map_err(|e| r.error(e))?;
            check_page(&r, v, f, status, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "my_cases.html")]
struct MyCasesPage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    drafts: Vec<(String, String, String)>,
    cases: Vec<CaseRowView>,
    case_href: &'static str,
    /// The latest in-site messages: (time, title, body, unread).
    /// (time, title, text, unread, its case)
    messages: Vec<(String, String, String, bool, Option<String>)>,
}

async fn my_cases(r: Req) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.cases();
    let apps = cases::my_applications(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    let drafts = apps
        .into_iter()
        .filter(|a| a.case_number.is_none())
        .map(|a| (a.id, a.offering_name, china_time(a.updated_at)))
        .collect();
    let list = cases::my_cases(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    let cases = list.iter().map(|c| case_row(l, c)).collect();
    let messages = cases::my_messages(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    let messages = messages
        .into_iter()
        .take(20)
        .map(|m| (china_time(m.created_at), m.title, m.body, !m.read, m.case_number))
        .collect();
    // Shown is read: the next visit no longer marks them.
    cases::mark_messages_read(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    Ok(r.respond(StatusCode::OK, &MyCasesPage { f: &r.f, l, drafts, cases, case_href: "/cases/", messages }))
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    csrf: String,
    c: CaseFacts,
    receipt: Option<(String, bool)>,
    /// On the receipt: the rating's QR code and address, to rate the case once it is concluded.
    rate_qr: Option<(String, String)>,
    can_supplement: bool,
    can_withdraw: bool,
    /// Once it may be rated: the link to rate it (好差评), never a condition for anything.
    can_rate: Option<&'static str>,
    timeline: Vec<TimelineRow>,
    notice: Option<&'static str>,
    refused: Refused,
    /// While a supplement notice is open: the application, a slot for each item of the notice
    /// (with the material it asks for, when one matches), and the materials with their files.
    application_id: String,
    slots: Vec<Slot>,
    attached: Vec<super::materials::MaterialLine>,
}

/// One item of a supplement notice, and the material to add a file to for it.
struct Slot {
    item: String,
    material: Option<String>,
    /// (file id, file name, size) of that material now.
    files: Vec<(String, String, String)>,
}

pub(super) async fn case_page_with(r: &Req, number: &str, status: StatusCode, refused: Refused) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.cases();
    let c = cases::get_case(&r.s.app, &who, number).await.map_err(|e| r.error(e))?;
    let trail = cases::trail(&r.s.app, &who, number).await.map_err(|e| r.error(e))?;
    let receipt = if r.q.first("done") == Some("submitted") {
        cases::expected_due_of(&r.s.app, &c).await.map_err(|e| r.error(e))?.map(|d| (d.due.to_string(), d.provisional))
    } else {
        None
    };
    let rate_qr = match receipt {
        Some(_) => {
            let to = format!("{}/cases/{}/rating", r.s.public_url(), c.case_number);
            Some((super::qr_svg(&to).map_err(|e| r.error(e))?, to))
        }
        None => None,
    };
    let notice = match r.q.first("done") {
        Some("acted") => Some(l.done),
        Some("uploaded") => Some(l.uploaded),
        _ => None,
    };
    let can_supplement = c.state == CaseState::SupplementRequested;
    let attached = if can_supplement {
        let v = cases::get_application(&r.s.app, &who, &c.application_id).await.map_err(|e| r.error(e))?;
        // What takes a file: the applicant's own materials, and those a licence could provide.
        let own: Vec<_> =
            v.materials.into_iter().filter(|m| matches!(m.source.as_str(), "applicant" | "licence")).collect();
        super::materials::material_lines(l, &own)
    } else {
        Vec::new()
    };
    let names: Vec<String> = attached.iter().map(|m| m.name.clone()).collect();
    let slots = c
        .supplement
        .iter()
        .flatten()
        .map(|item| {
            let at = super::materials::material_asked(item, &names).map(|i| &attached[i]);
            Slot {
                item: item.clone(),
                material: at.map(|m| m.name.clone()),
                files: at.map(|m| m.files.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let can_withdraw = matches!(
        c.state,
        CaseState::Submitted | CaseState::SupplementRequested | CaseState::UnderReview | CaseState::InProcedure
    );
    let en = r.f.lang.code() == "en";
    Ok(r.with_csrf(|csrf| {
        let p = CasePage {
            f: &r.f,
            l,
            csrf,
            c: facts(l, &c),
            receipt,
            rate_qr,
            can_supplement,
            can_withdraw,
            can_rate: tongban_domain::ratings::rateable(c.state).then(|| r.f.lang.ratings().rate_link),
            timeline: timeline(l, &trail, en),
            notice,
            refused,
            application_id: c.application_id.clone(),
            slots,
            attached,
        };
        r.respond(status, &p)
    }))
}

async fn case_page(r: Req, Path(number): Path<String>) -> Page {
    case_page_with(&r, &number, StatusCode::OK, Refused::default()).await
}

/// The applicant's actions: answer the supplement notice, withdraw.
async fn act(r: Req, Path(number): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    if form.first("back").is_some() {
        return Ok(see_other(&format!("/cases/{number}")));
    }
    if form.first("action") == Some("withdraw") && form.first("confirmed") != Some("yes") {
        let c = cases::own_case(&r.s.app, &who, &number).await.map_err(|e| r.error(e))?;
        let mut page = ConfirmPage::new(&r.f, &c, "withdraw", &form, format!("/cases/{number}/act"));
        return Ok(r.with_csrf(|csrf| {
            page.csrf = csrf;
            r.respond(StatusCode::OK, &page)
        }));
    }
    let action = match form.first("action") {
        Some("supplement") => CaseAction::Supplement,
        Some("withdraw") => CaseAction::Withdraw,
        _ => return Err(r.error(AppError::field("action", "未知操作 (unknown action)"))),
    };
    let comment = form.first("comment").map(str::to_owned);
    match cases::act(&r.s.app, &who, &number, action, comment, None, &r.request_id()).await {
        Ok(_) => Ok(see_other(&format!("/cases/{number}?done=acted"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            let refused = Refused::new(r.f.lang.cases(), form.first("action").unwrap_or(""), errors, &form);
            case_page_with(&r, &number, status, refused).await
        }
    }
}
