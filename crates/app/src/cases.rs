//! Applications (申请) and cases (办件): start an application from a guide with the data the
//! platform already knows filled in (一表申请), save and return, submit once (a repeat gives the
//! same case), and every action on the case through the domain's state machine, the statutory
//! clock and the one authorization check — each change written with its audit entry and the
//! applicant's message in one transaction.

use crate::forms::FormCache;
use crate::identity::{self, Principal};
use crate::materials::MaterialNeed;
use crate::policy::{self, Need};
use crate::{App, AppError};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use tongban_domain::Calendar;
use tongban_domain::calendar::china_today;
use tongban_domain::cases::{
    self as lifecycle, Actor, CaseAction, CaseState, Clock, Lifecycle, Pause, Side, TransitionError, WarningRule,
};
use tongban_domain::catalog::{Audience, Offering};
use tongban_domain::forms::{Form, PrefillSource};
use tongban_domain::identity::{AgentScope, Assurance, StaffRole};
use tongban_store::audit::{AuditReport, TrailDraft, TrailRow};
use tongban_store::cases::{ApplicationRow, CaseRow, Notice, QueueFilter};

/// The sealing context of application data.
const DATA: &str = "application.data";
/// The assurance level needed to submit: a real name (L2).
pub const SUBMIT_ASSURANCE: Assurance = Assurance::L2;
/// The longest comment on an action.
pub const MAX_COMMENT: usize = 500;

/// Settings and caches of case handling.
pub struct Cases {
    /// This node's number in case numbers (0–99), unique among the nodes sharing a database.
    pub node: u8,
    pub warnings: WarningRule,
    pub forms: FormCache,
}

impl Default for Cases {
    fn default() -> Self {
        Self { node: 1, warnings: WarningRule::default(), forms: FormCache::default() }
    }
}

/// For whom an application is made: the person, or the organization they act for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Applicant {
    person_id: String,
    /// The organization's credit code; empty for the person themselves.
    organization: String,
}

/// The applicant `who` acts as, with the scope the action needs when acting for an organization.
async fn applicant(app: &App, who: &Principal, scope: AgentScope) -> Result<Applicant, AppError> {
    if who.acting.is_some() {
        policy::authorize(app, who, Need::Organization(scope)).await?;
    }
    Ok(Applicant {
        person_id: who.person_id.clone(),
        organization: who.acting.as_ref().map(|a| a.credit_code.clone()).unwrap_or_default(),
    })
}

fn owns(a: &Applicant, applicant_id: &str, organization: &str) -> bool {
    if a.organization.is_empty() {
        organization.is_empty() && applicant_id == a.person_id
    } else {
        organization == a.organization
    }
}

pub(crate) const NO_APPLICATION: AppError = AppError::NotFound { what: "申请", what_en: "application" };
const NO_CASE: AppError = AppError::NotFound { what: "办件", what_en: "case" };

/// An application as its applicant sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationView {
    pub id: String,
    pub offering_code: String,
    pub offering_version: i32,
    pub offering_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: Map<String, Value>,
    /// Field → where its value was filled in from, for the fields the applicant has not changed.
    pub prefilled: BTreeMap<String, PrefillSource>,
    /// What still stops submission, field → message.
    pub errors: BTreeMap<String, String>,
    /// The guide's materials and the files uploaded for each.
    pub materials: Vec<MaterialNeed>,
    /// Set once submitted.
    pub case_number: Option<String>,
    pub updated_at: chrono::DateTime<Utc>,
}

async fn guide_version(app: &App, code: &str, version: i32) -> Result<Offering, AppError> {
    app.store
        .offering_version(code, version)
        .await?
        .ok_or(AppError::NotFound { what: "服务事项", what_en: "offering" })
}

fn open_data(app: &App, sealed: &str) -> Result<Map<String, Value>, AppError> {
    let text = app.identity.vault().open(DATA, sealed).map_err(AppError::internal)?;
    serde_json::from_str(&text).map_err(AppError::internal)
}

fn seal_data(app: &App, data: &Map<String, Value>) -> Result<String, AppError> {
    app.identity.vault().seal(DATA, &Value::Object(data.clone()).to_string()).map_err(AppError::internal)
}

async fn view(app: &App, row: ApplicationRow) -> Result<ApplicationView, AppError> {
    let offering = guide_version(app, &row.offering_code, row.offering_version).await?;
    let form = app.cases.forms.get(&row.offering_code, row.offering_version, &offering.form())?;
    let data = open_data(app, &row.data_sealed)?;
    let mut errors = form.check(&data);
    let materials = crate::materials::needs(&offering, app.store.materials_of(&row.id).await?);
    if let Some(m) = missing_materials(&materials) {
        errors.insert("materials".into(), m);
    }
    Ok(ApplicationView {
        materials,
        id: row.id,
        offering_name: offering.name,
        offering_code: row.offering_code,
        offering_version: row.offering_version,
        prefilled: serde_json::from_value(row.prefilled).map_err(AppError::internal)?,
        errors,
        data,
        case_number: row.case_number.filter(|n| !n.is_empty()),
        updated_at: row.updated_at,
    })
}

/// What the platform knows for a form's fields, and from where: the person's real name and
/// phone, the organization acted for, and the same field of the applicant's earlier applications.
async fn prefill(
    app: &App,
    who: &Principal,
    a: &Applicant,
    offering: &Offering,
) -> Result<(Map<String, Value>, BTreeMap<String, PrefillSource>), AppError> {
    let form = offering.form();
    let mut earlier: Map<String, Value> = Map::new();
    if form.fields().any(|f| f.prefill.contains(&PrefillSource::Earlier)) {
        // Newest first: the first value seen of each field wins.
        for row in app.store.applications_of(&a.person_id, &a.organization, 20).await? {
            for (k, v) in open_data(app, &row.data_sealed)? {
                earlier.entry(k).or_insert(v);
            }
        }
    }
    let mut data = Map::new();
    let mut sources = BTreeMap::new();
    for f in form.fields() {
        for source in &f.prefill {
            let value = match source {
                PrefillSource::PersonName => Some(Value::String(who.name.clone())),
                PrefillSource::PersonPhone => Some(Value::String(identity::own_phone(app, &who.person_id).await?)),
                PrefillSource::OrganizationName => who.acting.as_ref().map(|o| Value::String(o.name.clone())),
                PrefillSource::OrganizationCreditCode => {
                    who.acting.as_ref().map(|o| Value::String(o.credit_code.clone()))
                }
                PrefillSource::Earlier => earlier.get(&f.name).cloned(),
            };
            if let Some(v) = value {
                data.insert(f.name.clone(), v);
                sources.insert(f.name.clone(), *source);
                break;
            }
        }
    }
    Ok((form.keep_shown(data), sources))
}

/// The message naming the required materials without a file, if any.
fn missing_materials(needs: &[MaterialNeed]) -> Option<String> {
    let missing = crate::materials::missing(needs);
    (!missing.is_empty()).then(|| format!("请上传 (please upload): {}", missing.join("、")))
}

/// Starts an application for the published offering `offering_code`, pre-filled.
pub async fn start(app: &App, who: &Principal, offering_code: &str) -> Result<ApplicationView, AppError> {
    let a = applicant(app, who, AgentScope::Apply).await?;
    let guide = crate::catalog::get(&app.store, offering_code.trim()).await.map_err(|e| match e {
        AppError::NotFound { .. } => {
            AppError::field("offering_code", "没有这个已发布的服务事项 (no such published offering)")
        }
        e => e,
    })?;
    let audience = if a.organization.is_empty() { Audience::Person } else { Audience::Organization };
    if !guide.offering.audience.contains(&audience) {
        let message = if a.organization.is_empty() {
            "该事项面向法人，请切换到所代表的单位后申请 (this service is for organizations: act for one first)"
        } else {
            "该事项面向个人，请以个人身份申请 (this service is for persons: stop acting for the organization)"
        };
        return Err(AppError::field("offering_code", message));
    }
    let (data, sources) = prefill(app, who, &a, &guide.offering).await?;
    let now = Utc::now();
    let row = ApplicationRow {
        id: format!("ap_{}", &tongban_crypto::token().map_err(AppError::internal)?[..24]),
        applicant_id: a.person_id,
        organization: a.organization,
        offering_code: guide.offering.offering_code.clone(),
        offering_version: guide.version,
        data_sealed: seal_data(app, &data)?,
        prefilled: serde_json::to_value(&sources).map_err(AppError::internal)?,
        started_by: None,
        case_number: None,
        submit_key: None,
        created_at: now,
        updated_at: now,
    };
    app.store.insert_application(row.clone()).await?;
    view(app, row).await
}

/// The application `id` if `who` may see it (404 otherwise: another's application is not
/// revealed to exist).
async fn own_application(app: &App, who: &Principal, id: &str, scope: AgentScope) -> Result<ApplicationRow, AppError> {
    let a = applicant(app, who, scope).await?;
    let row = app.store.application(id).await?.ok_or(NO_APPLICATION)?;
    if owns(&a, &row.applicant_id, &row.organization) { Ok(row) } else { Err(NO_APPLICATION) }
}

/// A draft of `who` with the guide version it is made on; 409 once submitted.
pub(crate) async fn own_draft(app: &App, who: &Principal, id: &str) -> Result<(ApplicationRow, Offering), AppError> {
    let row = own_application(app, who, id, AgentScope::Apply).await?;
    if row.case_number.is_some() {
        return Err(AppError::Conflict {
            field: "id", message: "申请已提交，不能再修改 (already submitted)".into()
        });
    }
    let offering = guide_version(app, &row.offering_code, row.offering_version).await?;
    Ok((row, offering))
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

pub async fn get_application(app: &App, who: &Principal, id: &str) -> Result<ApplicationView, AppError> {
    let row = own_application(app, who, id, AgentScope::Apply).await?;
    view(app, row).await
}

/// An application with the form it is filled in on, for its applicant's pages.
pub async fn application_with_form(app: &App, who: &Principal, id: &str) -> Result<(ApplicationView, Form), AppError> {
    let v = get_application(app, who, id).await?;
    let form = guide_version(app, &v.offering_code, v.offering_version).await?.form().into_owned();
    Ok((v, form))
}

/// The application behind a case with its form, for whoever may read the case.
pub async fn case_application(
    app: &App,
    who: &Principal,
    case_number: &str,
) -> Result<(ApplicationView, Form), AppError> {
    let case = readable_case(app, who, case_number).await?;
    let row = app.store.application(&case.application_id).await?.ok_or(NO_APPLICATION)?;
    let v = view(app, row).await?;
    let form = guide_version(app, &v.offering_code, v.offering_version).await?.form().into_owned();
    Ok((v, form))
}

/// The applicant's applications, newest first.
pub async fn my_applications(app: &App, who: &Principal) -> Result<Vec<ApplicationView>, AppError> {
    let a = applicant(app, who, AgentScope::Apply).await?;
    let mut out = Vec::new();
    for row in app.store.applications_of(&a.person_id, &a.organization, 100).await? {
        out.push(view(app, row).await?);
    }
    Ok(out)
}

/// Replaces a draft's data (hidden and unknown fields dropped); a field whose value the applicant
/// changed is no longer marked as pre-filled. Incomplete data is kept: the errors come back.
pub async fn save(app: &App, who: &Principal, id: &str, data: Map<String, Value>) -> Result<ApplicationView, AppError> {
    let row = own_application(app, who, id, AgentScope::Apply).await?;
    if row.case_number.is_some() {
        return Err(AppError::Conflict {
            field: "id", message: "申请已提交，不能再修改 (already submitted)".into()
        });
    }
    let offering = guide_version(app, &row.offering_code, row.offering_version).await?;
    let data = offering.form().keep_shown(data);
    let old = open_data(app, &row.data_sealed)?;
    let mut sources: BTreeMap<String, PrefillSource> =
        serde_json::from_value(row.prefilled.clone()).map_err(AppError::internal)?;
    sources.retain(|k, _| data.get(k).is_some_and(|v| old.get(k) == Some(v)));
    let sealed = seal_data(app, &data)?;
    let prefilled = serde_json::to_value(&sources).map_err(AppError::internal)?;
    let now = Utc::now();
    if !app.store.save_application(id, sealed.clone(), prefilled.clone(), now).await? {
        return Err(AppError::Conflict {
            field: "id", message: "申请已提交，不能再修改 (already submitted)".into()
        });
    }
    view(app, ApplicationRow { data_sealed: sealed, prefilled, updated_at: now, ..row }).await
}

/// The receipt of a submission (回执).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub case_number: String,
    /// The day the case is due if accepted today (the clock starts at acceptance).
    pub due: NaiveDate,
    pub provisional: bool,
    pub next: String,
    /// False when this was a repeat of an earlier submission.
    pub created: bool,
}

/// What a person does on a case, as the trail records it.
fn role_name(who: &Principal, applicant: bool) -> String {
    if applicant { if who.acting.is_some() { "agent".into() } else { "applicant".into() } } else { "staff".into() }
}

/// Submits a complete draft: it becomes a case with its number. Submitting again (a double
/// click, a retry with the same `Idempotency-Key`) returns the same case.
pub async fn submit(
    app: &App,
    who: &Principal,
    id: &str,
    idempotency_key: Option<&str>,
    request_id: &str,
) -> Result<Receipt, AppError> {
    if let Some(k) = idempotency_key
        && (k.is_empty() || k.len() > 200 || !k.is_ascii())
    {
        return Err(AppError::field("Idempotency-Key", "应为 1 至 200 个 ASCII 字符 (1 to 200 ASCII characters)"));
    }
    let row = own_application(app, who, id, AgentScope::Apply).await?;
    let offering = guide_version(app, &row.offering_code, row.offering_version).await?;
    let today = china_today();
    let limit = offering.committed_limit;
    if row.case_number.as_deref().is_some_and(|n| !n.is_empty()) {
        // Already submitted: answer as before without re-checking anything.
        return receipt_of_existing(app, &row, limit, today).await;
    }
    if who.assurance < SUBMIT_ASSURANCE {
        return Err(AppError::AssuranceRequired { level: SUBMIT_ASSURANCE });
    }
    let form = app.cases.forms.get(&row.offering_code, row.offering_version, &offering.form())?;
    let mut errors = form.check(&open_data(app, &row.data_sealed)?);
    let needs = crate::materials::needs(&offering, app.store.materials_of(&row.id).await?);
    if let Some(m) = missing_materials(&needs) {
        errors.insert("materials".into(), m);
    }
    if !errors.is_empty() {
        return Err(AppError::Validation { fields: errors });
    }
    let steps = offering.steps_after_acceptance();
    let now = Utc::now();
    let case = CaseRow {
        case_number: String::new(),
        application_id: row.id.clone(),
        offering_code: row.offering_code.clone(),
        offering_version: row.offering_version,
        offering_name: offering.name.clone(),
        applicant_id: row.applicant_id.clone(),
        organization: row.organization.clone(),
        receiving_agency: offering.agency.credit_code.clone(),
        receiving_division: offering.division_code.clone(),
        deciding_agency: offering.agency.credit_code.clone(),
        deciding_division: offering.division_code.clone(),
        case_kind: serde_json::to_value(offering.case_kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        state: CaseState::Submitted.as_str().into(),
        step: 0,
        steps: json!(steps),
        accepted: false,
        limit_days: i32::try_from(limit).map_err(AppError::internal)?,
        accepted_on: None,
        stopped_on: None,
        pauses: json!([]),
        due: None,
        warning: lifecycle::Warning::Green.as_str().into(),
        claimed_by: None,
        version: 1,
        submitted_at: now,
        updated_at: now,
    };
    let trail = TrailDraft {
        at: now,
        actor_id: who.person_id.clone(),
        actor_role: role_name(who, true),
        action: "submit".into(),
        before_state: "draft".into(),
        after_state: CaseState::Submitted.as_str().into(),
        detail: json!({"offering_version": row.offering_version}).to_string(),
        request_id: request_id.to_owned(),
    };
    let notice = Notice {
        id: message_id()?,
        person_id: row.applicant_id.clone(),
        title: format!("您的申请已提交：{}", offering.name),
        body: "窗口将在 5 个工作日内完成预审，并告知受理结果或需补正的全部内容。".into(),
    };
    let submitted = app
        .store
        .submit_application(case, today, app.cases.node, idempotency_key.map(str::to_owned), trail, notice)
        .await?;
    let due = expected_due(app, today, limit).await?;
    Ok(Receipt {
        case_number: submitted.case.case_number,
        due: due.due,
        provisional: due.provisional,
        next: next_step_text(CaseState::Submitted),
        created: submitted.created,
    })
}

async fn receipt_of_existing(
    app: &App,
    row: &ApplicationRow,
    limit: u32,
    today: NaiveDate,
) -> Result<Receipt, AppError> {
    let number = row.case_number.clone().unwrap_or_default();
    let case = app.store.case(&number).await?.ok_or(NO_CASE)?;
    let clock = clock_of(app, &case, today).await?;
    let due = match clock {
        Some(c) => c.due,
        None => expected_due(app, today, limit).await?,
    };
    let state = CaseState::parse(&case.state).unwrap_or(CaseState::Submitted);
    Ok(Receipt {
        case_number: number,
        due: due.due,
        provisional: due.provisional,
        next: next_step_text(state),
        created: false,
    })
}

/// When a case is due: by its clock once accepted, otherwise as if accepted today (the receipt).
pub async fn expected_due_of(app: &App, c: &CaseView) -> Result<Option<tongban_domain::Deadline>, AppError> {
    if let Some(k) = c.clock {
        return Ok(Some(k.due));
    }
    if c.state.is_final() {
        return Ok(None);
    }
    expected_due(app, china_today(), c.limit).await.map(Some)
}

/// The due day if the case were accepted on `day`.
async fn expected_due(app: &App, day: NaiveDate, limit: u32) -> Result<tongban_domain::Deadline, AppError> {
    app.calendar.with(&app.store, |c| c.deadline(day, limit, &[])).await
}

fn message_id() -> Result<String, AppError> {
    Ok(format!("m_{}", &tongban_crypto::token().map_err(AppError::internal)?[..24]))
}

/// What happens next, in the applicant's words.
pub fn next_step_text(state: CaseState) -> String {
    match state {
        CaseState::Submitted => "等待窗口预审：受理、不予受理或一次性告知需补正的全部内容。",
        CaseState::SupplementRequested => "请按补正告知一次补齐全部内容后重新提交；补正期间不计入办理时限。",
        CaseState::UnderReview => "已受理，正在审查。",
        CaseState::InProcedure => "正在进行特殊环节（听证、检验、检测、专家评审等），所需时间不计入办理时限。",
        CaseState::Refused => "不予受理，理由与依据见办件记录。",
        CaseState::Approved => "已准予，正在制作办理结果。",
        CaseState::Denied => "不予许可，理由与依据见办件记录；如不服可依法申请行政复议或提起行政诉讼。",
        CaseState::Concluded => "已办结，等待送达。",
        CaseState::Delivered => "结果已送达。",
        CaseState::Withdrawn => "您已撤回申请。",
    }
    .to_owned()
}

fn pauses_of(case: &CaseRow) -> Result<Vec<Pause>, AppError> {
    serde_json::from_value(case.pauses.clone()).map_err(AppError::internal)
}

/// The clock of an accepted case on `today`; `None` before acceptance.
pub(crate) fn clock_with(
    calendar: &Calendar,
    case: &CaseRow,
    today: NaiveDate,
    rule: WarningRule,
) -> Result<Option<Clock>, AppError> {
    let Some(accepted_on) = case.accepted_on else { return Ok(None) };
    let limit = u32::try_from(case.limit_days).map_err(AppError::internal)?;
    let pauses = pauses_of(case)?;
    Ok(Some(lifecycle::clock(calendar, accepted_on, limit, &pauses, case.stopped_on, today, rule)))
}

async fn clock_of(app: &App, case: &CaseRow, today: NaiveDate) -> Result<Option<Clock>, AppError> {
    app.calendar.with(&app.store, |c| clock_with(c, case, today, app.cases.warnings)).await?
}

/// A case as its applicant or the staff handling it see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    pub case_number: String,
    pub offering_code: String,
    pub offering_name: String,
    pub state: CaseState,
    pub state_name: String,
    /// The review step the case is at, and every step.
    pub step: String,
    pub steps: Vec<String>,
    pub case_kind: String,
    pub receiving_agency: String,
    pub receiving_division: String,
    pub deciding_agency: String,
    pub deciding_division: String,
    pub submitted_at: chrono::DateTime<Utc>,
    pub accepted_on: Option<NaiveDate>,
    /// The committed limit in working days.
    pub limit: u32,
    pub clock: Option<Clock>,
    pub pauses: Vec<Pause>,
    /// The open supplement notice: everything the applicant must provide.
    pub supplement: Option<Vec<String>>,
    pub next: String,
    pub claimed_by: Option<String>,
    /// Send it back with an action to act only on what you saw.
    pub version: i64,
}

/// A case with its open supplement notice, for its own page.
async fn case_view(app: &App, case: CaseRow) -> Result<CaseView, AppError> {
    let supplement = if case.state == CaseState::SupplementRequested.as_str() {
        let trail = app.store.trail(&case.case_number).await?;
        trail.iter().rev().find(|e| e.action == "request_supplement").and_then(|e| {
            serde_json::from_str::<Value>(&e.detail)
                .ok()?
                .get("missing")
                .cloned()
                .and_then(|m| serde_json::from_value(m).ok())
        })
    } else {
        None
    };
    let mut views = case_views(app, vec![case]).await?;
    let mut v = views.pop().ok_or_else(|| AppError::internal("no view"))?;
    v.supplement = supplement;
    Ok(v)
}

/// Cases as lists show them (no supplement notice), with the calendar read once.
async fn case_views(app: &App, cases: Vec<CaseRow>) -> Result<Vec<CaseView>, AppError> {
    let (today, rule) = (china_today(), app.cases.warnings);
    app.calendar.with(&app.store, |c| cases.into_iter().map(|case| view_with(c, case, today, rule)).collect()).await?
}

fn view_with(calendar: &Calendar, case: CaseRow, today: NaiveDate, rule: WarningRule) -> Result<CaseView, AppError> {
    let state =
        CaseState::parse(&case.state).ok_or_else(|| AppError::Internal(format!("case {} state", case.case_number)))?;
    let steps: Vec<String> = serde_json::from_value(case.steps.clone()).map_err(AppError::internal)?;
    let clock = clock_with(calendar, &case, today, rule)?;
    Ok(CaseView {
        step: steps.get(usize::try_from(case.step).unwrap_or(0)).cloned().unwrap_or_default(),
        pauses: pauses_of(&case)?,
        case_number: case.case_number,
        offering_code: case.offering_code,
        offering_name: case.offering_name,
        state,
        state_name: state.name_zh().into(),
        steps,
        case_kind: case.case_kind,
        receiving_agency: case.receiving_agency,
        receiving_division: case.receiving_division,
        deciding_agency: case.deciding_agency,
        deciding_division: case.deciding_division,
        submitted_at: case.submitted_at,
        accepted_on: case.accepted_on,
        limit: u32::try_from(case.limit_days).unwrap_or(0),
        clock,
        supplement: None,
        next: next_step_text(state),
        claimed_by: case.claimed_by,
        version: case.version,
    })
}

/// The staff roles that may read a case: those that act on it, and auditors.
const READERS: &[StaffRole] =
    &[StaffRole::WindowStaff, StaffRole::Approver, StaffRole::Auditor, StaffRole::AgencyAdmin];

/// The case if `who` may read it: its applicant (or an agent with the cases scope), or staff of
/// the receiving or the deciding side. Otherwise 404 — another's case is not revealed to exist.
async fn readable_case(app: &App, who: &Principal, case_number: &str) -> Result<CaseRow, AppError> {
    let case = app.store.case(case_number.trim()).await?.ok_or(NO_CASE)?;
    if is_applicant(app, who, &case).await? {
        return Ok(case);
    }
    let sides = [
        (case.receiving_agency.as_str(), case.receiving_division.as_str()),
        (case.deciding_agency.as_str(), case.deciding_division.as_str()),
    ];
    let mut staff = false;
    for place in sides {
        if policy::authorize(app, who, Need::Staff(READERS, Some(place))).await.is_ok() {
            staff = true;
            break;
        }
    }
    if staff { Ok(case) } else { Err(NO_CASE) }
}

async fn is_applicant(app: &App, who: &Principal, case: &CaseRow) -> Result<bool, AppError> {
    let a = match applicant(app, who, AgentScope::Cases).await {
        Ok(a) => a,
        Err(AppError::Forbidden) => return Ok(false),
        Err(e) => return Err(e),
    };
    Ok(owns(&a, &case.applicant_id, &case.organization))
}

pub async fn get_case(app: &App, who: &Principal, case_number: &str) -> Result<CaseView, AppError> {
    let case = readable_case(app, who, case_number).await?;
    case_view(app, case).await
}

/// The applicant's cases, newest first.
pub async fn my_cases(app: &App, who: &Principal) -> Result<Vec<CaseView>, AppError> {
    let a = applicant(app, who, AgentScope::Cases).await?;
    case_views(app, app.store.cases_of(&a.person_id, &a.organization, 100).await?).await
}

fn transition_error(e: TransitionError) -> AppError {
    match e {
        TransitionError::Invalid { field, reason } => AppError::field(field, reason),
        e @ TransitionError::NotAllowed { .. } => AppError::Conflict { field: "action", message: e.to_string() },
    }
}

/// Takes `action` on a case with an optional comment. `version`, when given, must be the one
/// the actor saw (409 otherwise). Checks who may act, the state machine, then writes the new
/// position, the clock, the trail entry and the applicant's message together.
pub async fn act(
    app: &App,
    who: &Principal,
    case_number: &str,
    action: CaseAction,
    comment: Option<String>,
    version: Option<i64>,
    request_id: &str,
) -> Result<CaseView, AppError> {
    let comment = comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT) {
        return Err(AppError::field(
            "comment",
            format!("不能超过 {MAX_COMMENT} 个字 (at most {MAX_COMMENT} characters)"),
        ));
    }
    let case = readable_case(app, who, case_number).await?;
    if version.is_some_and(|v| v != case.version) {
        return Err(stale());
    }
    let state = CaseState::parse(&case.state).ok_or_else(|| AppError::Internal("case state".into()))?;
    let steps: Vec<String> = serde_json::from_value(case.steps.clone()).map_err(AppError::internal)?;
    let position = Lifecycle::restore(
        state,
        u16::try_from(case.step).map_err(AppError::internal)?,
        u16::try_from(steps.len()).map_err(AppError::internal)?,
        case.accepted,
    )
    .ok_or_else(|| AppError::Internal(format!("case {} has an impossible position", case.case_number)))?;
    let applicant_acts = match action.actor(state) {
        Actor::Applicant => {
            if !is_applicant(app, who, &case).await? {
                return Err(AppError::Forbidden);
            }
            true
        }
        Actor::Staff(roles, side) => {
            let place = match side {
                Side::Receiving => (case.receiving_agency.as_str(), case.receiving_division.as_str()),
                Side::Deciding => (case.deciding_agency.as_str(), case.deciding_division.as_str()),
            };
            policy::authorize(app, who, Need::Staff(roles, Some(place))).await?;
            false
        }
    };
    let next = position.apply(&action).map_err(transition_error)?;
    let today = china_today();
    let mut pauses = pauses_of(&case)?;
    let mut new = case.clone();
    match &action {
        CaseAction::Accept => new.accepted_on = Some(today),
        CaseAction::RequestSupplement { .. } | CaseAction::StartProcedure { .. } if next.accepted() => {
            pauses.push(Pause { from: today, until: None });
        }
        CaseAction::Supplement | CaseAction::EndProcedure => {
            if let Some(p) = pauses.iter_mut().find(|p| p.until.is_none()) {
                p.until = Some(today);
            }
        }
        CaseAction::Approve | CaseAction::Deny { .. } => new.stopped_on = Some(today),
        CaseAction::Withdraw if case.accepted => new.stopped_on = Some(today),
        _ => {}
    }
    new.state = next.state().as_str().into();
    new.step = i32::from(next.step());
    new.accepted = next.accepted();
    new.pauses = serde_json::to_value(&pauses).map_err(AppError::internal)?;
    new.version = case.version + 1;
    new.updated_at = Utc::now();
    if let Some(clock) = clock_of(app, &new, today).await? {
        new.due = Some(clock.due.due);
        new.warning = clock.warning.as_str().into();
    }
    let mut detail = serde_json::to_value(&action).map_err(AppError::internal)?;
    if let (Some(c), Some(obj)) = (&comment, detail.as_object_mut()) {
        obj.insert("comment".into(), Value::String(c.clone()));
    }
    let trail = TrailDraft {
        at: new.updated_at,
        actor_id: who.person_id.clone(),
        actor_role: role_name(who, applicant_acts),
        action: action.as_str().into(),
        before_state: case.state.clone(),
        after_state: new.state.clone(),
        detail: detail.to_string(),
        request_id: request_id.to_owned(),
    };
    let notice = (!applicant_acts).then(|| -> Result<Notice, AppError> {
        Ok(Notice {
            id: message_id()?,
            person_id: case.applicant_id.clone(),
            title: format!("办件 {} {}：{}", case.case_number, action.name_zh(), next.state().name_zh()),
            body: next_step_text(next.state()),
        })
    });
    if !app.store.update_case(new.clone(), case.version, trail, notice.transpose()?).await? {
        return Err(stale());
    }
    case_view(app, new).await
}

fn stale() -> AppError {
    AppError::Conflict {
        field: "version",
        message: "办件已被他人处理，请刷新后再试 (the case changed since you read it; reload)".into(),
    }
}

/// One entry of a case's trail, in plain words.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrailEntryView {
    pub seq: i64,
    pub at: chrono::DateTime<Utc>,
    /// `applicant`, `agent` or `staff`.
    pub actor_role: String,
    pub action: String,
    /// What happened, in plain words.
    pub summary: String,
    pub before_state: String,
    pub after_state: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: Value,
    pub hash: String,
}

fn plain(e: &TrailRow) -> String {
    let who = match e.actor_role.as_str() {
        "applicant" => "申请人",
        "agent" => "经办人",
        _ => "工作人员",
    };
    let after = CaseState::parse(&e.after_state).map_or("", CaseState::name_zh);
    let what = match e.action.as_str() {
        "submit" => "提交申请".to_owned(),
        other => serde_json::from_value::<CaseAction>(serde_json::from_str(&e.detail).unwrap_or(Value::Null))
            .map(|a| a.name_zh().to_owned())
            .unwrap_or_else(|_| other.to_owned()),
    };
    format!("{who}{what}，办件{after}")
}

pub async fn trail(app: &App, who: &Principal, case_number: &str) -> Result<Vec<TrailEntryView>, AppError> {
    let case = readable_case(app, who, case_number).await?;
    Ok(app
        .store
        .trail(&case.case_number)
        .await?
        .into_iter()
        .map(|e| TrailEntryView {
            summary: plain(&e),
            seq: e.seq,
            at: e.at,
            actor_role: e.actor_role,
            action: e.action,
            before_state: e.before_state,
            after_state: e.after_state,
            detail: serde_json::from_str(&e.detail).unwrap_or(Value::Null),
            hash: e.hash,
        })
        .collect())
}

/// The staff roles that work a queue.
const WORKERS: &[StaffRole] = &[StaffRole::WindowStaff, StaffRole::Approver, StaffRole::Auditor];

/// A queue request from the workbench.
#[derive(Debug, Clone, Default)]
pub struct QueueRequest {
    pub agency: String,
    pub division: String,
    /// The receiving side's queue (pre-review) instead of the deciding side's.
    pub receiving: bool,
    pub states: Vec<CaseState>,
    pub warning: Option<lifecycle::Warning>,
    pub mine: bool,
    pub after: Option<String>,
    pub limit: u64,
}

/// A page of a staff queue at an agency within a division subtree the staff member covers.
pub async fn queue(app: &App, who: &Principal, q: &QueueRequest) -> Result<Vec<CaseView>, AppError> {
    policy::authorize(app, who, Need::Staff(WORKERS, Some((&q.agency, &q.division)))).await?;
    let division =
        tongban_domain::DivisionCode::parse(&q.division).map_err(|e| AppError::field("division", e.to_string()))?;
    let prefix = division.as_str().trim_end_matches("00").trim_end_matches("00").to_owned();
    let after = match &q.after {
        Some(n) => {
            let c = app.store.case(n).await?.ok_or_else(|| AppError::field("after", "没有这个办件 (no such case)"))?;
            Some((c.due, c.case_number))
        }
        None => None,
    };
    let rows = app
        .store
        .queue(&QueueFilter {
            agency: q.agency.clone(),
            division_prefix: prefix,
            receiving: q.receiving,
            states: q.states.iter().map(|s| s.as_str().to_owned()).collect(),
            warning: q.warning.map(|w| w.as_str().to_owned()),
            claimed_by: q.mine.then(|| who.person_id.clone()),
            after,
            limit: q.limit.clamp(1, 100),
        })
        .await?;
    case_views(app, rows).await
}

/// Verifies every case's trail and the global chain.
pub async fn verify_audit(app: &App) -> Result<AuditReport, AppError> {
    Ok(app.store.verify_audit().await?)
}
