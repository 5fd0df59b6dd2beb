//! Tickets and calling (取号, 叫号): the kiosk issues walk-in tickets (with or without an
//! identity card) and checks appointments in; each window group's queue is in rank order —
//! the green line first, a checked-in appointment ahead of walk-ins by the hall's head start —;
//! window staff sign in at a window, call the next ticket (one window gets it), call again at
//! most `max_recalls` times, mark a no-show, transfer to another group, and finish. The visit
//! lands in the case record: a call opens one-window acceptance for the person, finishing tells
//! the case which ticket and appointment it came with, and the window's rating device offers
//! the visit's rating (一次一评).

use super::{NO_HALL, window_staff};
use crate::access::Principal;
use crate::ratings::{NewRating, trail_step};
use crate::{App, AppError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tongban_domain::hall::{self as rules, Line};
use tongban_domain::ratings::{self, Channel};
use tongban_store::hall::{CallRow, HallRow, TicketRow, WindowRow};

/// What the kiosk is asked for.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketRequest {
    /// The offering the visit is for (its group's queue).
    pub offering_code: String,
    /// The identity card read at the kiosk, if shown: the window then knows the person.
    #[serde(default)]
    pub card_number: String,
    /// 绿色通道: the elderly, the disabled.
    #[serde(default)]
    pub green: bool,
}

/// A ticket with its place in the queue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketView {
    pub id: String,
    pub hall_id: String,
    pub hall_name: String,
    pub day: NaiveDate,
    pub number: String,
    /// `green`, `appointment`, `walk_in`.
    pub line: String,
    pub group: String,
    pub group_name: String,
    pub offering_code: String,
    pub offering_name: String,
    /// `waiting`, `called`, `done`, `no_show`.
    pub state: String,
    pub window: String,
    pub calls: i32,
    /// Tickets before it while waiting.
    pub ahead: usize,
    /// Estimated minutes to wait while waiting (never empty: at least one).
    pub wait_minutes: i64,
    pub issued_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Issued to a known person (a card read, or an appointment).
    pub person_known: bool,
    pub appointment_id: String,
    /// The draft attached to the appointment, or the application accepted at the window.
    pub application_id: String,
    pub case_number: String,
    pub rated: bool,
    pub version: i64,
}

fn no_ticket() -> AppError {
    AppError::NotFound { what: "号票", what_en: "ticket" }
}

fn stale() -> AppError {
    AppError::Conflict {
        field: "version",
        message: "号票已被其他窗口处理，请刷新 (the ticket changed meanwhile: reload)".into(),
    }
}

async fn hall(app: &App, id: &str) -> Result<HallRow, AppError> {
    app.store.hall(id.trim()).await?.ok_or(NO_HALL)
}

/// The group of a hall whose queue an offering waits in.
async fn group_of(app: &App, hall_id: &str, offering: &str) -> Result<String, AppError> {
    app.store
        .hall_groups(hall_id)
        .await?
        .into_iter()
        .find(|g| super::list(&g.offerings).iter().any(|o| o == offering.trim()))
        .map(|g| g.code)
        .ok_or_else(|| {
            AppError::field(
                "offering_code",
                "本中心不办理此事项，请咨询导办人员 (this hall does not handle the service: ask at the help desk)",
            )
        })
}

fn new_ticket(
    h: &HallRow,
    line: Line,
    group: String,
    offering: &str,
    person: String,
    now: DateTime<Utc>,
) -> Result<TicketRow, AppError> {
    Ok(TicketRow {
        id: format!("tk_{}", &tongban_crypto::token().map_err(AppError::internal)?[..16]),
        hall_id: h.id.clone(),
        day: rules::hall_day(now),
        number: String::new(),
        line: line.as_str().into(),
        group_code: group,
        rank: rules::rank(line, now, h.appointment_ahead_minutes.max(0) as u32),
        person_id: person,
        appointment_id: String::new(),
        offering_code: offering.trim().into(),
        state: "waiting".into(),
        window: String::new(),
        calls: 0,
        issued_at: now,
        called_at: None,
        finished_at: None,
        application_id: String::new(),
        case_number: String::new(),
        rated: false,
        version: 1,
    })
}

/// Issues a walk-in ticket at the kiosk of `address` (no sign-in: the kiosk is in the hall).
pub async fn take(app: &App, hall_id: &str, r: TicketRequest, address: &str) -> Result<TicketView, AppError> {
    if !app.hall.tickets.admit(address).await {
        return Err(AppError::RateLimited);
    }
    let h = hall(app, hall_id).await?;
    let group = group_of(app, &h.id, &r.offering_code).await?;
    let card = r.card_number.trim();
    let person = if card.is_empty() {
        String::new()
    } else {
        tongban_domain::CitizenId::parse(card, chrono::Utc::now().date_naive()).map_err(|_| {
            AppError::field(
                "card_number",
                "身份证号码有误，请重新读卡或不读卡取号 (invalid id number: read again or take a ticket without it)",
            )
        })?;
        // An unregistered person still gets a ticket: the window registers them.
        crate::people::find_person(app, card).await?.unwrap_or_default()
    };
    let line = if r.green { Line::Green } else { Line::WalkIn };
    let t = new_ticket(&h, line, group, &r.offering_code, person, Utc::now())?;
    let t = app.store.issue_ticket(t, |n| rules::ticket_number(line, n), None).await?.ok_or_else(stale)?;
    view(app, &h, t).await
}

/// Checks in today's appointment of the person whose card is read at the kiosk: a ticket in the
/// appointment line (ahead of walk-ins by the hall's head start).
pub async fn check_in(app: &App, hall_id: &str, card_number: &str, address: &str) -> Result<TicketView, AppError> {
    if !app.hall.tickets.admit(address).await {
        return Err(AppError::RateLimited);
    }
    let h = hall(app, hall_id).await?;
    let none = || {
        AppError::field(
            "card_number",
            "未找到您今天在本中心的预约，请取普通号 (no appointment today at this hall: take a walk-in ticket)",
        )
    };
    tongban_domain::CitizenId::parse(card_number.trim(), chrono::Utc::now().date_naive()).map_err(|_| {
        AppError::field("card_number", "身份证号码有误，请重新读卡 (invalid id number: read the card again)")
    })?;
    let person = crate::people::find_person(app, card_number.trim()).await?.ok_or_else(none)?;
    let now = Utc::now();
    let today = rules::hall_day(now);
    let mut a = app
        .store
        .appointments_on(&h.id, today)
        .await?
        .into_iter()
        .find(|a| a.person_id == person && a.state == "booked")
        .ok_or_else(none)?;
    let mut t = new_ticket(&h, Line::Appointment, a.group_code.clone(), &a.offering_code, person, now)?;
    (t.appointment_id, t.application_id) = (a.id.clone(), a.application_id.clone());
    let expected = a.version;
    (a.state, a.ticket_id, a.updated_at, a.version) = ("checked_in".into(), t.id.clone(), now, expected + 1);
    let t = app
        .store
        .issue_ticket(t, |n| rules::ticket_number(Line::Appointment, n), Some((a, expected)))
        .await?
        .ok_or_else(stale)?;
    view(app, &h, t).await
}

/// A ticket, for the kiosk that issued it or anyone holding its id (it names no one).
pub async fn ticket(app: &App, id: &str) -> Result<TicketView, AppError> {
    let t = app.store.ticket(id.trim()).await?.ok_or_else(no_ticket)?;
    let h = hall(app, &t.hall_id).await?;
    view(app, &h, t).await
}

pub(crate) async fn view(app: &App, h: &HallRow, t: TicketRow) -> Result<TicketView, AppError> {
    let groups = app.store.hall_groups(&h.id).await?;
    let (mut ahead, mut wait_minutes) = (0, 0);
    if t.state == "waiting" {
        let waiting = app.store.waiting(&h.id, t.day).await?;
        ahead = waiting.iter().filter(|w| w.group_code == t.group_code).take_while(|w| w.id != t.id).count();
        let windows = app.store.hall_windows(&h.id).await?;
        let open =
            windows.iter().filter(|w| w.staff_id.is_some() && super::list(&w.groups).contains(&t.group_code)).count();
        let recent = app.store.service_secs(&h.id, &t.group_code, 20).await?;
        wait_minutes = rules::estimated_wait(ahead, open, &recent, i64::from(h.default_service_secs));
    }
    let offering_name =
        app.store.offering_names(std::slice::from_ref(&t.offering_code)).await?.pop().map(|n| n.1).unwrap_or_default();
    Ok(TicketView {
        group_name: groups.iter().find(|g| g.code == t.group_code).map(|g| g.name.clone()).unwrap_or_default(),
        id: t.id,
        hall_id: h.id.clone(),
        hall_name: h.name.clone(),
        day: t.day,
        number: t.number,
        line: t.line,
        group: t.group_code,
        offering_code: t.offering_code,
        offering_name,
        state: t.state,
        window: t.window,
        calls: t.calls,
        ahead,
        wait_minutes,
        issued_at: t.issued_at,
        called_at: t.called_at,
        finished_at: t.finished_at,
        person_known: !t.person_id.is_empty(),
        appointment_id: t.appointment_id,
        application_id: t.application_id,
        case_number: t.case_number,
        rated: t.rated,
        version: t.version,
    })
}

/// The window `who` is signed in at in a hall, with the hall.
async fn my_window(app: &App, who: &Principal, hall_id: &str) -> Result<(HallRow, WindowRow), AppError> {
    let h = hall(app, hall_id).await?;
    let windows = app.store.hall_windows(&h.id).await?;
    if let Some(w) = windows.iter().find(|w| w.staff_id.as_deref() == Some(who.person_id.as_str())) {
        window_staff(app, who, &h, w).await?;
        return Ok((h, w.clone()));
    }
    // Someone who may work a window here is told to sign in at one; anyone else is refused.
    for w in &windows {
        if window_staff(app, who, &h, w).await.is_ok() {
            return Err(AppError::Conflict {
                field: "window",
                message: "请先登录一个窗口 (sign in at a window first)".into(),
            });
        }
    }
    Err(AppError::Forbidden)
}

/// Signs `who` in at a window (out of any other of the hall), or out (`number` none).
pub async fn sign_in(app: &App, who: &Principal, hall_id: &str, number: Option<&str>) -> Result<(), AppError> {
    let h = hall(app, hall_id).await?;
    match number {
        Some(n) => {
            let w = app
                .store
                .hall_windows(&h.id)
                .await?
                .into_iter()
                .find(|w| w.number == n.trim())
                .ok_or_else(|| AppError::field("window", "没有这个窗口 (no such window)"))?;
            window_staff(app, who, &h, &w).await?;
            if w.staff_id.as_deref().is_some_and(|s| s != who.person_id) {
                return Err(AppError::Conflict {
                    field: "window",
                    message: "该窗口已有工作人员登录 (someone is at this window)".into(),
                });
            }
            Ok(app.store.set_window_staff(&h.id, &w.number, Some(&who.person_id)).await?)
        }
        None => {
            let (h, w) = my_window(app, who, &h.id).await?;
            if app.store.at_window(&h.id, &w.number, rules::hall_day(Utc::now())).await?.is_some() {
                return Err(AppError::Conflict {
                    field: "window",
                    message: "请先办结或处理正在办理的号 (finish the ticket being served first)".into(),
                });
            }
            Ok(app.store.set_window_staff(&h.id, &w.number, None).await?)
        }
    }
}

/// A window's desk: the window, its ticket being served, the waiting per group it calls, the
/// ticket its rating device offers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Desk {
    pub hall_id: String,
    pub hall_name: String,
    pub window: String,
    pub groups: Vec<String>,
    pub max_recalls: i32,
    pub current: Option<TicketView>,
    /// Group code → tickets waiting.
    pub waiting: std::collections::BTreeMap<String, usize>,
    /// The last ticket finished here, unrated: what the rating device offers.
    pub to_rate: Option<TicketView>,
}

pub async fn desk(app: &App, who: &Principal, hall_id: &str) -> Result<Desk, AppError> {
    let (h, w) = my_window(app, who, hall_id).await?;
    let today = rules::hall_day(Utc::now());
    let groups = super::list(&w.groups);
    let mut waiting = std::collections::BTreeMap::new();
    for t in app.store.waiting(&h.id, today).await? {
        if groups.contains(&t.group_code) {
            *waiting.entry(t.group_code).or_insert(0) += 1;
        }
    }
    let current = match app.store.at_window(&h.id, &w.number, today).await? {
        Some(t) => Some(view(app, &h, t).await?),
        None => None,
    };
    let to_rate = match app.store.last_finished(&h.id, &w.number, today).await?.filter(|t| !t.rated) {
        Some(t) => Some(view(app, &h, t).await?),
        None => None,
    };
    Ok(Desk {
        hall_id: h.id.clone(),
        hall_name: h.name.clone(),
        window: w.number,
        groups,
        max_recalls: h.max_recalls,
        current,
        waiting,
        to_rate,
    })
}

fn call_row(h: &HallRow, number: &str, window: &str, kind: &str) -> Result<CallRow, AppError> {
    Ok(CallRow {
        id: format!("c_{}", &tongban_crypto::token().map_err(AppError::internal)?[..16]),
        hall_id: h.id.clone(),
        at: Utc::now(),
        number: number.into(),
        window: window.into(),
        kind: kind.into(),
    })
}

/// Calls the next ticket to `who`'s window (none waiting: `None`). Finish the one being served
/// first.
pub async fn call_next(app: &App, who: &Principal, hall_id: &str) -> Result<Option<TicketView>, AppError> {
    let (h, w) = my_window(app, who, hall_id).await?;
    let today = rules::hall_day(Utc::now());
    if app.store.at_window(&h.id, &w.number, today).await?.is_some() {
        return Err(AppError::Conflict {
            field: "window",
            message: "请先办结或处理正在办理的号 (finish the ticket being served first)".into(),
        });
    }
    let call = call_row(&h, "", &w.number, "call")?;
    let Some(t) = app.store.call_next(&h.id, today, &super::list(&w.groups), &w.number, call.id.clone()).await? else {
        return Ok(None);
    };
    app.hall.calls.publish(CallRow { number: t.number.clone(), at: t.called_at.unwrap_or(call.at), ..call });
    Ok(Some(view(app, &h, t).await?))
}

/// What a window does with the ticket it called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// Call it again (at most `max_recalls` times).
    Recall,
    /// Not there after the calls.
    NoShow,
    /// To another group's queue, keeping its place by rank.
    Transfer(&'a str),
    Finish,
}

/// Applies `step` to the ticket being served at `who`'s window, at `version`.
pub async fn step(
    app: &App,
    who: &Principal,
    ticket_id: &str,
    version: i64,
    step: Step<'_>,
) -> Result<TicketView, AppError> {
    let old = app.store.ticket(ticket_id.trim()).await?.ok_or_else(no_ticket)?;
    let (h, w) = my_window(app, who, &old.hall_id).await?;
    if old.state != "called" || old.window != w.number || old.version != version {
        return Err(stale());
    }
    let mut t = old.clone();
    t.version += 1;
    let (mut call, mut appointment_state) = (None, None);
    match step {
        Step::Recall => {
            if t.calls > h.max_recalls {
                let n = h.max_recalls;
                return Err(AppError::Conflict {
                    field: "calls",
                    message: format!("已重呼 {n} 次，请标记未到 (called again {n} times already: mark a no-show)"),
                });
            }
            t.calls += 1;
            call = Some(call_row(&h, &t.number, &w.number, "recall")?);
        }
        Step::NoShow => {
            (t.state, t.finished_at) = ("no_show".into(), Some(Utc::now()));
            appointment_state = Some("no_show");
        }
        Step::Transfer(group) => {
            if !app.store.hall_groups(&h.id).await?.iter().any(|g| g.code == group) || group == t.group_code {
                return Err(AppError::field("group", "请选择本中心的另一个分组 (choose another group of this hall)"));
            }
            (t.state, t.group_code, t.window, t.called_at) = ("waiting".into(), group.into(), String::new(), None);
        }
        Step::Finish => {
            (t.state, t.finished_at) = ("done".into(), Some(Utc::now()));
            if !t.application_id.is_empty() {
                let a = app.store.application(&t.application_id).await?;
                t.case_number = a.and_then(|a| a.case_number).unwrap_or_default();
            }
        }
    }
    if !app.store.update_ticket(t.clone(), version, call.clone(), appointment_state).await? {
        return Err(stale());
    }
    if let Some(c) = call {
        app.hall.calls.publish(c);
    }
    if step == Step::Finish && !t.case_number.is_empty() {
        // The case records the visit it was accepted in.
        let detail = serde_json::json!({ "hall": h.name, "ticket": t.number, "window": w.number, "appointment": t.appointment_id });
        app.store
            .note_on_case(&t.case_number, trail_step(&who.person_id, "window_staff", "hall_visit", detail))
            .await?;
    }
    view(app, &h, t).await
}

/// Links the application a window started from the ticket it serves (one-window acceptance
/// opened by the call), so finishing the visit finds its case.
pub async fn link_application(app: &App, who: &Principal, hall_id: &str, application_id: &str) -> Result<(), AppError> {
    let (h, w) = my_window(app, who, hall_id).await?;
    let Some(mut t) = app.store.at_window(&h.id, &w.number, rules::hall_day(Utc::now())).await? else { return Ok(()) };
    let expected = t.version;
    (t.application_id, t.version) = (application_id.into(), expected + 1);
    if !app.store.update_ticket(t, expected, None, None).await? {
        return Err(stale());
    }
    Ok(())
}

/// The visit's rating (一次一评) given on the rating device of the window that finished it: the
/// on-site indicators, counted in the ratings' figures under the window's agency, kept in the
/// visit's trail; a bad review (1–2 stars) opens a rectification for the window's agency, as a
/// case's does. Once per ticket (409 after).
pub async fn rate(app: &App, who: &Principal, ticket_id: &str, new: NewRating) -> Result<TicketView, AppError> {
    let t = app.store.ticket(ticket_id.trim()).await?.ok_or_else(no_ticket)?;
    let (h, w) = my_window(app, who, &t.hall_id).await?;
    if t.window != w.number {
        return Err(no_ticket());
    }
    let checked = ratings::check(Channel::OnSite, new.level, &new.indicators, &new.comment)
        .map_err(|(field, message)| AppError::field(&field, message))?;
    let now = Utc::now();
    let row = tongban_store::ratings::RatingRow {
        id: crate::notify::message_id()?,
        case_number: t.id.clone(),
        channel: Channel::OnSite.as_str().into(),
        person_id: t.person_id.clone(),
        // Real-name only when the person served chose it and is known (the card read, or an
        // appointment signed in): a bad review is then called back.
        anonymous: new.anonymous || t.person_id.is_empty(),
        level: i32::from(checked.level),
        indicators: serde_json::to_string(&checked.indicators).map_err(AppError::internal)?,
        comment: checked.comment,
        agency_code: w.agency_code.clone(),
        offering_code: t.offering_code.clone(),
        division_code: h.division_code.clone(),
        month: ratings::month_of(now),
        created_at: now,
        updated_at: now,
        changes: 0,
    };
    // Linked to the window and the staff member who served (the device is signed in as them).
    let detail =
        serde_json::json!({ "level": row.level, "ticket": t.number, "window": w.number, "staff": who.person_id });
    let mut step = trail_step(&t.person_id, "visitor", "rating", detail);
    (step.before_state, step.after_state) = (t.state.clone(), t.state.clone());
    let rect = ratings::is_bad(checked.level).then(|| crate::ratings::opened(app, &row));
    if !app.store.rate_visit(&t.id, row, rect, step).await? {
        return Err(AppError::Conflict {
            field: "ticket",
            message: "这次办理已评价或尚未办结 (the visit is rated already or not finished)".into(),
        });
    }
    ticket(app, &t.id).await
}

/// A hall's windows `who` may sign in at, and the one they are at.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HallWindows {
    pub hall_id: String,
    pub hall_name: String,
    pub windows: Vec<String>,
    pub at: Option<String>,
}

/// The halls with windows of `who`'s agencies within their divisions (window staff).
pub async fn windows_for(app: &App, who: &Principal) -> Result<Vec<HallWindows>, AppError> {
    let mut out: Vec<HallWindows> = Vec::new();
    for a in crate::access::roles(app, &who.person_id).await? {
        if a.role != tongban_domain::identity::StaffRole::WindowStaff || who.acting.is_some() {
            continue;
        }
        for h in app.store.halls(tongban_domain::codes::subtree_prefix(&a.division_code)).await? {
            let ws = app.store.hall_windows(&h.id).await?;
            let mine: Vec<&WindowRow> = ws.iter().filter(|w| w.agency_code == a.agency_code).collect();
            if mine.is_empty() || out.iter().any(|o| o.hall_id == h.id) {
                continue;
            }
            out.push(HallWindows {
                at: ws.iter().find(|w| w.staff_id.as_deref() == Some(who.person_id.as_str())).map(|w| w.number.clone()),
                windows: mine.into_iter().map(|w| w.number.clone()).collect(),
                hall_id: h.id,
                hall_name: h.name,
            });
        }
    }
    Ok(out)
}
