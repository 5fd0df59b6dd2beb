//! Appeals (申诉复核): the deciding agency's staff appeal a bad review they hold mistaken or
//! malicious, once, while its rectification is worked; the platform administrator upholds or
//! rejects it with reasons. An upheld appeal voids the rectification and takes the rating and
//! what its rectification counted out of the figures (the case stays rateable: it has no valid
//! rating then). Both steps are in the case's SM3-chained trail.

use super::rectifications::{still_worked, text, workable};
use super::{contributed, no_rating, trail_step};
use crate::access::{self, Need, Principal};
use crate::{App, AppError};
use chrono::Utc;
use serde::Serialize;
use tongban_domain::identity::StaffRole;
use tongban_domain::ratings::Counts;
use tongban_store::ratings::AppealRow;

/// An appeal as the agency and the administrator see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppealView {
    pub rating_id: String,
    pub case_number: String,
    pub agency_code: String,
    /// `pending`, `upheld`, `rejected`.
    pub state: String,
    pub reason: String,
    pub appealed_at: chrono::DateTime<Utc>,
    /// The administrator's reasons.
    pub decision: String,
    pub decided_at: Option<chrono::DateTime<Utc>>,
    /// The review appealed: its level and comment.
    pub level: u8,
    pub comment: String,
}

pub(super) fn view(a: AppealRow, level: u8, comment: String) -> AppealView {
    AppealView {
        rating_id: a.rating_id,
        case_number: a.case_number,
        agency_code: a.agency_code,
        state: a.state,
        reason: a.reason,
        appealed_at: a.appealed_at,
        decision: a.decision,
        decided_at: a.decided_at,
        level,
        comment,
    }
}

fn no_appeal() -> AppError {
    AppError::NotFound { what: "申诉", what_en: "appeal" }
}

/// The deciding agency's staff appeal a bad review, with the reason, while its rectification is
/// worked; once (409 after).
pub async fn appeal(app: &App, who: &Principal, rating_id: &str, reason: &str) -> Result<AppealView, AppError> {
    let (x, r) = workable(app, who, rating_id).await?;
    still_worked(&x)?;
    let reason = text("reason", reason, 1000)?;
    let row = AppealRow {
        rating_id: r.id.clone(),
        case_number: r.case_number.clone(),
        agency_code: x.agency_code.clone(),
        state: "pending".into(),
        reason: reason.clone(),
        appealed_by: who.person_id.clone(),
        appealed_at: Utc::now(),
        decision: String::new(),
        decided_by: None,
        decided_at: None,
    };
    let trail = trail_step(&who.person_id, "staff", "rating_appeal", serde_json::json!({ "comment": reason }));
    if !app.store.insert_appeal(row.clone(), trail).await? {
        return Err(AppError::Conflict {
            field: "reason",
            message: "该评价已申诉过，每条评价只能申诉一次 (a rating may be appealed once)".into(),
        });
    }
    Ok(view(row, r.level as u8, r.comment))
}

/// The appeals waiting for the platform administrator, the oldest first.
pub async fn pending(app: &App, who: &Principal) -> Result<Vec<AppealView>, AppError> {
    access::authorize(app, who, Need::Staff(&[StaffRole::PlatformAdmin], None)).await?;
    let mut out = Vec::new();
    for a in app.store.appeals_in("pending", 200).await? {
        let r = app.store.rating(&a.rating_id).await?.ok_or_else(no_rating)?;
        out.push(view(a, r.level as u8, r.comment));
    }
    Ok(out)
}

/// The platform administrator upholds or rejects a pending appeal with reasons (409 once
/// decided). Upheld: the rectification is void and the rating leaves the figures; the rater is
/// told either way.
pub async fn decide(
    app: &App,
    who: &Principal,
    rating_id: &str,
    upheld: bool,
    reasons: &str,
) -> Result<AppealView, AppError> {
    access::authorize(app, who, Need::Staff(&[StaffRole::PlatformAdmin], None)).await?;
    let mut a = app.store.appeal(rating_id.trim()).await?.ok_or_else(no_appeal)?;
    let decided =
        || AppError::Conflict { field: "upheld", message: "该申诉已有决定 (the appeal is decided)".into() };
    if a.state != "pending" {
        return Err(decided());
    }
    let reasons = text("reasons", reasons, 1000)?;
    let r = app.store.rating(&a.rating_id).await?.ok_or_else(no_rating)?;
    let void = if upheld {
        let mut x = app.store.rectification(&r.id).await?.ok_or_else(no_rating)?;
        // A review changed to a good one withdrew its rectification and what it counted.
        if !matches!(x.state.as_str(), "open" | "answered" | "closed") {
            return Err(AppError::Conflict {
                field: "upheld",
                message: "评价人已将差评改为其他评价，无需支持申诉 (the rater changed the review; nothing to uphold)"
                    .into(),
            });
        }
        let mut d = -Counts::of_rating(r.level as u8);
        d += -contributed(&x, r.anonymous);
        let expected = x.version;
        x.state = "void".into();
        x.version += 1;
        Some((x, expected, r.figure_key(), d))
    } else {
        None
    };
    a.state = if upheld { "upheld" } else { "rejected" }.into();
    a.decision = reasons.clone();
    a.decided_by = Some(who.person_id.clone());
    a.decided_at = Some(Utc::now());
    // A window visit's rating names no case (and a walk-in who gave no card has no one to tell).
    let case = app.store.case(&r.case_number).await?.map(|_| r.case_number.as_str());
    let what = case.map_or_else(|| "窗口办理".to_owned(), |n| format!("办件 {n}"));
    let (title, body) = if upheld {
        (
            format!("您对{what}的评价经申诉复核不予计入"),
            format!("办理部门对您的差评提出申诉，平台复核认为申诉成立，该评价不计入公示数据。理由：{reasons}"),
        )
    } else {
        (
            format!("{what}差评申诉未获支持"),
            format!("办理部门对您的差评提出的申诉未获支持，整改继续进行。理由：{reasons}"),
        )
    };
    let messages = if r.person_id.is_empty() {
        Vec::new()
    } else {
        vec![crate::notify::in_site(&r.person_id, case, title, body)?]
    };
    let action = if upheld { "rating_appeal_upheld" } else { "rating_appeal_rejected" };
    let trail = trail_step(&who.person_id, "platform_admin", action, serde_json::json!({ "comment": reasons }));
    if !app.store.decide_appeal(a.clone(), void, trail, messages).await? {
        // Decided meanwhile, or its rectification moved (a step, the verdict, a changed rating).
        let now = app.store.appeal(&a.rating_id).await?.ok_or_else(no_appeal)?;
        return Err(if now.state == "pending" { AppError::stale() } else { decided() });
    }
    Ok(view(a, r.level as u8, r.comment))
}
