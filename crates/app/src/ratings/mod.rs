//! Ratings (好差评): the applicant rates a case once it is concluded, delivered, refused or denied
//! (一事一评); a bad review (1–2 stars) opens a rectification (整改) for the deciding agency on a
//! working-day clock — the callback (回访), the answer, the rater's verdict; the published figures
//! are read from counts kept with every change (`rating_figures`), never from the ratings.
//! Rating is never a condition for anything.

use crate::access::Principal;
use crate::{App, AppError};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tongban_domain::calendar::{china_time, china_today};
use tongban_domain::cases::{CaseState, WarningRule, clock};
use tongban_domain::identity::StaffRole;
use tongban_domain::ratings::{self, Channel, Counts};

mod appeals;
mod figures;
mod rectifications;
pub use appeals::{AppealView, appeal, decide as decide_appeal, pending as pending_appeals};
pub use figures::{FigureLine, FigureQuery, Figures, figures};
pub use rectifications::{RaterContact, Step, escalate_overdue, queue, rater_contact, work};
use tongban_store::audit::TrailDraft;
use tongban_store::cases::CaseRow;
use tongban_store::ratings::{RatingRow, RectChange, RectificationRow};

/// Settings of ratings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Working days an agency has to rectify a bad review [configurable, default 5].
    pub rectify_days: u32,
    /// Days after rating within which a rating may be changed, once [configurable, default 7].
    pub change_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self { rectify_days: 5, change_days: 7 }
    }
}

/// Who works a rectification: the deciding agency's staff within their division subtree.
const RECTIFIERS: &[StaffRole] = &[StaffRole::AgencyAdmin, StaffRole::WindowStaff, StaffRole::Approver];

/// A rating as the applicant gives it: 1–5 stars, optionally a score per indicator of the
/// channel (the rest take the stars), a comment (required for a bad review), and whether it is
/// shown without the rater's name.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRating {
    pub level: i64,
    #[serde(default)]
    pub indicators: BTreeMap<String, i64>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub anonymous: bool,
}

/// A case's or a window visit's rating with its rectification, if a bad review opened one.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingView {
    pub id: String,
    /// The case rated, or for a window visit its ticket's identifier.
    pub case_number: String,
    /// A window visit rated at the window (一次一评): hall, window, ticket and day.
    pub visit: Option<String>,
    pub level: u8,
    pub level_name: String,
    pub indicators: BTreeMap<String, u8>,
    pub comment: String,
    pub anonymous: bool,
    pub created_at: chrono::DateTime<Utc>,
    /// Whether the rater may still change it (once, within `change_days`).
    pub changeable: bool,
    pub rectification: Option<RectificationView>,
}

/// A rectification on its clock, as the agency and the rater see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RectificationView {
    pub rating_id: String,
    pub case_number: String,
    /// A window visit's bad review: hall, window, ticket and day.
    pub visit: Option<String>,
    pub agency_code: String,
    /// `open`, `answered` (waiting for the rater's verdict), `closed`, `withdrawn`.
    pub state: String,
    pub opened_on: NaiveDate,
    pub due: NaiveDate,
    /// Working days left (negative: overdue); none once answered.
    pub remaining: Option<i64>,
    /// `green`, `yellow`, `red` while open.
    pub warning: String,
    pub level: u8,
    pub comment: String,
    /// The rater, masked (匿名 for an anonymous rating); `rater_contact` gives the phone for the
    /// callback.
    pub rater: String,
    pub callback: String,
    pub called_back_at: Option<chrono::DateTime<Utc>>,
    pub answer: String,
    pub answered_at: Option<chrono::DateTime<Utc>>,
    pub satisfied: Option<bool>,
    pub version: i64,
    /// The agency's appeal (申诉), if it made one.
    pub appeal: Option<AppealView>,
}

/// A step of the case's trail (the store fills in the case's state, which stays what it is).
pub(crate) fn trail_step(actor: &str, role: &str, action: &str, detail: serde_json::Value) -> TrailDraft {
    TrailDraft {
        at: Utc::now(),
        actor_id: actor.into(),
        actor_role: role.into(),
        action: action.into(),
        before_state: String::new(),
        after_state: String::new(),
        detail: detail.to_string(),
        request_id: String::new(),
    }
}

fn no_rating() -> AppError {
    AppError::NotFound { what: "评价", what_en: "rating" }
}

async fn own_case(app: &App, who: &Principal, case_number: &str) -> Result<CaseRow, AppError> {
    let case = app.store.case(case_number.trim()).await?.ok_or(crate::case_access::NO_CASE)?;
    if crate::case_access::is_applicant(app, who, &case).await? { Ok(case) } else { Err(crate::case_access::NO_CASE) }
}

/// Whether `r` is the rating `who` gave: of a case they are the applicant of, or of their own
/// window visit.
async fn is_own(app: &App, who: &Principal, r: &RatingRow) -> Result<bool, AppError> {
    if r.channel == Channel::OnSite.as_str() {
        return Ok(who.acting.is_none() && r.person_id == who.person_id);
    }
    Ok(match app.store.case(&r.case_number).await? {
        Some(case) => crate::case_access::is_applicant(app, who, &case).await?,
        None => false,
    })
}

/// Rates a case of the applicant `who` acts as. 404 for a case not theirs, 409 before it may be
/// rated or when it is rated already.
pub async fn rate(app: &App, who: &Principal, case_number: &str, new: NewRating) -> Result<RatingView, AppError> {
    let case = own_case(app, who, case_number).await?;
    let state = CaseState::parse(&case.state).ok_or_else(|| AppError::Internal(format!("state {}", case.state)))?;
    if !ratings::rateable(state) {
        return Err(AppError::Conflict {
            field: "case_number",
            message: "办件办结、送达、不予受理或不予许可后方可评价 (a case can be rated once it is concluded, delivered, refused or denied)".into(),
        });
    }
    let checked = ratings::check(Channel::Online, new.level, &new.indicators, &new.comment)
        .map_err(|(field, message)| AppError::field(&field, message))?;
    let now = Utc::now();
    let row = RatingRow {
        id: crate::notify::message_id()?,
        case_number: case.case_number.clone(),
        channel: Channel::Online.as_str().into(),
        person_id: who.person_id.clone(),
        anonymous: new.anonymous,
        level: i32::from(checked.level),
        indicators: serde_json::to_string(&checked.indicators).map_err(AppError::internal)?,
        comment: checked.comment,
        agency_code: case.deciding_agency.clone(),
        offering_code: case.offering_code.clone(),
        division_code: case.deciding_division.clone(),
        month: ratings::month_of(now),
        created_at: now,
        updated_at: now,
        changes: 0,
    };
    let rect = ratings::is_bad(checked.level).then(|| opened(app, &row));
    let trail = trail_step(
        &who.person_id,
        "applicant",
        "rating",
        serde_json::json!({ "level": row.level, "comment": row.comment }),
    );
    if !app.store.insert_rating(row.clone(), rect, trail).await? {
        return Err(AppError::Conflict {
            field: "case_number",
            message: "该办件已评价 (the case is rated already)".into(),
        });
    }
    view(app, row).await
}

/// The rectification a bad review opens for the deciding agency (for a visit, the window's), today.
pub(crate) fn opened(app: &App, r: &RatingRow) -> RectificationRow {
    RectificationRow {
        rating_id: r.id.clone(),
        case_number: r.case_number.clone(),
        agency_code: r.agency_code.clone(),
        division_code: r.division_code.clone(),
        state: "open".into(),
        opened_on: china_today(),
        limit_days: app.ratings.rectify_days as i32,
        called_back_at: None,
        called_back_by: None,
        callback: String::new(),
        answer: String::new(),
        answered_at: None,
        answered_by: None,
        satisfied: None,
        escalated: false,
        version: 1,
    }
}

/// What a rectification's steps have added to the figures (taken back when it is withdrawn).
fn contributed(x: &RectificationRow, anonymous: bool) -> Counts {
    let answered = x.answered_at.is_some();
    Counts {
        bad_answered: i64::from(answered),
        rectified: i64::from(answered && (x.called_back_at.is_some() || anonymous)),
        judged: i64::from(x.satisfied.is_some()),
        satisfied: i64::from(x.satisfied == Some(true)),
        ..Default::default()
    }
}

/// A window visit's rating: the hall, window, ticket and day it names (none for a case's).
async fn visit_of(app: &App, r: &RatingRow) -> Result<Option<String>, AppError> {
    if r.channel != Channel::OnSite.as_str() {
        return Ok(None);
    }
    let Some(t) = app.store.ticket(&r.case_number).await? else { return Ok(None) };
    let hall = app.store.hall(&t.hall_id).await?.map(|h| h.name).unwrap_or_default();
    Ok(Some(format!("{hall} {} 号窗口 {}（{}）", t.window, t.number, t.day)))
}

fn changeable(app: &App, r: &RatingRow) -> bool {
    r.changes == 0 && Utc::now() - r.created_at <= chrono::Duration::days(i64::from(app.ratings.change_days))
}

/// Changes the rating of a case, once, within `change_days` of rating it (409 otherwise). A bad
/// review turned good withdraws its rectification and what it counted; a good one turned bad
/// opens one.
pub async fn change(app: &App, who: &Principal, case_number: &str, new: NewRating) -> Result<RatingView, AppError> {
    let case = own_case(app, who, case_number).await?;
    let old = app.store.rating_of_case(&case.case_number).await?.ok_or_else(no_rating)?;
    let conflict = |message: String| AppError::Conflict { field: "level", message };
    if old.changes > 0 {
        return Err(conflict("评价只能修改一次 (a rating may be changed once)".into()));
    }
    if app.store.rectification(&old.id).await?.is_some_and(|x| x.state == "void") {
        return Err(conflict("该评价经申诉复核不予计入，不能修改 (the rating was set aside on appeal)".into()));
    }
    if !changeable(app, &old) {
        let days = app.ratings.change_days;
        return Err(conflict(format!("评价提交 {days} 天后不能再修改 (a rating may be changed within {days} days)")));
    }
    let checked = ratings::check(Channel::Online, new.level, &new.indicators, &new.comment)
        .map_err(|(field, message)| AppError::field(&field, message))?;
    let mut row = old.clone();
    row.level = i32::from(checked.level);
    row.indicators = serde_json::to_string(&checked.indicators).map_err(AppError::internal)?;
    row.comment = checked.comment;
    row.anonymous = new.anonymous;
    row.updated_at = Utc::now();
    row.changes = old.changes + 1;
    let mut d = Counts::of_rating(checked.level);
    d += -Counts::of_rating(old.level as u8);
    d.rated = 0;
    let (was_bad, is_bad) = (ratings::is_bad(old.level as u8), ratings::is_bad(checked.level));
    let rect = match (was_bad, is_bad, app.store.rectification(&old.id).await?) {
        (true, false, Some(mut x)) => {
            d += -contributed(&x, old.anonymous);
            let expected = x.version;
            x.state = "withdrawn".into();
            x.version += 1;
            RectChange::Withdrawn(x, expected)
        }
        (false, true, None) => RectChange::Opened(opened(app, &row)),
        _ => RectChange::None,
    };
    let detail = serde_json::json!({ "level": row.level, "comment": row.comment });
    if !app
        .store
        .change_rating(row.clone(), rect, d, trail_step(&who.person_id, "applicant", "rating_change", detail))
        .await?
    {
        return Err(AppError::stale());
    }
    view(app, row).await
}

/// The rating of a case, for its applicant or the staff who may read it (none: not rated).
pub async fn of_case(app: &App, who: &Principal, case_number: &str) -> Result<Option<RatingView>, AppError> {
    let case = crate::case_access::readable_case(app, who, case_number).await?;
    match app.store.rating_of_case(&case.case_number).await? {
        Some(r) => Ok(Some(view(app, r).await?)),
        None => Ok(None),
    }
}

async fn view(app: &App, r: RatingRow) -> Result<RatingView, AppError> {
    let rect = match app.store.rectification(&r.id).await? {
        Some(x) => Some(rect_view(app, x, &r).await?),
        None => None,
    };
    let level = r.level as u8;
    // The rectification names the visit already, when there is one.
    let visit = match &rect {
        Some(x) => x.visit.clone(),
        None => visit_of(app, &r).await?,
    };
    let changeable = visit.is_none() && changeable(app, &r);
    Ok(RatingView {
        visit,
        id: r.id,
        case_number: r.case_number,
        level,
        level_name: ratings::level_name(level).0.into(),
        indicators: serde_json::from_str(&r.indicators).unwrap_or_default(),
        comment: r.comment,
        anonymous: r.anonymous,
        created_at: r.created_at,
        changeable,
        rectification: rect,
    })
}

async fn rect_view(app: &App, x: RectificationRow, r: &RatingRow) -> Result<RectificationView, AppError> {
    let c = app
        .calendar
        .with(&app.store, |cal| {
            let stopped = x.answered_at.map(|a| china_time(a).date());
            clock(cal, x.opened_on, x.limit_days as u32, &[], stopped, china_today(), WarningRule::default())
        })
        .await?;
    let rater = if r.anonymous {
        "匿名 (anonymous)".to_owned()
    } else {
        let (name, phone) = crate::people::name_and_masked_phone(app, &r.person_id).await?;
        format!("{} {phone}", tongban_domain::mask::mask_name(&name))
    };
    let open = x.state == "open";
    let appeal = app.store.appeal(&x.rating_id).await?.map(|a| appeals::view(a, r.level as u8, r.comment.clone()));
    Ok(RectificationView {
        visit: visit_of(app, r).await?,
        appeal,
        rating_id: x.rating_id,
        case_number: x.case_number,
        agency_code: x.agency_code,
        state: x.state,
        opened_on: x.opened_on,
        due: c.due.due,
        remaining: open.then_some(c.remaining),
        warning: if open { c.warning.as_str().into() } else { String::new() },
        level: r.level as u8,
        comment: r.comment.clone(),
        rater,
        callback: x.callback,
        called_back_at: x.called_back_at,
        answer: x.answer,
        answered_at: x.answered_at,
        satisfied: x.satisfied,
        version: x.version,
    })
}

/// The rater says whether the rectification of their case's rating satisfied them; it is then closed.
pub async fn judge(app: &App, who: &Principal, case_number: &str, satisfied: bool) -> Result<RatingView, AppError> {
    let case = own_case(app, who, case_number).await?;
    let r = app.store.rating_of_case(&case.case_number).await?.ok_or_else(no_rating)?;
    verdict(app, who, r, satisfied).await
}

/// The same by the rating's identifier — a case's or a window visit's (我的评价).
pub async fn judge_rating(
    app: &App,
    who: &Principal,
    rating_id: &str,
    satisfied: bool,
) -> Result<RatingView, AppError> {
    let r = app.store.rating(rating_id.trim()).await?.ok_or_else(no_rating)?;
    if !is_own(app, who, &r).await? {
        return Err(no_rating());
    }
    verdict(app, who, r, satisfied).await
}

/// The ratings `who` gave — their cases' and their window visits' —, the newest first.
pub async fn mine(app: &App, who: &Principal) -> Result<Vec<RatingView>, AppError> {
    let mut out = Vec::new();
    for r in app.store.ratings_of_person(&who.person_id, 100).await? {
        // Only those still theirs: a case of an organization they no longer act for is not.
        if is_own(app, who, &r).await? {
            out.push(view(app, r).await?);
        }
    }
    Ok(out)
}

async fn verdict(app: &App, who: &Principal, r: RatingRow, satisfied: bool) -> Result<RatingView, AppError> {
    let mut x = app.store.rectification(&r.id).await?.ok_or_else(no_rating)?;
    if x.state != "answered" {
        return Err(AppError::Conflict {
            field: "satisfied",
            message: "整改答复后方可评价整改结果 (the agency has not answered yet, or it is closed)".into(),
        });
    }
    let expected = x.version;
    x.state = "closed".into();
    x.satisfied = Some(satisfied);
    x.version += 1;
    let d = Counts { judged: 1, satisfied: i64::from(satisfied), ..Default::default() };
    let trail =
        trail_step(&who.person_id, "applicant", "rectification_verdict", serde_json::json!({ "satisfied": satisfied }));
    if !app.store.update_rectification(x, expected, &r.figure_key(), d, trail).await? {
        return Err(AppError::stale());
    }
    view(app, r).await
}
