//! The service hall (政务服务中心, 线上线下融合): halls with window groups and windows (`save`,
//! `get`), `booking` of appointments in released slots, the `queue` — kiosk tickets, check-in,
//! the window's calls and the visit's end in the same case record, the window rating (一次一评)
//! —, the `display` of calls on every node, and the hall's `figures`. Per-hall rules (hours,
//! slot length, release, head start of appointments, recalls) are the hall's data; per-person
//! rules are `Settings`.

pub mod booking;
pub mod display;
pub mod figures;
pub mod queue;

use crate::access::{self, Need, Principal};
use crate::{App, AppError};
use chrono::{NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use tongban_domain::hall::{self as rules, NoShowRule, Release};
use tongban_domain::identity::StaffRole;
use tongban_store::hall::{GroupRow, HallRow, WindowRow};

/// The per-person rules of booking [configurable].
pub struct Settings {
    /// Days before an appointment its reminder goes out (1: the day before); booked closer than
    /// that, it goes out at once.
    pub remind_days: u32,
    /// Appointments a person may hold at once.
    pub max_active: u32,
    pub no_show: NoShowRule,
    /// Walk-in tickets one kiosk address may issue a minute.
    pub tickets: crate::limit::PerMinute,
    pub calls: display::Calls,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            remind_days: 1,
            max_active: 3,
            no_show: NoShowRule { count: 3, within_days: 30, suspend_days: 30 },
            tickets: crate::limit::PerMinute::new(60),
            calls: display::Calls::default(),
        }
    }
}

/// Who manages a hall and reads its figures: its agency's administrators over its division,
/// and the platform administrator.
const MANAGERS: &[StaffRole] = &[StaffRole::AgencyAdmin, StaffRole::PlatformAdmin];
/// Who works at a window: its agency's window staff within the hall's division.
const WINDOW: &[StaffRole] = &[StaffRole::WindowStaff];

pub(crate) const NO_HALL: AppError = AppError::NotFound { what: "政务服务中心", what_en: "hall" };

/// A hall as its manager writes it: the rules of its appointments and queue, its window groups
/// and its windows.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HallSpec {
    pub name: String,
    pub division_code: String,
    /// The agency that runs it (统一社会信用代码).
    pub agency_code: String,
    #[serde(default)]
    pub address: String,
    /// Opening hours on working days, China time: `09:00-12:00,13:30-17:00`.
    pub hours: String,
    /// Minutes per appointment slot (5–240).
    pub slot_minutes: i32,
    /// A day's slots are released this many days before it (0–60) …
    pub days_ahead: i32,
    /// … at this time, `HH:MM`.
    pub release_at: String,
    /// How far ahead of walk-ins a checked-in appointment goes, minutes (0–240).
    pub appointment_ahead_minutes: i32,
    /// Calls again at most (0–5) before a ticket may be marked a no-show.
    pub max_recalls: i32,
    /// Service seconds assumed before any were measured (the estimated wait).
    pub default_service_secs: i32,
    pub groups: Vec<GroupSpec>,
    pub windows: Vec<WindowSpec>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupSpec {
    /// Short code, letters and digits (`general`, `tax`).
    pub code: String,
    pub name: String,
    /// The published offerings it serves.
    pub offerings: Vec<String>,
    /// Appointments per slot (0: none by appointment).
    pub capacity: i32,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WindowSpec {
    /// As shown above the window: `1`, `12`.
    pub number: String,
    /// The agency whose window staff work it.
    pub agency_code: String,
    /// The groups it calls from.
    pub groups: Vec<String>,
}

/// A hall as everyone sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HallView {
    pub id: String,
    #[serde(flatten)]
    pub spec: HallSpec,
    pub division_name: String,
    /// Offering code → name, for the groups' offerings.
    pub offering_names: std::collections::BTreeMap<String, String>,
    /// Window number → whether someone is at it.
    pub staffed: std::collections::BTreeMap<String, bool>,
}

fn bad(field: &str, message: impl Into<String>) -> AppError {
    AppError::field(field, message)
}

fn short_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 16 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Checks a spec: every rule in its range, groups and windows named once, windows calling only
/// their hall's groups, offerings published.
async fn check(app: &App, s: &HallSpec) -> Result<(), AppError> {
    let text = |field: &str, v: &str, max: usize| {
        let n = v.trim().chars().count();
        if n == 0 || n > max || v.chars().any(char::is_control) {
            Err(bad(field, format!("请填写，不超过 {max} 字 (required, at most {max} characters)")))
        } else {
            Ok(())
        }
    };
    text("name", &s.name, 60)?;
    if !s.address.is_empty() {
        text("address", &s.address, 120)?;
    }
    if app.store.division(s.division_code.trim()).await?.is_none() {
        return Err(bad("division_code", "没有这个行政区划 (no such division)"));
    }
    if tongban_domain::CreditCode::parse(s.agency_code.trim()).is_err() {
        return Err(bad("agency_code", "请填写有效的统一社会信用代码 (a valid unified social credit code)"));
    }
    rules::parse_hours(&s.hours).map_err(|m| bad("hours", m))?;
    NaiveTime::parse_from_str(s.release_at.trim(), "%H:%M")
        .map_err(|_| bad("release_at", "放号时间应为 HH:MM (release time as HH:MM)"))?;
    for (field, v, lo, hi) in [
        ("slot_minutes", s.slot_minutes, 5, 240),
        ("days_ahead", s.days_ahead, 0, 60),
        ("appointment_ahead_minutes", s.appointment_ahead_minutes, 0, 240),
        ("max_recalls", s.max_recalls, 0, 5),
        ("default_service_secs", s.default_service_secs, 30, 7200),
    ] {
        if !(lo..=hi).contains(&v) {
            return Err(bad(field, format!("应在 {lo} 到 {hi} 之间 (between {lo} and {hi})")));
        }
    }
    if s.groups.is_empty() || s.groups.len() > 50 {
        return Err(bad("groups", "请设置 1 到 50 个窗口分组 (one to fifty window groups)"));
    }
    let mut codes = std::collections::BTreeSet::new();
    for g in &s.groups {
        if !short_code(&g.code) || !codes.insert(g.code.as_str()) {
            return Err(bad(
                "groups",
                format!("分组代码「{}」须为不重复的字母数字 (group codes: unique letters and digits)", g.code),
            ));
        }
        text("groups", &g.name, 30)?;
        if !(0..=500).contains(&g.capacity) {
            return Err(bad("groups", "每时段预约数应在 0 到 500 之间 (capacity per slot 0–500)"));
        }
        for o in &g.offerings {
            if app.store.published(o.trim()).await?.is_none() {
                return Err(bad("groups", format!("没有已发布的事项「{o}」 (no published service {o})")));
            }
        }
    }
    if s.windows.is_empty() || s.windows.len() > 200 {
        return Err(bad("windows", "请设置 1 到 200 个窗口 (one to two hundred windows)"));
    }
    let mut numbers = std::collections::BTreeSet::new();
    for w in &s.windows {
        if !short_code(&w.number) || !numbers.insert(w.number.as_str()) {
            return Err(bad("windows", format!("窗口号「{}」须不重复 (window numbers must be unique)", w.number)));
        }
        if tongban_domain::CreditCode::parse(w.agency_code.trim()).is_err() {
            return Err(bad(
                "windows",
                format!("窗口 {} 的部门代码无效 (window {}: invalid agency code)", w.number, w.number),
            ));
        }
        if w.groups.is_empty() || w.groups.iter().any(|g| !codes.contains(g.as_str())) {
            return Err(bad(
                "windows",
                format!("窗口 {} 须叫本厅的分组 (window {}: groups of this hall)", w.number, w.number),
            ));
        }
    }
    Ok(())
}

/// Creates (`id` none) or changes a hall. Its agency's administrator over the division, or the
/// platform administrator.
pub async fn save(app: &App, who: &Principal, id: Option<&str>, s: HallSpec) -> Result<HallView, AppError> {
    let place = Some((s.agency_code.trim(), s.division_code.trim()));
    access::authorize(app, who, Need::Staff(MANAGERS, place)).await?;
    let (id, created_at) = match id {
        Some(id) => {
            let old = app.store.hall(id).await?.ok_or(NO_HALL)?;
            // Managing the hall where it is now as well as where it goes.
            access::authorize(app, who, Need::Staff(MANAGERS, Some((&old.agency_code, &old.division_code)))).await?;
            (old.id, old.created_at)
        }
        None => (format!("h_{}", &tongban_crypto::token().map_err(AppError::internal)?[..12]), Utc::now()),
    };
    write(app, id, created_at, s).await
}

/// Checks and writes a hall (no one to authorize: `save` did, or the demo).
pub(crate) async fn write(
    app: &App,
    id: String,
    created_at: chrono::DateTime<Utc>,
    s: HallSpec,
) -> Result<HallView, AppError> {
    check(app, &s).await?;
    let row = HallRow {
        id: id.clone(),
        name: s.name.trim().into(),
        division_code: s.division_code.trim().into(),
        agency_code: s.agency_code.trim().into(),
        address: s.address.trim().into(),
        hours: s.hours.trim().into(),
        slot_minutes: s.slot_minutes,
        days_ahead: s.days_ahead,
        release_at: s.release_at.trim().into(),
        appointment_ahead_minutes: s.appointment_ahead_minutes,
        max_recalls: s.max_recalls,
        default_service_secs: s.default_service_secs,
        created_at,
    };
    let groups = s
        .groups
        .iter()
        .map(|g| GroupRow {
            hall_id: id.clone(),
            code: g.code.clone(),
            name: g.name.trim().into(),
            offerings: g.offerings.iter().map(|o| o.trim()).collect::<Vec<_>>().join(","),
            capacity: g.capacity,
        })
        .collect();
    let windows = s
        .windows
        .iter()
        .map(|w| WindowRow {
            hall_id: id.clone(),
            number: w.number.clone(),
            agency_code: w.agency_code.trim().into(),
            groups: w.groups.join(","),
            staff_id: None,
        })
        .collect();
    app.store.save_hall(row, groups, windows).await?;
    get(app, &id).await
}

/// A hall with its groups and windows, for everyone.
pub async fn get(app: &App, id: &str) -> Result<HallView, AppError> {
    let h = app.store.hall(id).await?.ok_or(NO_HALL)?;
    let groups = app.store.hall_groups(id).await?;
    let windows = app.store.hall_windows(id).await?;
    let codes: Vec<String> = groups.iter().flat_map(|g| list(&g.offerings)).collect();
    let offering_names = app.store.offering_names(&codes).await?.into_iter().collect();
    let division_name = app.store.division(&h.division_code).await?.map(|d| d.name).unwrap_or_default();
    Ok(HallView {
        id: h.id.clone(),
        division_name,
        offering_names,
        staffed: windows.iter().map(|w| (w.number.clone(), w.staff_id.is_some())).collect(),
        spec: spec_of(h, groups, windows),
    })
}

fn spec_of(h: HallRow, groups: Vec<GroupRow>, windows: Vec<WindowRow>) -> HallSpec {
    HallSpec {
        name: h.name,
        division_code: h.division_code,
        agency_code: h.agency_code,
        address: h.address,
        hours: h.hours,
        slot_minutes: h.slot_minutes,
        days_ahead: h.days_ahead,
        release_at: h.release_at,
        appointment_ahead_minutes: h.appointment_ahead_minutes,
        max_recalls: h.max_recalls,
        default_service_secs: h.default_service_secs,
        groups: groups
            .into_iter()
            .map(|g| GroupSpec { offerings: list(&g.offerings), code: g.code, name: g.name, capacity: g.capacity })
            .collect(),
        windows: windows
            .into_iter()
            .map(|w| WindowSpec { groups: list(&w.groups), number: w.number, agency_code: w.agency_code })
            .collect(),
    }
}

/// A comma-separated list as kept.
pub(crate) fn list(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_owned).collect()
}

/// A hall in a list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HallSummary {
    pub id: String,
    pub name: String,
    pub division_code: String,
    pub address: String,
    pub hours: String,
}

/// The halls in a division subtree (all, for an empty one).
pub async fn list_halls(app: &App, division: &str) -> Result<Vec<HallSummary>, AppError> {
    Ok(app
        .store
        .halls(tongban_domain::codes::subtree_prefix(division))
        .await?
        .into_iter()
        .map(|h| HallSummary {
            id: h.id,
            name: h.name,
            division_code: h.division_code,
            address: h.address,
            hours: h.hours,
        })
        .collect())
}

/// The hall's rules of release, from its row.
pub(crate) fn release(h: &HallRow) -> Release {
    Release {
        days_ahead: h.days_ahead.max(0) as u32,
        release_at: NaiveTime::parse_from_str(&h.release_at, "%H:%M").unwrap_or(NaiveTime::MIN),
    }
}

/// Whether `who` manages the hall (its settings and figures); `Forbidden` if not.
pub async fn manages(app: &App, who: &Principal, id: &str) -> Result<(), AppError> {
    let h = app.store.hall(id).await?.ok_or(NO_HALL)?;
    manager(app, who, &h).await
}

/// Authorizes a manager of the hall.
pub(crate) async fn manager(app: &App, who: &Principal, h: &HallRow) -> Result<(), AppError> {
    access::authorize(app, who, Need::Staff(MANAGERS, Some((&h.agency_code, &h.division_code)))).await
}

/// Authorizes window staff of the window's agency in the hall's division.
pub(crate) async fn window_staff(app: &App, who: &Principal, h: &HallRow, w: &WindowRow) -> Result<(), AppError> {
    access::authorize(app, who, Need::Staff(WINDOW, Some((&w.agency_code, &h.division_code)))).await
}

/// The halls `who` manages (their figures and settings): those of their agencies within their
/// divisions; every hall for the platform administrator.
pub async fn managed(app: &App, who: &Principal) -> Result<Vec<HallSummary>, AppError> {
    let mut out: Vec<HallSummary> = Vec::new();
    if who.acting.is_some() {
        return Ok(out);
    }
    for a in access::roles(app, &who.person_id).await? {
        let (agency, prefix) = match a.role {
            StaffRole::PlatformAdmin => (None, String::new()),
            StaffRole::AgencyAdmin => {
                (Some(a.agency_code.clone()), tongban_domain::codes::subtree_prefix(&a.division_code).to_owned())
            }
            _ => continue,
        };
        for h in app.store.halls(&prefix).await? {
            if agency.as_ref().is_none_or(|g| *g == h.agency_code) && !out.iter().any(|o| o.id == h.id) {
                out.push(HallSummary {
                    id: h.id,
                    name: h.name,
                    division_code: h.division_code,
                    address: h.address,
                    hours: h.hours,
                });
            }
        }
    }
    Ok(out)
}
