//! The working-day calendar: vendored notices, notices loaded at run time, deadlines.
//!
//! Deadlines are computed from an in-memory `Calendar`. Any process may load a year into the
//! database (`tongban calendar load` beside a running server), so each use first compares the
//! stored revision with the cached one and reloads when it moved.

use crate::{AppError, datasets};
use chrono::NaiveDate;
use tokio::sync::RwLock;
use tongban_domain::calendar::{Calendar, CalendarYear, MAX_WORKDAYS};
use tongban_domain::{Deadline, Suspension};
use tongban_store::Store;

/// Stores each vendored year the database does not have yet. Years loaded by an administrator
/// are never overwritten by the vendored copy.
pub async fn seed(store: &Store) -> Result<(), AppError> {
    let (_, stored) = store.calendar_years().await?;
    for year in datasets::calendar_years() {
        if !stored.iter().any(|y| y.year == year.year) {
            store.put_calendar_year(&year, datasets::CALENDAR_SOURCE).await?;
        }
    }
    Ok(())
}

pub struct CalendarCache {
    state: RwLock<(i64, Calendar)>,
    /// When the stored revision was last compared: at most once a second, not on every deadline.
    checked: std::sync::Mutex<Option<std::time::Instant>>,
}

/// How stale the calendar may be when another process changed it.
const RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

fn build(years: &[CalendarYear]) -> Calendar {
    let mut c = Calendar::new();
    for y in years {
        c.load(y);
    }
    c
}

impl CalendarCache {
    pub async fn load(store: &Store) -> Result<Self, AppError> {
        let (revision, years) = store.calendar_years().await?;
        Ok(Self { state: RwLock::new((revision, build(&years))), checked: std::sync::Mutex::new(None) })
    }

    /// The current calendar, reloaded if another process changed it.
    async fn fresh(&self, store: &Store) -> Result<tokio::sync::RwLockReadGuard<'_, (i64, Calendar)>, AppError> {
        let due = {
            let mut checked = self.checked.lock().map_err(AppError::internal)?;
            let due = checked.is_none_or(|t| t.elapsed() >= RECHECK);
            if due {
                *checked = Some(std::time::Instant::now());
            }
            due
        };
        if !due {
            return Ok(self.state.read().await);
        }
        let revision = store.calendar_revision().await?;
        if self.state.read().await.0 != revision {
            let (revision, years) = store.calendar_years().await?;
            *self.state.write().await = (revision, build(&years));
        }
        Ok(self.state.read().await)
    }

    pub async fn deadline(&self, store: &Store, q: &DeadlineQuery) -> Result<Deadline, AppError> {
        let guard = self.fresh(store).await?;
        Ok(guard.1.deadline(q.from, q.workdays, &q.suspensions))
    }

    /// Runs `f` with the current calendar.
    pub async fn with<T>(&self, store: &Store, f: impl FnOnce(&Calendar) -> T) -> Result<T, AppError> {
        Ok(f(&self.fresh(store).await?.1))
    }

    pub async fn known_years(&self, store: &Store) -> Result<Vec<i32>, AppError> {
        Ok(self.fresh(store).await?.1.known_years().collect())
    }

    /// Validates and stores one year's notice (holiday-cn JSON); returns the year.
    pub async fn load_year(&self, store: &Store, json: &str, source: &str) -> Result<i32, AppError> {
        let year = CalendarYear::from_json(json).map_err(|e| AppError::field("file", e.to_string()))?;
        store.put_calendar_year(&year, source).await?;
        *self.checked.lock().map_err(AppError::internal)? = None;
        drop(self.fresh(store).await?);
        Ok(year.year)
    }
}

/// A validated deadline question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineQuery {
    pub from: NaiveDate,
    pub workdays: u32,
    pub suspensions: Vec<Suspension>,
}

impl DeadlineQuery {
    /// Parses the raw inputs of the CLI and the API, naming every bad field.
    pub fn parse(from: &str, workdays: &str, suspend: &[String]) -> Result<Self, AppError> {
        let mut fields = std::collections::BTreeMap::new();
        let from = NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d")
            .map_err(|_| {
                fields.insert(
                    "from".into(),
                    format!("应为 YYYY-MM-DD 格式的日期，收到“{from}” (expected a date YYYY-MM-DD, got '{from}')"),
                )
            })
            .ok();
        let workdays = match workdays.trim().parse::<u32>() {
            Ok(n) if n <= MAX_WORKDAYS => Some(n),
            _ => {
                fields.insert(
                    "workdays".into(),
                    format!(
                        "应为 0 到 {MAX_WORKDAYS} 的整数，收到“{workdays}” (expected an integer 0..={MAX_WORKDAYS}, got '{workdays}')"
                    ),
                );
                None
            }
        };
        let mut suspensions = Vec::new();
        for s in suspend {
            match Suspension::parse(s) {
                Ok(s) => suspensions.push(s),
                Err(e) => {
                    fields.insert("suspend".into(), e);
                }
            }
        }
        match (from, workdays) {
            (Some(from), Some(workdays)) if fields.is_empty() => Ok(Self { from, workdays, suspensions }),
            _ => Err(AppError::Validation { fields }),
        }
    }
}
