//! What applicants and staff read of a case: its view with the clock, its trail in plain words.

use super::*;

pub(crate) fn pauses_of(case: &CaseRow) -> Result<Vec<Pause>, AppError> {
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

pub(crate) async fn clock_of(app: &App, case: &CaseRow, today: NaiveDate) -> Result<Option<Clock>, AppError> {
    app.calendar.with(&app.store, |c| clock_with(c, case, today, app.cases.warnings)).await?
}

/// A case as its applicant or the staff handling it see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    pub case_number: String,
    /// The application behind it (its files are under it).
    pub application_id: String,
    pub offering_code: String,
    pub offering_name: String,
    /// The item's type (`ITEM_TYPES`: 01 行政许可, 07 行政确认 …): how its decision is worded. Set
    /// on a case's own page, not in lists.
    pub item_type: String,
    pub state: CaseState,
    pub state_name: String,
    /// The review step the case is at, and every step.
    pub step: String,
    pub steps: Vec<String>,
    /// At a joint step (联办件): the agency whose step it is.
    pub step_agency: Option<String>,
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
    /// Concluded with approval, its licence not issued yet (出证中): it is retried until it is.
    /// Set on a case's own page, not in lists.
    pub licence_pending: bool,
    /// Send it back with an action to act only on what you saw.
    pub version: i64,
    /// The licence issued on the case, when there is one. Set on a case's own page, not in lists.
    pub licence: Option<IssuedLicence>,
}

/// A licence a case issued.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedLicence {
    /// 证照标识.
    pub id: String,
    /// Its type's name (营业执照 …).
    pub name: String,
}

/// A case with its open supplement notice, for its own page.
pub(crate) async fn case_view(app: &App, case: CaseRow) -> Result<CaseView, AppError> {
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
    let licence_pending = app.store.licence_due(&case.case_number).await?;
    let item_type = crate::case_access::guide_of_case(app, &case).await?.offering.item.item_type.clone();
    let licence = app.store.licence_of_case(&case.case_number).await?.map(|l| {
        let name =
            tongban_domain::licences::TYPES.iter().find(|t| t.code == l.type_code).map_or("电子证照", |t| t.name);
        IssuedLicence { id: l.id, name: name.to_owned() }
    });
    let mut views = case_views(app, vec![case]).await?;
    let mut v = views.pop().ok_or_else(|| AppError::internal("no view"))?;
    v.supplement = supplement;
    v.licence_pending = licence_pending;
    v.item_type = item_type;
    v.licence = licence;
    Ok(v)
}

/// Cases as lists show them (no supplement notice), with the calendar read once.
pub(crate) async fn case_views(app: &App, cases: Vec<CaseRow>) -> Result<Vec<CaseView>, AppError> {
    let (today, rule) = (china_today(), app.cases.warnings);
    app.calendar.with(&app.store, |c| cases.into_iter().map(|case| view_with(c, case, today, rule)).collect()).await?
}

pub(crate) fn view_with(
    calendar: &Calendar,
    case: CaseRow,
    today: NaiveDate,
    rule: WarningRule,
) -> Result<CaseView, AppError> {
    let state =
        CaseState::parse(&case.state).ok_or_else(|| AppError::Internal(format!("case {} state", case.case_number)))?;
    let steps = steps_of(&case)?;
    let clock = clock_with(calendar, &case, today, rule)?;
    let current = steps.get(usize::try_from(case.step).unwrap_or(0));
    Ok(CaseView {
        step: current.map(|s| s.name().to_owned()).unwrap_or_default(),
        step_agency: match current {
            Some(ReviewStep::Joint { agency_name, .. }) => Some(agency_name.clone()),
            _ => None,
        },
        steps: steps.iter().map(|s| s.name().to_owned()).collect(),
        pauses: pauses_of(&case)?,
        application_id: case.application_id,
        case_number: case.case_number,
        offering_code: case.offering_code,
        offering_name: case.offering_name,
        item_type: String::new(),
        state,
        state_name: state.name_zh().into(),
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
        licence_pending: false,
        version: case.version,
        licence: None,
    })
}

pub async fn get_case(app: &App, who: &Principal, case_number: &str) -> Result<CaseView, AppError> {
    let case = readable_case(app, who, case_number).await?;
    case_view(app, case).await
}

/// A case the person applied for (or acts for its applicant organization): what the applicant's
/// own actions are asked about on. Staff who only read it are refused.
pub async fn own_case(app: &App, who: &Principal, case_number: &str) -> Result<CaseView, AppError> {
    let case = readable_case(app, who, case_number).await?;
    if !crate::case_access::is_applicant(app, who, &case).await? {
        return Err(AppError::Forbidden);
    }
    case_view(app, case).await
}

/// The applicant's cases, newest first.
pub async fn my_cases(app: &App, who: &Principal) -> Result<Vec<CaseView>, AppError> {
    let a = applicant(app, who, AgentScope::Cases).await?;
    case_views(app, app.store.cases_of(&a.person_id, &a.organization, 100).await?).await
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

pub(crate) fn plain(e: &TrailRow) -> String {
    let who = match e.actor_role.as_str() {
        "applicant" => "申请人",
        "agent" => "经办人",
        _ => "工作人员",
    };
    let after = CaseState::parse(&e.after_state).map_or("", CaseState::name_zh);
    let mut detail: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
    // What is stored beside the action's own fields: the comment, the step and its agency, the
    // files of an answer, the mark of an immediate conclusion.
    let mut step = String::new();
    if let Some(d) = detail.as_object_mut() {
        let text = |v: Option<Value>| v.and_then(|v| v.as_str().map(str::to_owned));
        if let Some(agency) = text(d.remove("step_agency")) {
            step.push_str(&agency);
        }
        if let Some(name) = text(d.remove("step")) {
            step = format!("（{step}{name}）");
        }
        for extra in ["comment", "files", "immediate"] {
            d.remove(extra);
        }
    }
    let text = |k: &str| detail.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let what = match e.action.as_str() {
        "hall_visit" => format!("在{}{}号窗口办理（号票 {}）", text("hall"), text("window"), text("ticket")),
        "submit" => "提交申请".to_owned(),
        "claim" => "认领办件".to_owned(),
        "release" => "释放办件".to_owned(),
        other => serde_json::from_value::<CaseAction>(detail)
            .map(|a| a.name_zh().to_owned())
            .unwrap_or_else(|_| other.to_owned()),
    };
    format!("{who}{what}{step}，办件{after}")
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

/// An in-site message (站内消息): receipts, every staff action on one's cases, escalations.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageView {
    pub id: String,
    pub case_number: Option<String>,
    pub title: String,
    pub body: String,
    pub created_at: chrono::DateTime<Utc>,
    /// Whether the person has seen it (on 我的办件, or marked read over the API).
    pub read: bool,
}

/// The signed-in person's latest messages, newest first.
pub async fn my_messages(app: &App, who: &Principal) -> Result<Vec<MessageView>, AppError> {
    Ok(app
        .store
        .messages_of(&who.person_id, 50)
        .await?
        .into_iter()
        .map(|m| MessageView {
            id: m.id,
            case_number: m.case_number,
            title: m.title,
            body: m.body,
            created_at: m.created_at,
            read: m.read_at.is_some(),
        })
        .collect())
}

/// Marks all of the signed-in person's messages read; returns how many were unread.
pub async fn mark_messages_read(app: &App, who: &Principal) -> Result<u64, AppError> {
    Ok(app.store.mark_messages_read(&who.person_id, Utc::now()).await?)
}
