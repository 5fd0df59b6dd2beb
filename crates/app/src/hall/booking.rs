//! Appointments (预约): a person (L2 and up) books a released slot of the window group that
//! serves an offering, sees, moves or cancels it, and is reminded the day before. Capacity is
//! taken in one conditional statement (a race for the last place has one winner, 409 for the
//! rest); a person holds at most `max_active` and is suspended after the no-show rule's count.

use super::{NO_HALL, release};
use crate::access::Principal;
use crate::{App, AppError};
use chrono::{NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use tongban_domain::calendar::{china_time, china_today};
use tongban_domain::hall as rules;
use tongban_domain::identity::Assurance;
use tongban_store::hall::{AppointmentRow, Booking, GroupRow, HallRow};

/// The least assurance to book: L2, a registered person whose real name the registry confirmed.
const BOOKING_ASSURANCE: Assurance = Assurance::L2;

/// A slot of a day, with its places left.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotView {
    /// `HH:MM`, China time.
    pub start: String,
    pub left: i32,
    /// Released and not begun.
    pub bookable: bool,
}

/// The slots of a day for an offering at a hall.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DaySlots {
    pub day: NaiveDate,
    pub group: String,
    /// False on a day off (the working-day calendar): no slots.
    pub working_day: bool,
    pub slots: Vec<SlotView>,
    /// The days that may be booked now, from today.
    pub last_day: NaiveDate,
}

/// What a person books.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAppointment {
    pub offering_code: String,
    pub day: NaiveDate,
    /// `HH:MM`, a slot's start.
    pub start: String,
    /// A draft application of the same offering, for the window to see.
    #[serde(default)]
    pub application_id: String,
}

/// An appointment as its person sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentView {
    pub id: String,
    pub hall_id: String,
    pub hall_name: String,
    pub hall_address: String,
    pub offering_code: String,
    pub offering_name: String,
    pub day: NaiveDate,
    pub start: String,
    /// `booked`, `cancelled`, `checked_in`, `no_show`.
    pub state: String,
    pub application_id: String,
    /// Booked and not yet begun: may be moved or cancelled.
    pub changeable: bool,
    pub version: i64,
}

fn conflict(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Conflict { field, message: message.into() }
}

/// The group of a hall that takes appointments for an offering.
async fn group_for(app: &App, hall_id: &str, offering: &str) -> Result<GroupRow, AppError> {
    app.store
        .hall_groups(hall_id)
        .await?
        .into_iter()
        .find(|g| g.capacity > 0 && super::list(&g.offerings).iter().any(|o| o == offering.trim()))
        .ok_or_else(|| {
            AppError::field(
                "offering_code",
                "该中心不接受此事项的预约 (this hall takes no appointments for this service)",
            )
        })
}

fn starts(h: &HallRow) -> Vec<NaiveTime> {
    rules::slots(&rules::parse_hours(&h.hours).unwrap_or_default(), h.slot_minutes.max(5) as u32)
}

/// The slots of `day` for `offering` at a hall, with places left.
pub async fn slots(app: &App, hall_id: &str, offering: &str, day: NaiveDate) -> Result<DaySlots, AppError> {
    let h = app.store.hall(hall_id).await?.ok_or(NO_HALL)?;
    let g = group_for(app, hall_id, offering).await?;
    let working_day = app.calendar.with(&app.store, |c| c.is_working_day(day)).await?;
    let now = china_time(Utc::now());
    let r = release(&h);
    let taken = app.store.slots_on(hall_id, &g.code, day).await?;
    let slots = if working_day {
        starts(&h)
            .into_iter()
            .map(|t| {
                let start = t.format("%H:%M").to_string();
                let booked = taken.iter().find(|s| s.start == start).map_or(0, |s| s.booked);
                SlotView { left: (g.capacity - booked).max(0), bookable: r.bookable(day, t, now), start }
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(DaySlots { day, group: g.code, working_day, slots, last_day: r.last_day(now) })
}

/// Checks that `day`/`start` is a released slot of a working day the person may book now.
async fn check_slot(app: &App, h: &HallRow, day: NaiveDate, start: &str) -> Result<String, AppError> {
    let t = NaiveTime::parse_from_str(start.trim(), "%H:%M")
        .map_err(|_| AppError::field("start", "请选择一个时段 (choose a slot)"))?;
    if !app.calendar.with(&app.store, |c| c.is_working_day(day)).await? {
        return Err(AppError::field("day", "该日不是工作日，中心不开放 (not a working day: the hall is closed)"));
    }
    if !starts(h).contains(&t) {
        return Err(AppError::field("start", "没有这个时段 (no such slot)"));
    }
    if !release(h).bookable(day, t, china_time(Utc::now())) {
        return Err(AppError::field(
            "day",
            format!(
                "该时段尚未放号或已开始：每天 {} 放出 {} 天内的号源 (not released yet or begun: slots open {} days ahead at {})",
                h.release_at, h.days_ahead, h.days_ahead, h.release_at
            ),
        ));
    }
    Ok(t.format("%H:%M").to_string())
}

/// Books a slot for `who` (a person, L2 and up; not while acting for an organization).
pub async fn book(app: &App, who: &Principal, hall_id: &str, new: NewAppointment) -> Result<AppointmentView, AppError> {
    if who.assurance < BOOKING_ASSURANCE {
        return Err(AppError::AssuranceRequired { level: BOOKING_ASSURANCE });
    }
    let h = app.store.hall(hall_id).await?.ok_or(NO_HALL)?;
    let g = group_for(app, hall_id, &new.offering_code).await?;
    let start = check_slot(app, &h, new.day, &new.start).await?;
    let mine = app.store.appointments_of(&who.person_id, 200).await?;
    let now = Utc::now();
    let since = now - chrono::Duration::days(i64::from(app.hall.no_show.within_days) * 2);
    let no_shows = app.store.no_shows_of(&who.person_id, since).await?;
    if let Some(until) = app.hall.no_show.suspended_until(&no_shows, now) {
        let until = china_time(until).format("%Y-%m-%d");
        let n = app.hall.no_show.count;
        return Err(conflict(
            "day",
            format!(
                "您近期 {n} 次预约未到，{until} 前不能预约 (booking is suspended until {until} after {n} no-shows)"
            ),
        ));
    }
    let active: Vec<_> = mine.iter().filter(|a| a.state == "booked" && a.day >= china_today()).collect();
    if active.len() >= app.hall.max_active as usize {
        let n = app.hall.max_active;
        return Err(conflict(
            "day",
            format!("同时最多保留 {n} 个预约，请先取消一个 (at most {n} appointments at a time: cancel one first)"),
        ));
    }
    if active.iter().any(|a| a.offering_code == new.offering_code.trim() && a.day == new.day) {
        return Err(conflict("day", "您当天已预约该事项 (you have booked this service on that day already)"));
    }
    let application_id = new.application_id.trim().to_owned();
    if !application_id.is_empty() {
        let a = crate::cases::get_application(app, who, &application_id)
            .await
            .map_err(|_| AppError::field("application_id", "只能附上本人的申请草稿 (only a draft of your own)"))?;
        if a.case_number.is_some() || a.offering_code != new.offering_code.trim() {
            return Err(AppError::field(
                "application_id",
                "只能附上该事项未提交的草稿 (only an unsubmitted draft of this service)",
            ));
        }
    }
    let row = AppointmentRow {
        id: format!("yy_{}", &tongban_crypto::token().map_err(AppError::internal)?[..16]),
        hall_id: h.id.clone(),
        group_code: g.code.clone(),
        offering_code: new.offering_code.trim().into(),
        person_id: who.person_id.clone(),
        day: new.day,
        start,
        state: "booked".into(),
        application_id,
        reminded: false,
        ticket_id: String::new(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    match app.store.book(row.clone(), g.capacity, None).await? {
        Booking::Made => {
            remind_if_due(app, &row).await;
            view(app, row).await
        }
        _ => Err(full()),
    }
}

fn full() -> AppError {
    conflict("start", "该时段已约满，请选择其他时段 (the slot is full: choose another)")
}

async fn own(app: &App, who: &Principal, id: &str) -> Result<AppointmentRow, AppError> {
    app.store
        .appointment(id.trim())
        .await?
        .filter(|a| a.person_id == who.person_id)
        .ok_or(AppError::NotFound { what: "预约", what_en: "appointment" })
}

fn changeable(a: &AppointmentRow) -> bool {
    let begins = NaiveTime::parse_from_str(&a.start, "%H:%M").map(|t| a.day.and_time(t));
    a.state == "booked" && begins.is_ok_and(|b| b > china_time(Utc::now()))
}

fn check_version(a: &AppointmentRow, version: i64) -> Result<(), AppError> {
    if a.version != version || !changeable(a) {
        return Err(conflict(
            "version",
            "预约已变化或已开始，请刷新后再试 (the appointment changed or has begun: reload)",
        ));
    }
    Ok(())
}

/// Moves an appointment to another slot (its old place is given back in the same step).
pub async fn move_to(
    app: &App,
    who: &Principal,
    id: &str,
    day: NaiveDate,
    start: &str,
    version: i64,
) -> Result<AppointmentView, AppError> {
    let old = own(app, who, id).await?;
    check_version(&old, version)?;
    let h = app.store.hall(&old.hall_id).await?.ok_or(NO_HALL)?;
    let g = group_for(app, &h.id, &old.offering_code).await?;
    let start = check_slot(app, &h, day, start).await?;
    let mut row = old.clone();
    (row.day, row.start, row.reminded, row.updated_at, row.version) = (day, start, false, Utc::now(), version + 1);
    match app.store.book(row.clone(), g.capacity, Some((old, version))).await? {
        Booking::Made => {
            remind_if_due(app, &row).await;
            view(app, row).await
        }
        Booking::Full => Err(full()),
        Booking::Stale => Err(conflict("version", "预约已变化，请刷新后再试 (the appointment changed: reload)")),
    }
}

/// Cancels an appointment before its slot begins; the place is free again.
pub async fn cancel(app: &App, who: &Principal, id: &str, version: i64) -> Result<AppointmentView, AppError> {
    let old = own(app, who, id).await?;
    check_version(&old, version)?;
    let mut row = old;
    (row.state, row.updated_at, row.version) = ("cancelled".into(), Utc::now(), version + 1);
    if !app.store.update_appointment(row.clone(), version).await? {
        return Err(conflict("version", "预约已变化，请刷新后再试 (the appointment changed: reload)"));
    }
    view(app, row).await
}

pub async fn get(app: &App, who: &Principal, id: &str) -> Result<AppointmentView, AppError> {
    view(app, own(app, who, id).await?).await
}

/// The person's appointments, the latest first.
pub async fn mine(app: &App, who: &Principal) -> Result<Vec<AppointmentView>, AppError> {
    let mut out = Vec::new();
    for a in app.store.appointments_of(&who.person_id, 50).await? {
        out.push(view(app, a).await?);
    }
    Ok(out)
}

pub(crate) async fn view(app: &App, a: AppointmentRow) -> Result<AppointmentView, AppError> {
    let h = app.store.hall(&a.hall_id).await?;
    let offering_name =
        app.store.offering_names(std::slice::from_ref(&a.offering_code)).await?.pop().map(|n| n.1).unwrap_or_default();
    Ok(AppointmentView {
        changeable: changeable(&a),
        id: a.id,
        hall_name: h.as_ref().map(|h| h.name.clone()).unwrap_or_default(),
        hall_address: h.map(|h| h.address).unwrap_or_default(),
        hall_id: a.hall_id,
        offering_code: a.offering_code,
        offering_name,
        day: a.day,
        start: a.start,
        state: a.state,
        application_id: a.application_id,
        version: a.version,
    })
}

/// Reminds of a booked appointment (in-site and by text), once: true if this call did.
async fn remind(app: &App, a: &AppointmentRow) -> Result<bool, AppError> {
    let v = view(app, a.clone()).await?;
    let title = format!("预约提醒：{} {} {}", v.day, v.start, v.hall_name);
    let body = format!(
        "您预约了 {} {} 在 {}（{}）办理「{}」。请携带身份证件按时到达，在取号机签到。如不能前往，请提前取消。",
        v.day, v.start, v.hall_name, v.hall_address, v.offering_name
    );
    let texts = crate::notify::notice(app, &a.person_id, (title.clone(), body.clone()), "/appointments").await?;
    let m = crate::notify::in_site(&a.person_id, None, title, body)?;
    if !app.store.remind(&a.id, m, texts.clone()).await? {
        return Ok(false);
    }
    crate::notify::attempt_now(app, texts);
    Ok(true)
}

/// The days whose appointments are reminded now: from tomorrow, `remind_days` of them.
fn reminded_days(app: &App) -> (NaiveDate, NaiveDate) {
    let today = china_today();
    (today + chrono::Duration::days(1), today + chrono::Duration::days(i64::from(app.hall.remind_days.max(1))))
}

/// An appointment booked (or moved) inside the reminder window is reminded at once; if that
/// fails, the sweep reminds it (the booking stands either way).
async fn remind_if_due(app: &App, a: &AppointmentRow) {
    let (from, to) = reminded_days(app);
    if (from..=to).contains(&a.day)
        && let Err(e) = remind(app, a).await
    {
        tracing::warn!(error = %e, appointment = %a.id, "the reminder waits for the sweep");
    }
}

/// The day's work of the sweep: the appointments of the next `remind_days` days reminded (once),
/// and those of past days never checked in marked no-shows. Returns how many of each.
pub async fn sweep(app: &App) -> Result<(usize, usize), AppError> {
    let today = china_today();
    let (from, to) = reminded_days(app);
    let mut reminded = 0;
    for a in app.store.appointments_to_remind(from, to, 500).await? {
        reminded += usize::from(remind(app, &a).await?);
    }
    let mut missed = 0;
    for mut a in app.store.appointments_missed(today, 500).await? {
        let expected = a.version;
        (a.state, a.updated_at, a.version) = ("no_show".into(), Utc::now(), expected + 1);
        missed += usize::from(app.store.update_appointment(a, expected).await?);
    }
    Ok((reminded, missed))
}
