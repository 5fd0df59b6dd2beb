//! The staff workbench: the queues of each window, approver or auditor role (by due date, with
//! the supervision colour, filterable by colour), and a case with the application, the timeline
//! and the forms of the actions its state allows. `tongban_app::cases` decides who may do what.

use super::apply::AnswerRow;
use super::case_view::{CaseFacts, CaseRowView, ConfirmPage, Refused, TimelineRow, case_row, facts, timeline};
use super::forms::{Page, Req, see_other};
use super::{Frame, filters};
use crate::AppState;
use crate::case_labels::CaseLabels;
use crate::extract::Path;
use crate::extract::{FormPairs, QueryPairs};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use tongban_app::AppError;
use tongban_app::access::{Assignment, Principal};
use tongban_app::cases::{self, QueueRequest};
use tongban_domain::cases::{CaseAction, CaseState, Delivery, Warning};
use tongban_domain::forms::Form;
use tongban_domain::identity::StaffRole;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/workbench", get(workbench))
        .route("/workbench/cases/{number}", get(case).post(act))
        .route("/workbench/walk-in", get(walk_in).post(start_walk_in))
        .route("/supervision", get(supervision))
}

pub struct Queue {
    pub title: String,
    pub cases: Vec<CaseRowView>,
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct WorkbenchPage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    queues: Vec<Queue>,
    warning: String,
    mine: bool,
    warnings: Vec<(&'static str, &'static str)>,
    case_href: &'static str,
    /// What was searched for (办件查询), and the list shown: `todo` (the queues) or `done`.
    find: String,
    view: &'static str,
    errors: Vec<(String, String)>,
}

/// The signed-in person's roles among `wanted`; 403 when they hold none (or act for an
/// organization): the staff pages are not shown to anyone else, even empty.
async fn staff(r: &Req, wanted: &[StaffRole]) -> Result<(Principal, Vec<Assignment>), Response> {
    let who = r.signed_in().await?;
    let roles = tongban_app::access::roles(&r.s.app, &who.person_id).await.map_err(|e| r.error(e))?;
    let roles: Vec<Assignment> = roles.into_iter().filter(|a| wanted.contains(&a.role)).collect();
    if roles.is_empty() || who.acting.is_some() {
        return Err(super::error_page_with(&r.f, StatusCode::FORBIDDEN, r.f.lang.cases().no_roles));
    }
    Ok((who, roles))
}

/// Who reads a case at the workbench: those who act on cases, and auditors.
const CASE_READERS: &[StaffRole] =
    &[StaffRole::WindowStaff, StaffRole::Approver, StaffRole::Auditor, StaffRole::AgencyAdmin];

async fn workbench(r: Req) -> Page {
    let (who, roles) = staff(&r, &[StaffRole::WindowStaff, StaffRole::Approver, StaffRole::Auditor]).await?;
    let l = r.f.lang.cases();
    let warning = r.q.first("warning").and_then(Warning::parse);
    let find = r.q.first("find").unwrap_or_default().trim().to_owned();
    let done = r.q.first("view") == Some("done");
    let mut queues = Vec::new();
    let mut errors = Vec::new();
    let rows = |list: Vec<cases::CaseView>| list.iter().map(|c| case_row(l, c)).collect::<Vec<_>>();
    if !find.is_empty() {
        match cases::find_cases(&r.s.app, &who, &find).await {
            Ok(found) => {
                queues.push(Queue { title: format!("{} {}", l.find_results, found.len()), cases: rows(found) })
            }
            Err(e) => errors = super::labelled(r.form_errors(e)?.1, &[("find", l.find_field)], r.f.lang),
        }
    }
    let roles = if done || !find.is_empty() { Vec::new() } else { roles };
    if done && find.is_empty() {
        let list = cases::done_by(&r.s.app, &who).await.map_err(|e| r.error(e))?;
        queues.push(Queue { title: l.done_title.to_owned(), cases: rows(list) });
    }
    let agency_codes: Vec<String> = roles.iter().map(|a| a.agency_code.clone()).collect();
    let names: std::collections::HashMap<String, String> =
        r.s.app.store.agency_names(&agency_codes).await.map_err(|e| r.error(e.into()))?.into_iter().collect();
    for a in roles {
        let receiving = match a.role {
            StaffRole::WindowStaff => true,
            StaffRole::Approver | StaffRole::Auditor => false,
            _ => continue,
        };
        let states = if receiving {
            vec![CaseState::Submitted, CaseState::SupplementRequested, CaseState::Concluded]
        } else {
            vec![
                CaseState::UnderReview,
                CaseState::InProcedure,
                CaseState::SupplementRequested,
                CaseState::Approved,
                CaseState::Denied,
                CaseState::Concluded,
            ]
        };
        let q = QueueRequest {
            agency: a.agency_code.clone(),
            division: a.division_code.clone(),
            receiving,
            states,
            warning,
            mine: r.q.first("mine") == Some("true"),
            limit: 50,
            ..Default::default()
        };
        let list = cases::queue(&r.s.app, &who, &q).await.map_err(|e| r.error(e))?;
        let side = if receiving { l.side_receiving } else { l.side_deciding };
        let agency = names.get(&a.agency_code).cloned().unwrap_or(a.agency_code);
        let place = tongban_app::datasets::place_name(&a.division_code);
        queues.push(Queue { title: format!("{side} · {agency} · {place}"), cases: rows(list) });
    }
    let warnings = [Warning::Yellow, Warning::Red].into_iter().map(|w| (w.as_str(), l.warning(w))).collect();
    let page = WorkbenchPage {
        f: &r.f,
        l,
        queues,
        warning: warning.map(|w| w.as_str().to_owned()).unwrap_or_default(),
        mine: r.q.first("mine") == Some("true"),
        warnings,
        case_href: "/workbench/cases/",
        view: if done { "done" } else { "todo" },
        find,
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    Ok(r.respond(status, &page))
}

#[derive(Template)]
#[template(path = "workbench_case.html")]
struct CasePage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    csrf: String,
    c: CaseFacts,
    version: i64,
    answers: Vec<AnswerRow>,
    application_id: String,
    materials: Vec<super::materials::MaterialLine>,
    /// The materials fetched by data sharing (免提交), with their call-log places.
    fetched: Vec<tongban_app::exchange::shared::FetchedView>,
    /// The actions the state allows and the viewer's roles take (whether they may at this
    /// agency and division is checked on posting).
    actions: Vec<&'static str>,
    /// The item's type: how the decision is worded.
    item_type: String,
    timeline: Vec<TimelineRow>,
    notice: Option<&'static str>,
    refused: Refused,
    /// Who holds the case: `Some(true)` the viewer, `Some(false)` someone else, `None` nobody.
    claimed: Option<bool>,
}

/// The roles that take a staff action in a state (the domain's rule, `CaseAction::actor`).
fn takers(name: &str, state: CaseState) -> &'static [StaffRole] {
    use tongban_domain::cases::Actor;
    let text = String::new;
    let action = match name {
        "accept" => CaseAction::Accept,
        "refuse" => CaseAction::Refuse { reason: text(), legal_basis: text() },
        "request_supplement" => CaseAction::RequestSupplement { missing: vec![] },
        "deliver" => CaseAction::Deliver(Delivery::Online),
        _ => CaseAction::Approve,
    };
    match action.actor(state) {
        Actor::Staff(roles, _) => roles,
        _ => &[],
    }
}

/// The staff actions possible in a state, at a step of how many.
fn staff_actions(state: CaseState, last_step: bool) -> Vec<&'static str> {
    match state {
        CaseState::Submitted => vec!["accept", "request_supplement", "refuse"],
        CaseState::UnderReview if last_step => vec!["approve", "deny", "request_supplement", "start_procedure"],
        CaseState::UnderReview => vec!["pass", "request_supplement", "start_procedure"],
        CaseState::InProcedure => vec!["end_procedure"],
        CaseState::Approved | CaseState::Denied => vec!["conclude"],
        CaseState::Concluded => vec!["deliver"],
        _ => vec![],
    }
}

async fn case_page(r: &Req, number: &str, status: StatusCode, refused: Refused) -> Page {
    let (who, roles) = staff(r, CASE_READERS).await?;
    let l = r.f.lang.cases();
    let en = r.f.lang.code() == "en";
    let c = cases::get_case(&r.s.app, &who, number).await.map_err(|e| r.error(e))?;
    let trail = cases::trail(&r.s.app, &who, number).await.map_err(|e| r.error(e))?;
    let (v, form) = cases::case_application(&r.s.app, &who, number).await.map_err(|e| r.error(e))?;
    let answers = form
        .fields()
        .filter(|f| form.shown(f, &v.data))
        .map(|f| AnswerRow {
            name: f.name.clone(),
            label: if en { f.label_en.clone() } else { f.label.clone() },
            value: Form::text_of(v.data.get(&f.name)),
            page: 0,
            source: l.field_source(&v, &f.name),
        })
        .collect();
    let last_step = c.steps.last() == Some(&c.step);
    let actions = staff_actions(c.state, last_step)
        .into_iter()
        .filter(|a| takers(a, c.state).iter().any(|t| roles.iter().any(|held| held.role == *t)))
        .collect();
    let notice = (r.q.first("done") == Some("acted")).then_some(l.done);
    let fetched = tongban_app::exchange::shared::fetched(&r.s.app, &who, number).await.map_err(|e| r.error(e))?;
    Ok(r.with_csrf(|csrf| {
        let page = CasePage {
            fetched,
            f: &r.f,
            l,
            csrf,
            version: c.version,
            // The licence link is its holder's (staff read the case, not the wallet).
            c: CaseFacts { licence: None, ..facts(l, &c) },
            answers,
            application_id: v.id.clone(),
            materials: super::materials::material_lines(l, &v.materials),
            actions,
            item_type: c.item_type.clone(),
            timeline: timeline(l, &trail, en),
            notice,
            refused,
            claimed: c.claimed_by.as_ref().map(|p| *p == who.person_id),
        };
        r.respond(status, &page)
    }))
}

async fn case(r: Req, Path(number): Path<String>) -> Page {
    case_page(&r, &number, StatusCode::OK, Refused::default()).await
}

/// The action a posted form describes; its fields are checked by the domain.
fn action_of(form: &QueryPairs) -> Result<CaseAction, AppError> {
    let text = |k: &str| form.first(k).unwrap_or("").trim().to_owned();
    Ok(match form.first("action").unwrap_or("") {
        "accept" => CaseAction::Accept,
        "refuse" => CaseAction::Refuse { reason: text("reason"), legal_basis: text("legal_basis") },
        "deny" => CaseAction::Deny { reason: text("reason"), legal_basis: text("legal_basis") },
        "request_supplement" => CaseAction::RequestSupplement {
            missing: text("missing").lines().map(str::trim).filter(|m| !m.is_empty()).map(str::to_owned).collect(),
        },
        "pass" => CaseAction::Pass,
        "start_procedure" => CaseAction::StartProcedure { name: text("name") },
        "end_procedure" => CaseAction::EndProcedure,
        "approve" => CaseAction::Approve,
        "conclude" => CaseAction::Conclude,
        "deliver" => CaseAction::Deliver(match form.first("method") {
            Some("pick_up") => Delivery::PickUp,
            Some("post") => Delivery::Post { tracking_number: text("tracking_number") },
            _ => Delivery::Online,
        }),
        _ => return Err(AppError::field("action", "未知操作 (unknown action)")),
    })
}

async fn act(r: Req, Path(number): Path<String>, FormPairs(form): FormPairs) -> Page {
    r.check_csrf(&form)?;
    let (who, _) = staff(&r, CASE_READERS).await?;
    let name = form.first("action").unwrap_or("");
    if form.first("back").is_some() {
        // Back from the confirmation: the case page with what was typed.
        return case_page(&r, &number, StatusCode::OK, Refused::new(r.f.lang.cases(), name, vec![], &form)).await;
    }
    if r.f.lang.cases().destructive(name) && form.first("confirmed") != Some("yes") {
        // A well-formed refusal or denial is asked about first; a malformed one is shown its errors.
        let checked = action_of(&form).and_then(|a| a.validate().map_err(cases::transition_error));
        if let Err(e) = checked {
            let (status, errors) = r.form_errors(e)?;
            return case_page(&r, &number, status, Refused::new(r.f.lang.cases(), name, errors, &form)).await;
        }
        let c = cases::get_case(&r.s.app, &who, &number).await.map_err(|e| r.error(e))?;
        let mut page = ConfirmPage::new(&r.f, &c, name, &form, format!("/workbench/cases/{number}"));
        return Ok(r.with_csrf(|csrf| {
            page.csrf = csrf;
            r.respond(StatusCode::OK, &page)
        }));
    }
    let version = form.first("version").and_then(|v| v.parse().ok());
    let comment = form.first("comment").map(str::to_owned);
    let result = match (form.first("action"), action_of(&form)) {
        (Some(claim @ ("claim" | "release")), _) => {
            cases::claim(&r.s.app, &who, &number, claim == "claim", &r.request_id()).await
        }
        (_, Ok(action)) => cases::act(&r.s.app, &who, &number, action, comment, version, &r.request_id()).await,
        (_, Err(e)) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/workbench/cases/{number}?done=acted"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            let refused = Refused::new(r.f.lang.cases(), form.first("action").unwrap_or(""), errors, &form);
            case_page(&r, &number, status, refused).await
        }
    }
}

#[derive(Template)]
#[template(path = "walk_in.html")]
struct WalkInPage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    csrf: String,
    person: String,
    offering: String,
    /// The hall whose window serves the ticket it is accepted from (its visit then finds the case).
    hall: String,
    errors: Vec<(String, String)>,
}

fn walk_in_page(r: &Req, status: StatusCode, form: &QueryPairs, errors: Vec<(String, String)>) -> Response {
    let l = r.f.lang.cases();
    r.with_csrf(|csrf| {
        let page = WalkInPage {
            f: &r.f,
            l,
            csrf,
            person: form.first("person").unwrap_or("").to_owned(),
            offering: form.first("offering_code").or(r.q.first("offering_code")).unwrap_or("").to_owned(),
            hall: form.first("hall").or(r.q.first("hall")).unwrap_or("").to_owned(),
            errors,
        };
        r.respond(status, &page)
    })
}

async fn walk_in(r: Req) -> Page {
    staff(&r, &[StaffRole::WindowStaff]).await?;
    Ok(walk_in_page(&r, StatusCode::OK, &QueryPairs(vec![]), vec![]))
}

async fn start_walk_in(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let field = |k: &str| form.first(k).unwrap_or("").trim().to_owned();
    match cases::start_for(&r.s.app, &who, &field("person"), &field("card_number"), &field("offering_code")).await {
        Ok(v) => {
            if let Some(hall) = form.first("hall").filter(|h| !h.is_empty()) {
                tongban_app::hall::queue::link_application(&r.s.app, &who, hall, &v.id)
                    .await
                    .map_err(|e| r.error(e))?;
            }
            Ok(see_other(&format!("/applications/{}?page=1", v.id)))
        }
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            Ok(walk_in_page(&r, status, &form, errors))
        }
    }
}

/// One agency and subtree on the supervision page: running cases by colour and the red ones.
pub struct BoardView {
    pub title: String,
    pub green: i64,
    pub yellow: i64,
    pub red: i64,
    pub cases: Vec<CaseRowView>,
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct SupervisionPage<'a> {
    f: &'a Frame,
    l: &'static CaseLabels,
    boards: Vec<BoardView>,
    warnings: [&'static str; 3],
    case_href: &'static str,
    /// Materials licences stood in for, platform-wide.
    materials_saved: u64,
}

/// 电子监察: for each auditor, agency administrator or approver role, the running cases by colour
/// and the red ones.
async fn supervision(r: Req) -> Page {
    let (who, roles) = staff(&r, &[StaffRole::Auditor, StaffRole::AgencyAdmin, StaffRole::Approver]).await?;
    let l = r.f.lang.cases();
    let mut boards = Vec::new();
    for a in roles {
        let b = tongban_app::supervision::board(&r.s.app, &who, &a.agency_code, &a.division_code)
            .await
            .map_err(|e| r.error(e))?;
        let q = QueueRequest {
            agency: a.agency_code.clone(),
            division: a.division_code.clone(),
            warning: Some(Warning::Red),
            limit: 20,
            ..Default::default()
        };
        let red = cases::queue(&r.s.app, &who, &q).await.map_err(|e| r.error(e))?;
        boards.push(BoardView {
            title: format!("{} · {}", a.agency_code, a.division_code),
            green: b.green,
            yellow: b.yellow,
            red: b.red,
            cases: red.iter().map(|c| case_row(l, c)).collect(),
        });
    }
    let warnings = [l.warning(Warning::Green), l.warning(Warning::Yellow), l.warning(Warning::Red)];
    let materials_saved = tongban_app::licences::uses::materials_saved(&r.s.app, None).await.map_err(|e| r.error(e))?;
    let page = SupervisionPage { f: &r.f, l, boards, warnings, case_href: "/workbench/cases/", materials_saved };
    Ok(r.respond(StatusCode::OK, &page))
}
