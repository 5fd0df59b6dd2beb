//! The deciding agency's side of a bad review (差评整改): its queue of rectifications on their
//! clocks, the rater's contact for the callback, the callback and the answer, and the escalation
//! of overdue ones by the supervision sweep.

use super::{RECTIFIERS, RectificationView, no_rating, rect_view, trail_step};
use crate::access::{self, Need, Principal};
use crate::{App, AppError};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use tongban_domain::calendar::china_today;
use tongban_domain::cases::{WarningRule, clock};
use tongban_domain::ratings::Counts;
use tongban_store::ratings::{RatingRow, RectificationRow};

/// The rectifications of every agency and division subtree `who` works in, the oldest first;
/// the closed ones too unless `open_only`.
pub async fn queue(app: &App, who: &Principal, open_only: bool) -> Result<Vec<RectificationView>, AppError> {
    access::authorize(app, who, Need::StaffAnywhere(RECTIFIERS)).await?;
    let mut out = Vec::new();
    for a in access::roles(app, &who.person_id).await?.into_iter().filter(|a| RECTIFIERS.contains(&a.role)) {
        let prefix = tongban_domain::codes::subtree_prefix(&a.division_code).to_owned();
        for x in app.store.rectifications_of(&a.agency_code, &prefix, open_only, 200).await? {
            if out.iter().any(|v: &RectificationView| v.rating_id == x.rating_id) {
                continue;
            }
            let r = app.store.rating(&x.rating_id).await?.ok_or_else(no_rating)?;
            out.push(rect_view(app, x, &r).await?);
        }
    }
    out.sort_by(|a, b| (a.opened_on, &a.rating_id).cmp(&(b.opened_on, &b.rating_id)));
    Ok(out)
}

/// A rectification `who` may work on: the deciding agency's staff within its division.
pub(super) async fn workable(
    app: &App,
    who: &Principal,
    rating_id: &str,
) -> Result<(RectificationRow, RatingRow), AppError> {
    let x = app.store.rectification(rating_id.trim()).await?.ok_or_else(no_rating)?;
    access::authorize(app, who, Need::Staff(RECTIFIERS, Some((&x.agency_code, &x.division_code))))
        .await
        .map_err(|_| no_rating())?;
    let r = app.store.rating(&x.rating_id).await?.ok_or_else(no_rating)?;
    Ok((x, r))
}

/// 409 unless the rectification is still being worked (open, or answered and awaiting the verdict).
pub(super) fn still_worked(x: &RectificationRow) -> Result<(), AppError> {
    if matches!(x.state.as_str(), "open" | "answered") {
        Ok(())
    } else {
        Err(AppError::Conflict {
            field: "state",
            message: "该整改已办结或已撤回 (the rectification is closed or withdrawn)".into(),
        })
    }
}

pub(super) fn text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::field(field, "请填写 (required)"));
    }
    if v.chars().count() > max {
        return Err(AppError::field(field, format!("不超过 {max} 字 (at most {max} characters)")));
    }
    Ok(v.to_owned())
}

/// The rater's name and phone, unmasked, for the callback (回访): for the deciding agency's
/// staff while the rectification is worked. Each showing is logged with who asked.
pub async fn rater_contact(app: &App, who: &Principal, rating_id: &str) -> Result<RaterContact, AppError> {
    let (x, r) = workable(app, who, rating_id).await?;
    if r.anonymous {
        return Err(AppError::Conflict {
            field: "rating",
            message: "匿名评价无法回访 (an anonymous rating cannot be called back)".into(),
        });
    }
    still_worked(&x)?;
    let (name, _) = crate::people::name_and_masked_phone(app, &r.person_id).await?;
    let phone = crate::people::contact(app, &r.person_id).await?.phone;
    // Who saw it is on the case's trail (全过程留痕).
    let note = serde_json::json!({ "comment": "为回访查看评价人电话 (the rater's phone shown for the callback)" });
    app.store.note_on_case(&r.case_number, trail_step(&who.person_id, "staff", "rater_contact_shown", note)).await?;
    Ok(RaterContact { name, phone })
}

/// Who to call back.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaterContact {
    pub name: String,
    pub phone: String,
}

/// A step on a rectification: the callback (回访) made, or the answer given (整改答复).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The rater was called back: when it happened is now; the outcome in words.
    Callback { outcome: String },
    /// What the agency put right.
    Answer { answer: String },
}

/// Records a step of a rectification at `expected_version` (409 if it moved). The first answer
/// counts the bad review as answered (差评回复); answered and called back — or anonymous, which
/// cannot be — as rectified (回访整改). The answer asks the rater for a verdict.
pub async fn work(
    app: &App,
    who: &Principal,
    rating_id: &str,
    step: Step,
    expected_version: i64,
) -> Result<RectificationView, AppError> {
    let (mut x, r) = workable(app, who, rating_id).await?;
    if x.version != expected_version {
        return Err(AppError::stale());
    }
    still_worked(&x)?;
    // Rectified (回访整改): answered, and called back unless the rater cannot be (anonymous).
    let rectified = |x: &RectificationRow| x.answered_at.is_some() && (x.called_back_at.is_some() || r.anonymous);
    let was = rectified(&x);
    let mut d = Counts::default();
    let now = Utc::now();
    let (action, note) = match &step {
        Step::Callback { outcome } => ("rectification_callback", outcome),
        Step::Answer { answer } => ("rectification_answer", answer),
    };
    let trail = trail_step(&who.person_id, "staff", action, serde_json::json!({ "comment": note }));
    match step {
        Step::Callback { outcome } => {
            if r.anonymous {
                return Err(AppError::field("outcome", "匿名评价无法回访 (an anonymous rating cannot be called back)"));
            }
            x.callback = text("outcome", &outcome, 1000)?;
            x.called_back_at = Some(now);
            x.called_back_by = Some(who.person_id.clone());
        }
        Step::Answer { answer } => {
            if x.answered_at.is_none() {
                d.bad_answered = 1;
            }
            x.answer = text("answer", &answer, 2000)?;
            x.answered_at = Some(now);
            x.answered_by = Some(who.person_id.clone());
            x.state = "answered".into();
        }
    }
    d.rectified = i64::from(rectified(&x) && !was);
    x.version += 1;
    if !app.store.update_rectification(x.clone(), expected_version, &r.figure_key(), d, trail).await? {
        return Err(AppError::stale());
    }
    rect_view(app, x, &r).await
}

/// Escalates every open rectification past its limit (red), once: a message to each
/// administrator of the deciding agency whose division holds it. Run by the supervision sweep;
/// returns how many were escalated.
pub async fn escalate_overdue(app: &App) -> Result<usize, AppError> {
    let today = china_today();
    let mut escalated = 0;
    let mut after = String::new();
    loop {
        let page = app.store.open_rectifications(&after, 500).await?;
        let Some(last) = page.last() else { break };
        after = last.rating_id.clone();
        for x in page {
            let c = app
                .calendar
                .with(&app.store, |cal| {
                    clock(cal, x.opened_on, x.limit_days as u32, &[], None, today, WarningRule::default())
                })
                .await?;
            if c.warning != tongban_domain::cases::Warning::Red {
                continue;
            }
            // A window visit's bad review has no case page to link to.
            let case = app.store.case(&x.case_number).await?.map(|_| x.case_number.as_str());
            let mut messages = Vec::new();
            for person_id in access::administrators_over(app, &x.agency_code, &x.division_code).await? {
                messages.push(crate::notify::in_site(
                    &person_id,
                    case,
                    format!("差评整改超期（红灯）：{}", x.case_number),
                    format!(
                        "{} {} 的差评已超过 {} 个工作日的整改时限，请督办（工作台 › 差评整改）。",
                        if case.is_some() { "办件" } else { "窗口办理" },
                        x.case_number,
                        x.limit_days
                    ),
                )?);
            }
            let note = serde_json::json!({ "comment": "差评整改超期，提请督办 (overdue: escalated)" });
            if app
                .store
                .escalate_rectification(
                    &x,
                    messages,
                    trail_step("system", "supervision", "rectification_escalate", note),
                )
                .await?
            {
                escalated += 1;
            }
        }
    }
    Ok(escalated)
}
