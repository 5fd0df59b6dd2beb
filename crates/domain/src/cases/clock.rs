//! The statutory clock of a case: working days used and left, pauses, the supervision colour.

use crate::calendar::{Calendar, Deadline, Suspension};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// A stretch during which the clock stood (or stands) still: from the day the notice went out
/// (or the procedure began) to the day the applicant answered (or it ended); `None` while it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pause {
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl Pause {
    /// The days not counted: the day of the notice still counts (work was done on it) and the
    /// clock resumes on the day of the answer (DOMAIN.md §3), so the days strictly between. A
    /// pause still running is taken to end tomorrow.
    fn suspension(&self, today: NaiveDate) -> Option<Suspension> {
        let from = self.from.checked_add_days(Days::new(1))?;
        let until = self.until.unwrap_or_else(|| today.checked_add_days(Days::new(1)).unwrap_or(today));
        let to = until.checked_sub_days(Days::new(1))?;
        (from <= to).then_some(Suspension { from, to })
    }
}

/// Supervision colour (电子监察).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Warning {
    Green,
    Yellow,
    Red,
}

impl Warning {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Yellow => "yellow",
            Self::Red => "red",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Green, Self::Yellow, Self::Red].into_iter().find(|w| w.as_str() == s)
    }
}

/// The configurable supervision rule: yellow when at most `yellow_days` working days remain —
/// and no more than `yellow_percent` of the limit, so a short limit is not yellow from the day it
/// starts (a 1-day case turns yellow on its last day) — red when overdue (DOMAIN.md §3 defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningRule {
    pub yellow_days: u32,
    pub yellow_percent: u32,
}

impl Default for WarningRule {
    fn default() -> Self {
        Self { yellow_days: 2, yellow_percent: 33 }
    }
}

impl WarningRule {
    /// The most working days left at which a case of `limit` days is yellow.
    pub fn yellow_from(self, limit: u32) -> u32 {
        self.yellow_days.min(limit.saturating_mul(self.yellow_percent) / 100)
    }
}

/// A case's clock on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Clock {
    /// The day the time limit ends, with the pauses so far (a running pause taken to end tomorrow).
    pub due: Deadline,
    /// The limit in working days.
    pub limit: u32,
    /// Working days counted so far.
    pub used: u32,
    /// Working days left; negative when overdue.
    pub remaining: i64,
    /// Whether the clock stands still now (补正 or a special procedure).
    pub paused: bool,
    pub warning: Warning,
}

/// The clock of a case accepted on `accepted_on` with a limit of `limit` working days, paused
/// during `pauses`, on `today`; `stopped_on` is the day of the decision, after which nothing
/// is counted.
pub fn clock(
    calendar: &Calendar,
    accepted_on: NaiveDate,
    limit: u32,
    pauses: &[Pause],
    stopped_on: Option<NaiveDate>,
    today: NaiveDate,
    rule: WarningRule,
) -> Clock {
    let suspensions: Vec<Suspension> = pauses.iter().filter_map(|p| p.suspension(today)).collect();
    let due = calendar.deadline(accepted_on, limit, &suspensions);
    let end = stopped_on.unwrap_or(today);
    let mut used = 0u32;
    let mut day = accepted_on;
    while day < end {
        let Some(next) = day.checked_add_days(Days::new(1)) else { break };
        day = next;
        if calendar.is_working_day(day) && !suspensions.iter().any(|s| s.from <= day && day <= s.to) {
            used += 1;
        }
    }
    let paused = stopped_on.is_none() && pauses.iter().any(|p| p.until.is_none());
    let warning = if end > due.due {
        Warning::Red
    } else if stopped_on.is_some() || paused || i64::from(limit) - i64::from(used) > i64::from(rule.yellow_from(limit))
    {
        Warning::Green
    } else {
        Warning::Yellow
    };
    Clock { due, limit, used, remaining: i64::from(limit) - i64::from(used), paused, warning }
}
