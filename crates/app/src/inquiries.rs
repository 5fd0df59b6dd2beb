//! Consultations and complaints (咨询投诉举报, the 12345 pattern): a person — or anyone, with a
//! tracking code — asks, complains or reports, about a case, an offering or nothing in
//! particular. The item is routed to the case's deciding agency or the offering's agency, else
//! to the platform's triage (its administrators); it may be transferred, is answered within the
//! working days its kind allows, escalates once when overdue, and the person rates the answer.
//! An answered inquiry marked public joins its offering's guide (知识库). Every step is in the
//! SM3-chained audit trail under the item's number.

use crate::access::{self, Need, Principal};
use crate::{App, AppError};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tongban_domain::calendar::{china_time, china_today};
use tongban_domain::cases::{Clock, Warning, WarningRule, clock};
use tongban_domain::identity::StaffRole;
use tongban_domain::inquiries::{self as rules, Kind, State};
use tongban_store::audit::TrailDraft;
use tongban_store::inquiries::InquiryRow;

/// Working days to answer each kind [configurable], and the items one address may bring a
/// minute (anyone may, without signing in).
pub struct Settings {
    pub inquiry_days: u32,
    pub complaint_days: u32,
    pub report_days: u32,
    pub submissions: crate::limit::PerMinute,
}

/// Items one address may bring in a minute.
pub const PER_MINUTE: u32 = 10;

impl Default for Settings {
    fn default() -> Self {
        Self {
            inquiry_days: 5,
            complaint_days: 10,
            report_days: 15,
            submissions: crate::limit::PerMinute::new(PER_MINUTE),
        }
    }
}

impl Settings {
    fn days(&self, kind: Kind) -> u32 {
        match kind {
            Kind::Inquiry => self.inquiry_days,
            Kind::Complaint => self.complaint_days,
            Kind::Report => self.report_days,
        }
    }
}

/// Who answers and transfers: the agency's staff within their division; the platform
/// administrator anywhere, and alone at the triage.
const HANDLERS: &[StaffRole] =
    &[StaffRole::AgencyAdmin, StaffRole::WindowStaff, StaffRole::Approver, StaffRole::PlatformAdmin];

/// What a person brings. `case_number` and `offering_code` say what it is about (the item goes
/// to that agency); `division_code` where, when neither is given (the triage routes it).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewInquiry {
    /// `inquiry` (咨询), `complaint` (投诉) or `report` (举报).
    pub kind: String,
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub case_number: String,
    #[serde(default)]
    pub offering_code: String,
    #[serde(default)]
    pub division_code: String,
    /// Without the person's name: only the tracking code opens it then. Always so when not
    /// signed in.
    #[serde(default)]
    pub anonymous: bool,
}

/// An item as its person and its handlers see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InquiryView {
    pub number: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub anonymous: bool,
    /// Who brought it, masked (匿名 when anonymous).
    pub author: String,
    pub case_number: String,
    pub offering_code: String,
    /// Blank: at the platform's triage.
    pub agency_code: String,
    pub agency_name: String,
    pub division_code: String,
    /// `open`, `answered` (waiting for the person's rating), `closed`.
    pub state: String,
    pub opened_on: NaiveDate,
    pub due: NaiveDate,
    /// Working days left while open (negative: overdue).
    pub remaining: Option<i64>,
    /// `green`, `yellow`, `red` while open.
    pub warning: String,
    pub answer: String,
    pub answered_at: Option<chrono::DateTime<Utc>>,
    pub public: bool,
    pub rating: Option<u8>,
    pub created_at: chrono::DateTime<Utc>,
    pub version: i64,
    /// The one asking is its author (who rates the answer), not a handler.
    pub yours: bool,
    /// The steps, oldest first: what happened, when, and its note.
    pub steps: Vec<StepView>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepView {
    pub at: chrono::DateTime<Utc>,
    /// `submit`, `transfer`, `answer`, `rate`, `escalate`.
    pub action: String,
    pub note: String,
}

/// A new item and the code that opens it without signing in (shown once, kept only as a digest).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submitted {
    pub inquiry: InquiryView,
    pub tracking_code: String,
}

const NO_INQUIRY: AppError = AppError::NotFound { what: "咨询投诉", what_en: "inquiry" };

fn stale() -> AppError {
    AppError::Conflict {
        field: "",
        message: "该咨询投诉已被他人处理，请刷新后再试 (it changed meanwhile; reload and try again)".into(),
    }
}

fn err((field, message): (String, String)) -> AppError {
    AppError::field(&field, message)
}

fn draft(actor: &str, role: &str, action: &str, before: &str, after: &str, note: serde_json::Value) -> TrailDraft {
    TrailDraft {
        at: Utc::now(),
        actor_id: actor.into(),
        actor_role: role.into(),
        action: action.into(),
        before_state: before.into(),
        after_state: after.into(),
        detail: note.to_string(),
        request_id: String::new(),
    }
}

/// Where an item goes: the case's deciding agency, the offering's agency, or the triage of a
/// division (blank agency).
async fn route(app: &App, who: Option<&Principal>, new: &NewInquiry) -> Result<(String, String, String), AppError> {
    let case_number = new.case_number.trim();
    if !case_number.is_empty() {
        let not_theirs = || AppError::field("case_number", "只能关联本人的办件 (only a case of your own)");
        let who = who.filter(|_| !new.anonymous).ok_or_else(|| {
            AppError::field("case_number", "关联办件须实名提出 (a case can be named only with your name)")
        })?;
        let case = app.store.case(case_number).await?.ok_or_else(not_theirs)?;
        if !crate::case_access::is_applicant(app, who, &case).await? {
            return Err(not_theirs());
        }
        return Ok((case.offering_code, case.deciding_agency, case.deciding_division));
    }
    let offering = new.offering_code.trim();
    if !offering.is_empty() {
        let g = app
            .store
            .published(offering)
            .await?
            .ok_or_else(|| AppError::field("offering_code", "没有这个已发布的事项 (no such published service)"))?;
        return Ok((g.offering.offering_code, g.offering.agency.credit_code, g.offering.division_code));
    }
    let division = new.division_code.trim();
    if !division.is_empty() && app.store.division(division).await?.is_none() {
        return Err(AppError::field("division_code", "没有这个行政区划 (no such division)"));
    }
    Ok((String::new(), String::new(), division.to_owned()))
}

/// Takes an item from `address`: routed, on its kind's clock, with its first trail entry. `who`
/// is `None` when not signed in (anonymous then).
pub async fn submit(app: &App, who: Option<&Principal>, new: NewInquiry, address: &str) -> Result<Submitted, AppError> {
    if !app.inquiries.submissions.admit(address).await {
        return Err(AppError::RateLimited);
    }
    let kind = Kind::parse(new.kind.trim())
        .ok_or_else(|| AppError::field("kind", "请选择咨询、投诉或举报 (choose inquiry, complaint or report)"))?;
    let subject = rules::text("subject", &new.subject, rules::SUBJECT_MAX).map_err(err)?;
    let body = rules::text("body", &new.body, rules::BODY_MAX).map_err(err)?;
    let (offering_code, agency_code, division_code) = route(app, who, &new).await?;
    let person_id = who.filter(|_| !new.anonymous).map(|w| w.person_id.clone()).unwrap_or_default();
    let code = tongban_crypto::token().map_err(AppError::internal)?[..12].to_owned();
    let today = china_today();
    let row = InquiryRow {
        number: format!("Q{}{}", today.format("%Y%m%d"), tongban_crypto::digits(8).map_err(AppError::internal)?),
        kind: kind.as_str().into(),
        subject,
        body,
        person_id: person_id.clone(),
        code_hash: tongban_crypto::sm3_hex(code.as_bytes()),
        case_number: new.case_number.trim().into(),
        offering_code,
        agency_code,
        division_code,
        state: State::Open.as_str().into(),
        opened_on: today,
        limit_days: app.inquiries.days(kind) as i32,
        answer: String::new(),
        answered_at: None,
        answered_by: None,
        public: false,
        faq_question: String::new(),
        rating: None,
        escalated: false,
        created_at: Utc::now(),
        version: 1,
    };
    let actor = if person_id.is_empty() { "anonymous" } else { person_id.as_str() };
    let note = serde_json::json!({ "kind": row.kind, "agency": row.agency_code, "division": row.division_code });
    app.store.insert_inquiry(row.clone(), draft(actor, "public", "submit", "", "open", note)).await?;
    Ok(Submitted { inquiry: InquiryView { yours: true, ..view_of(app, row).await? }, tracking_code: code })
}

/// Whether `who` may answer or transfer an item where it is now (the triage: the platform
/// administrator only).
async fn handles(app: &App, who: &Principal, x: &InquiryRow) -> bool {
    let place = (!x.agency_code.is_empty()).then_some((x.agency_code.as_str(), x.division_code.as_str()));
    access::authorize(app, who, Need::Staff(HANDLERS, place)).await.is_ok()
}

/// Whether the code or the person opens an item as its author.
fn authored(x: &InquiryRow, who: Option<&Principal>, code: Option<&str>) -> bool {
    let by_code =
        code.is_some_and(|c| !c.trim().is_empty() && tongban_crypto::sm3_hex(c.trim().as_bytes()) == x.code_hash);
    by_code || who.is_some_and(|w| !x.person_id.is_empty() && w.person_id == x.person_id)
}

/// An item for its author (signed in, or with its tracking code) or its handlers; 404 for
/// anyone else.
pub async fn get(
    app: &App,
    who: Option<&Principal>,
    number: &str,
    code: Option<&str>,
) -> Result<InquiryView, AppError> {
    let x = app.store.inquiry(number.trim()).await?.ok_or(NO_INQUIRY)?;
    let staff = match who {
        Some(w) => handles(app, w, &x).await,
        None => false,
    };
    let yours = authored(&x, who, code);
    if !yours && !staff {
        return Err(NO_INQUIRY);
    }
    Ok(InquiryView { yours, ..view_of(app, x).await? })
}

/// The signed-in person's items, the newest first.
pub async fn mine(app: &App, who: &Principal) -> Result<Vec<InquiryView>, AppError> {
    let mut out = Vec::new();
    for x in app.store.inquiries_of_person(&who.person_id, 200).await? {
        out.push(InquiryView { yours: true, ..view_of(app, x).await? });
    }
    Ok(out)
}

/// The items of every agency and division subtree `who` handles (the triage for the platform
/// administrator), the oldest first; the answered and closed ones too unless `open_only`.
pub async fn queue(app: &App, who: &Principal, open_only: bool) -> Result<Vec<InquiryView>, AppError> {
    access::authorize(app, who, Need::StaffAnywhere(HANDLERS)).await?;
    let mut out: Vec<InquiryView> = Vec::new();
    for a in access::roles(app, &who.person_id).await?.into_iter().filter(|a| HANDLERS.contains(&a.role)) {
        let (agency, prefix) = if a.role == StaffRole::PlatformAdmin {
            (String::new(), String::new())
        } else {
            (a.agency_code.clone(), tongban_domain::codes::subtree_prefix(&a.division_code).to_owned())
        };
        for x in app.store.inquiries_of(&agency, &prefix, open_only, 200).await? {
            if !out.iter().any(|v| v.number == x.number) {
                out.push(view_of(app, x).await?);
            }
        }
    }
    out.sort_by(|a, b| (a.opened_on, &a.number).cmp(&(b.opened_on, &b.number)));
    Ok(out)
}

/// An open item `who` handles, at `expected_version` (409 when it moved or is answered).
async fn handled(app: &App, who: &Principal, number: &str, expected_version: i64) -> Result<InquiryRow, AppError> {
    let x = app.store.inquiry(number.trim()).await?.ok_or(NO_INQUIRY)?;
    if !handles(app, who, &x).await {
        return Err(NO_INQUIRY);
    }
    if x.version != expected_version {
        return Err(stale());
    }
    if x.state != State::Open.as_str() {
        return Err(AppError::Conflict { field: "state", message: "已答复 (answered already)".into() });
    }
    Ok(x)
}

/// Sends an open item to another agency (in its own division unless one is given), or back to
/// the triage (blank agency), with the reason. The clock runs on from when it was made.
pub async fn transfer(
    app: &App,
    who: &Principal,
    number: &str,
    agency_code: &str,
    reason: &str,
    expected_version: i64,
) -> Result<InquiryView, AppError> {
    let mut x = handled(app, who, number, expected_version).await?;
    let reason = rules::text("reason", reason, 500).map_err(err)?;
    let to = agency_code.trim();
    let division = if to.is_empty() {
        x.division_code.clone()
    } else {
        let agencies = app.store.agencies().await?;
        let a = agencies
            .into_iter()
            .find(|a| a.0 == to)
            .ok_or_else(|| AppError::field("agency_code", "没有这个部门 (no such agency)"))?;
        a.2
    };
    if to == x.agency_code {
        return Err(AppError::field("agency_code", "已在该部门 (it is there already)"));
    }
    let note = serde_json::json!({ "from": x.agency_code, "to": to, "reason": reason });
    x.agency_code = to.to_owned();
    x.division_code = division;
    x.escalated = false;
    x.version += 1;
    let trail = draft(&who.person_id, "staff", "transfer", "open", "open", note);
    if !app.store.update_inquiry(x.clone(), expected_version, trail, Vec::new()).await? {
        return Err(stale());
    }
    view_of(app, x).await
}

/// Answers an open item; `public` — the question as the handler words it for everyone,
/// without personal details — puts an inquiry about a service (not about someone's case) on
/// the service's guide (知识库) with the answer. The person is told.
pub async fn answer(
    app: &App,
    who: &Principal,
    number: &str,
    answer: &str,
    public: Option<&str>,
    expected_version: i64,
) -> Result<InquiryView, AppError> {
    let mut x = handled(app, who, number, expected_version).await?;
    if let Some(question) = public {
        if x.kind != Kind::Inquiry.as_str() || x.offering_code.is_empty() || !x.case_number.is_empty() {
            return Err(AppError::field(
                "public_question",
                "只有关于某一事项、不涉及个人办件的咨询可以公开到办事指南 (only an inquiry about a service, not about a case, can join its guide)",
            ));
        }
        x.faq_question = rules::text("public_question", question, rules::SUBJECT_MAX * 5).map_err(err)?;
    }
    x.answer = rules::text("answer", answer, rules::ANSWER_MAX).map_err(err)?;
    x.answered_at = Some(Utc::now());
    x.answered_by = Some(who.person_id.clone());
    x.public = public.is_some();
    x.state = State::Answered.as_str().into();
    x.version += 1;
    let mut messages = Vec::new();
    if !x.person_id.is_empty() {
        messages.push(crate::notify::in_site(
            &x.person_id,
            None,
            format!("您的咨询投诉已答复：{}", x.number),
            format!("“{}”已答复，请在“咨询投诉”中查看并评价答复。", x.subject),
        )?);
    }
    let trail = draft(&who.person_id, "staff", "answer", "open", "answered", serde_json::json!({ "public": x.public }));
    if !app.store.update_inquiry(x.clone(), expected_version, trail, messages).await? {
        return Err(stale());
    }
    view_of(app, x).await
}

/// The author rates the answer (1–5), which closes the item.
pub async fn rate(
    app: &App,
    who: Option<&Principal>,
    number: &str,
    code: Option<&str>,
    level: i64,
) -> Result<InquiryView, AppError> {
    let mut x = app.store.inquiry(number.trim()).await?.ok_or(NO_INQUIRY)?;
    if !authored(&x, who, code) {
        return Err(NO_INQUIRY);
    }
    let level = rules::check_rating(level).map_err(err)?;
    if x.state != State::Answered.as_str() {
        return Err(AppError::Conflict {
            field: "level",
            message: "答复后方可评价，且只能评价一次 (rate once, after the answer)".into(),
        });
    }
    let expected = x.version;
    x.rating = Some(i32::from(level));
    x.state = State::Closed.as_str().into();
    x.version += 1;
    let actor = if x.person_id.is_empty() { "anonymous".to_owned() } else { x.person_id.clone() };
    let trail = draft(&actor, "public", "rate", "answered", "closed", serde_json::json!({ "level": level }));
    if !app.store.update_inquiry(x.clone(), expected, trail, Vec::new()).await? {
        return Err(stale());
    }
    Ok(InquiryView { yours: true, ..view_of(app, x).await? })
}

/// An offering's public answers (知识库): question and answer, the newest first.
pub async fn public_answers(app: &App, offering_code: &str) -> Result<Vec<(String, String)>, AppError> {
    Ok(app.store.public_answers(offering_code, 20).await?.into_iter().map(|x| (x.faq_question, x.answer)).collect())
}

/// Escalates every open item past its limit (red), once while it stays where it is: a step in
/// its trail and a message to the administrators over it (the triage's: the platform
/// administrators). Run by the supervision sweep; returns how many.
pub async fn escalate_overdue(app: &App) -> Result<usize, AppError> {
    let today = china_today();
    let (mut escalated, mut after) = (0, String::new());
    let mut platform_admins: Option<Vec<String>> = None;
    loop {
        let page = app.store.open_inquiries(&after, 500).await?;
        let Some(last) = page.last() else { break };
        after = last.number.clone();
        for mut x in page {
            if clock_of(app, &x, today).await?.warning != Warning::Red {
                continue;
            }
            let to = if x.agency_code.is_empty() {
                if platform_admins.is_none() {
                    let roles = app.store.staff_roles(None, None).await?;
                    let admins = roles.into_iter().filter(|a| a.role == StaffRole::PlatformAdmin.as_str());
                    platform_admins = Some(admins.map(|a| a.person_id).collect());
                }
                platform_admins.clone().unwrap_or_default()
            } else {
                access::administrators_over(app, &x.agency_code, &x.division_code).await?
            };
            let mut messages = Vec::new();
            for person_id in to {
                messages.push(crate::notify::in_site(
                    &person_id,
                    None,
                    format!("咨询投诉超期（红灯）：{}", x.number),
                    format!("“{}”已超过 {} 个工作日的答复时限，请督办（工作台 › 咨询投诉）。", x.subject, x.limit_days),
                )?);
            }
            let expected = x.version;
            x.escalated = true;
            x.version += 1;
            let note = serde_json::json!({ "note": "超期督办 (overdue: escalated)" });
            let trail = draft("system", "supervision", "escalate", "open", "open", note);
            if app.store.update_inquiry(x, expected, trail, messages).await? {
                escalated += 1;
            }
        }
    }
    Ok(escalated)
}

/// The item's due date and warning on the working-day calendar (the clock stops when answered).
async fn clock_of(app: &App, x: &InquiryRow, today: NaiveDate) -> Result<Clock, AppError> {
    let stopped = x.answered_at.map(|a| china_time(a).date());
    app.calendar
        .with(&app.store, |cal| {
            clock(cal, x.opened_on, x.limit_days as u32, &[], stopped, today, WarningRule::default())
        })
        .await
}

async fn view_of(app: &App, x: InquiryRow) -> Result<InquiryView, AppError> {
    let c = clock_of(app, &x, china_today()).await?;
    let agency_name = if x.agency_code.is_empty() {
        String::new()
    } else {
        app.store
            .agency_names(std::slice::from_ref(&x.agency_code))
            .await?
            .into_iter()
            .next()
            .map(|a| a.1)
            .unwrap_or_default()
    };
    let steps = app
        .store
        .trail(&x.number)
        .await?
        .into_iter()
        .map(|t| {
            let d: serde_json::Value = serde_json::from_str(&t.detail).unwrap_or_default();
            let note = ["reason", "note"].iter().find_map(|k| d[k].as_str()).unwrap_or_default().to_owned();
            StepView { at: t.at, action: t.action, note }
        })
        .collect();
    let open = x.state == State::Open.as_str();
    let author = if x.person_id.is_empty() {
        "匿名 (anonymous)".to_owned()
    } else {
        let (name, phone) = crate::people::name_and_masked_phone(app, &x.person_id).await?;
        format!("{} {phone}", tongban_domain::mask::mask_name(&name))
    };
    Ok(InquiryView {
        author,
        anonymous: x.person_id.is_empty(),
        number: x.number,
        kind: x.kind,
        subject: x.subject,
        body: x.body,
        case_number: x.case_number,
        offering_code: x.offering_code,
        agency_code: x.agency_code,
        agency_name,
        division_code: x.division_code,
        state: x.state,
        opened_on: x.opened_on,
        due: c.due.due,
        remaining: open.then_some(c.remaining),
        warning: if open { c.warning.as_str().into() } else { String::new() },
        answer: x.answer,
        answered_at: x.answered_at,
        public: x.public,
        rating: x.rating.map(|r| r as u8),
        created_at: x.created_at,
        version: x.version,
        yours: false,
        steps,
    })
}
