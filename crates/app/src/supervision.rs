//! Supervision (电子监察): a job that brings every running case's due date and colour up to date
//! — days pass, a supplement ends, the calendar gains a year — so that queues filter by colour
//! truthfully, and that tells the agency's administrators when a case turns red — and the data
//! authority when a data-sharing request does.

use crate::cases::clock_with;
use crate::{App, AppError};
use chrono::Utc;
use tongban_domain::DivisionCode;
use tongban_domain::calendar::china_today;
use tongban_domain::cases::Warning;
use tongban_domain::identity::StaffRole;
use tongban_store::cases::{CaseRow, MessageRow};

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    pub checked: usize,
    pub changed: usize,
    pub turned_red: usize,
    /// Appointments of tomorrow reminded, and of past days marked no-shows.
    pub reminded: usize,
    pub no_shows: usize,
}

const PAGE: u64 = 500;

/// Recomputes the clock of every accepted, undecided case; stores what changed; escalates what
/// turned red.
pub async fn sweep(app: &App) -> Result<Sweep, AppError> {
    let (today, rule) = (china_today(), app.cases.warnings);
    let mut s = Sweep::default();
    let mut after = String::new();
    loop {
        let page = app.store.running_cases(&after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.case_number.clone();
        let clocks = app
            .calendar
            .with(&app.store, |c| page.iter().map(|case| clock_with(c, case, today, rule)).collect::<Vec<_>>())
            .await?;
        for (case, clock) in page.iter().zip(clocks) {
            s.checked += 1;
            let Some(clock) = clock? else { continue };
            let due = Some(clock.due.due);
            if case.due == due && case.warning == clock.warning.as_str() {
                continue;
            }
            if !app.store.set_case_clock(&case.case_number, case.version, due, clock.warning.as_str()).await? {
                continue; // acted on meanwhile: the action computed its own clock
            }
            s.changed += 1;
            if clock.warning == Warning::Red && case.warning != Warning::Red.as_str() {
                escalate(app, case).await?;
                s.turned_red += 1;
            }
        }
    }
    // Data requests run on the same working-day clocks.
    s.turned_red += crate::exchange::requests::escalate_overdue(app).await?;
    // So do the rectifications of bad reviews.
    s.turned_red += crate::ratings::escalate_overdue(app).await?;
    // And consultations and complaints.
    s.turned_red += crate::inquiries::escalate_overdue(app).await?;
    // The hall's day: tomorrow's appointments reminded, yesterday's missed ones counted.
    (s.reminded, s.no_shows) = crate::hall::booking::sweep(app).await?;
    Ok(s)
}

/// A message to each administrator of the deciding agency whose subtree holds the case.
async fn escalate(app: &App, case: &CaseRow) -> Result<(), AppError> {
    for person_id in crate::access::administrators_over(app, &case.deciding_agency, &case.deciding_division).await? {
        let id = format!("m_{}", &tongban_crypto::token().map_err(AppError::internal)?[..24]);
        app.store
            .insert_message(MessageRow {
                id,
                person_id,
                case_number: Some(case.case_number.clone()),
                title: format!("办件超期（红灯）：{}", case.case_number),
                body: format!("{}已超过承诺办结时限，请督办。", case.offering_name),
                created_at: Utc::now(),
                read_at: None,
            })
            .await?;
    }
    Ok(())
}

/// Supervision figures of one agency within a division subtree: running cases by colour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Board {
    pub green: i64,
    pub yellow: i64,
    pub red: i64,
}

/// The board of `agency` within the subtree of `division`, for staff whose role covers it.
pub async fn board(app: &App, who: &crate::access::Principal, agency: &str, division: &str) -> Result<Board, AppError> {
    let roles = &[StaffRole::Auditor, StaffRole::AgencyAdmin, StaffRole::Approver];
    crate::access::authorize(app, who, crate::access::Need::Staff(roles, Some((agency, division)))).await?;
    let code = DivisionCode::parse(division).map_err(|e| AppError::field("division", e.to_string()))?;
    let prefix = code.subtree_prefix();
    let mut b = Board::default();
    for (warning, n) in app.store.warning_counts(agency, prefix).await? {
        match Warning::parse(&warning) {
            Some(Warning::Green) => b.green += n,
            Some(Warning::Yellow) => b.yellow += n,
            Some(Warning::Red) => b.red += n,
            None => {}
        }
    }
    Ok(b)
}
