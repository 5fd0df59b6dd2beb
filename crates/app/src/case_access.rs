//! Who may read or change an application or a case, and what they are made on: the applicant
//! (the person, or the organization acted for with the scope the action needs) or the window
//! staff member who started a draft; staff of a case's sides and steps by role. Another's
//! application or case is a 404, never a 403, so nothing reveals that it exists. Also the guide
//! version an application is made on and its answers, sealed at rest. Cases, materials and
//! licence uses all ask here.

use crate::access::{self, Need, Principal};
use crate::forms::Guide;
use crate::{App, AppError};
use serde_json::{Map, Value};
use std::sync::Arc;
use tongban_domain::cases::CaseState;
use tongban_domain::catalog::ReviewStep;
use tongban_domain::identity::{AgentScope, StaffRole};
use tongban_store::cases::{ApplicationRow, CaseRow};

/// The sealing context of application data.
pub(crate) const DATA: &str = "application.data";
/// For whom an application is made: the person, or the organization they act for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Applicant {
    pub(crate) person_id: String,
    /// The organization's credit code; empty for the person themselves.
    pub(crate) organization: String,
}

/// The applicant `who` acts as, with the scope the action needs when acting for an organization.
pub(crate) async fn applicant(app: &App, who: &Principal, scope: AgentScope) -> Result<Applicant, AppError> {
    if who.acting.is_some() {
        access::authorize(app, who, Need::Organization(scope)).await?;
    }
    Ok(Applicant {
        person_id: who.person_id.clone(),
        organization: who.acting.as_ref().map(|a| a.credit_code.clone()).unwrap_or_default(),
    })
}

pub(crate) fn owns(a: &Applicant, applicant_id: &str, organization: &str) -> bool {
    if a.organization.is_empty() {
        organization.is_empty() && applicant_id == a.person_id
    } else {
        organization == a.organization
    }
}

pub(crate) const NO_APPLICATION: AppError = AppError::NotFound { what: "申请", what_en: "application" };
pub(crate) const NO_CASE: AppError = AppError::NotFound { what: "办件", what_en: "case" };

/// Whether `who` holds one of `roles` covering any of `places` (an agency and division each).
pub(crate) async fn staff_covers_any(app: &App, who: &Principal, roles: &[StaffRole], places: &[(&str, &str)]) -> bool {
    for place in places {
        if access::authorize(app, who, Need::Staff(roles, Some(*place))).await.is_ok() {
            return true;
        }
    }
    false
}

/// The receiving side and the agency handling the current step (the deciding agency, or at a
/// joint step another), as places staff roles cover.
pub(crate) fn sides(case: &CaseRow) -> [(&str, &str); 2] {
    [
        (case.receiving_agency.as_str(), case.receiving_division.as_str()),
        (case.handling_agency.as_str(), case.handling_division.as_str()),
    ]
}

pub(crate) fn deciding(case: &CaseRow) -> (&str, &str) {
    (case.deciding_agency.as_str(), case.deciding_division.as_str())
}

/// The review steps stored with a case.
pub(crate) fn steps_of(case: &CaseRow) -> Result<Vec<ReviewStep>, AppError> {
    serde_json::from_value(case.steps.clone()).map_err(AppError::internal)
}

pub(crate) async fn guide_version(app: &App, code: &str, version: i32) -> Result<Arc<Guide>, AppError> {
    app.guides.get(&app.store, code, version).await
}

pub(crate) fn open_data(app: &App, sealed: &str) -> Result<Map<String, Value>, AppError> {
    let text = app.vault.open(DATA, sealed).map_err(AppError::internal)?;
    serde_json::from_str(&text).map_err(AppError::internal)
}

pub(crate) fn seal_data(app: &App, data: &Map<String, Value>) -> Result<String, AppError> {
    app.vault.seal(DATA, &Value::Object(data.clone()).to_string()).map_err(AppError::internal)
}

/// Whether `who` is the window staff member who started the application for its applicant: that
/// gives access to the draft only, and only while they still hold a window role. After
/// submission staff read the case like any other, by their role on its side.
pub(crate) async fn started_by(app: &App, row: &ApplicationRow, who: &Principal) -> Result<bool, AppError> {
    if who.acting.is_some() || row.case_number.is_some() || row.started_by.as_deref() != Some(who.person_id.as_str()) {
        return Ok(false);
    }
    Ok(access::authorize(app, who, Need::StaffAnywhere(&[StaffRole::WindowStaff])).await.is_ok())
}

/// The application `id` if `who` may see it (404 otherwise: another's application is not
/// revealed to exist).
pub(crate) async fn own_application(
    app: &App,
    who: &Principal,
    id: &str,
    scope: AgentScope,
) -> Result<ApplicationRow, AppError> {
    let a = applicant(app, who, scope).await?;
    let row = app.store.application(id).await?.ok_or(NO_APPLICATION)?;
    if owns(&a, &row.applicant_id, &row.organization) || started_by(app, &row, who).await? {
        Ok(row)
    } else {
        Err(NO_APPLICATION)
    }
}

/// An application of `who` that may take files now, with its guide: a draft, or a case whose
/// supplement notice is open (补正: what the notice asks for is uploaded, then answered).
pub(crate) async fn own_open_for_files(
    app: &App,
    who: &Principal,
    id: &str,
) -> Result<(ApplicationRow, Arc<Guide>), AppError> {
    let row = own_application(app, who, id, AgentScope::Apply).await?;
    if let Some(n) = row.case_number.as_deref().filter(|n| !n.is_empty()) {
        let open = app.store.case(n).await?.is_some_and(|c| c.state == CaseState::SupplementRequested.as_str());
        if !open {
            return Err(AppError::Conflict {
                field: "id",
                message: "申请已提交；只有补正期间可以补充材料 (submitted: files can be added only to answer a supplement notice)".into(),
            });
        }
    }
    let guide = guide_version(app, &row.offering_code, row.offering_version).await?;
    Ok((row, guide))
}

/// A draft of `who` with the guide version it is made on; 409 once submitted.
pub(crate) async fn own_draft(app: &App, who: &Principal, id: &str) -> Result<(ApplicationRow, Arc<Guide>), AppError> {
    let row = own_application(app, who, id, AgentScope::Apply).await?;
    if row.case_number.is_some() {
        return Err(AppError::Conflict {
            field: "id", message: "申请已提交，不能再修改 (already submitted)".into()
        });
    }
    let guide = guide_version(app, &row.offering_code, row.offering_version).await?;
    Ok((row, guide))
}

/// An application `who` may read: their own, or the one behind a case they may read.
pub(crate) async fn readable_application(app: &App, who: &Principal, id: &str) -> Result<ApplicationRow, AppError> {
    match own_application(app, who, id, AgentScope::Apply).await {
        Ok(row) => Ok(row),
        Err(AppError::NotFound { .. } | AppError::Forbidden) => {
            let row = app.store.application(id).await?.ok_or(NO_APPLICATION)?;
            match row.case_number.as_deref().filter(|n| !n.is_empty()) {
                Some(n) => readable_case(app, who, n).await.map(|_| row).map_err(|_| NO_APPLICATION),
                None => Err(NO_APPLICATION),
            }
        }
        Err(e) => Err(e),
    }
}

/// The staff roles that may read a case: those that act on it, and auditors.
pub(crate) const READERS: &[StaffRole] =
    &[StaffRole::WindowStaff, StaffRole::Approver, StaffRole::Auditor, StaffRole::AgencyAdmin];

/// The case if `who` may read it: its applicant (or an agent with the cases scope), or staff of
/// the receiving side, the deciding side or an agency of a joint step. Otherwise 404 — another's
/// case is not revealed to exist.
pub(crate) async fn readable_case(app: &App, who: &Principal, case_number: &str) -> Result<CaseRow, AppError> {
    let case = app.store.case(case_number.trim()).await?.ok_or(NO_CASE)?;
    if is_applicant(app, who, &case).await? {
        return Ok(case);
    }
    if staff_reads(app, who, &case).await? { Ok(case) } else { Err(NO_CASE) }
}

/// Whether `who` reads `case` as staff: of the receiving side, the deciding side or an agency of
/// a joint step.
pub(crate) async fn staff_reads(app: &App, who: &Principal, case: &CaseRow) -> Result<bool, AppError> {
    let steps = steps_of(case)?;
    let mut places = vec![sides(case)[0], deciding(case)];
    places.extend(steps.iter().filter_map(ReviewStep::place));
    Ok(staff_covers_any(app, who, READERS, &places).await)
}

pub(crate) async fn is_applicant(app: &App, who: &Principal, case: &CaseRow) -> Result<bool, AppError> {
    let a = match applicant(app, who, AgentScope::Cases).await {
        Ok(a) => a,
        Err(AppError::Forbidden) => return Ok(false),
        Err(e) => return Err(e),
    };
    Ok(owns(&a, &case.applicant_id, &case.organization))
}

/// The guide version a case was submitted under.
pub(crate) async fn guide_of_case(app: &App, case: &CaseRow) -> Result<Arc<Guide>, AppError> {
    guide_version(app, &case.offering_code, case.offering_version).await
}

/// The answers of a case's application, unsealed.
pub(crate) async fn case_answers(app: &App, case: &CaseRow) -> Result<Map<String, Value>, AppError> {
    let row = app.store.application(&case.application_id).await?.ok_or(NO_APPLICATION)?;
    open_data(app, &row.data_sealed)
}
