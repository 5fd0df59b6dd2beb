//! The statutory working-day calendar (工作日, 调休) and deadline counting, per 行政许可法 §82:
//! limits count working days, starting the day after the start date; statutory holidays are
//! excluded and weekend days the State Council notice makes working days (调休) are counted.
//!
//! A year is *known* once its notice is loaded. Dates in a year that is not known are counted with
//! weekends only and the result is marked provisional: never silently pretend a year is known.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// China Standard Time (UTC+8 all year, no daylight saving): the wall clock of every date and
/// time the platform shows or counts from.
pub fn china_time(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    (t + chrono::Duration::hours(8)).naive_utc()
}

/// A moment as RFC 3339 in China time, to the second: `2026-12-06T20:51:07+08:00`.
pub fn china_rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    china_time(t).format("%Y-%m-%dT%H:%M:%S+08:00").to_string()
}

/// Today's date in China.
pub fn china_today() -> NaiveDate {
    china_time(chrono::Utc::now()).date()
}

/// The most working days one deadline may count (about 40 years); guards against absurd input.
pub const MAX_WORKDAYS: u32 = 10_000;

/// One year's notice in the `holiday-cn` JSON format: only exception days are listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    pub year: i32,
    #[serde(default)]
    pub papers: Vec<String>,
    pub days: Vec<SpecialDay>,
    #[serde(default, rename = "$schema", skip_serializing)]
    pub schema: Option<String>,
    #[serde(default, rename = "$id", skip_serializing)]
    pub id: Option<String>,
}

/// A holiday (`is_off_day`) or an adjusted working day on a weekend (`!is_off_day`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialDay {
    pub name: String,
    pub date: NaiveDate,
    #[serde(rename = "isOffDay")]
    pub is_off_day: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("日历文件格式错误：{0} (malformed calendar file: {0})")]
    Malformed(String),
    #[error("{year} 年的日历中出现日期 {date}，只能是该年或上一年十二月 (date {date} does not belong to year {year})")]
    DateOutOfYear { year: i32, date: NaiveDate },
    #[error("调休工作日 {0} 不是周末 (adjusted working day {0} is not a weekend day)")]
    WorkdayNotWeekend(NaiveDate),
    #[error("日期 {0} 重复 (date {0} listed twice)")]
    Duplicate(NaiveDate),
    #[error("年份 {0} 超出范围 (year {0} out of range)")]
    Year(i32),
}

impl CalendarYear {
    /// Parses and validates a `holiday-cn` file.
    pub fn from_json(json: &str) -> Result<Self, CalendarError> {
        let y: CalendarYear = serde_json::from_str(json).map_err(|e| CalendarError::Malformed(e.to_string()))?;
        y.validate()?;
        Ok(y)
    }

    pub fn validate(&self) -> Result<(), CalendarError> {
        if !(1990..=2200).contains(&self.year) {
            return Err(CalendarError::Year(self.year));
        }
        let mut seen = BTreeSet::new();
        for d in &self.days {
            let in_year = d.date.year() == self.year || (d.date.year() == self.year - 1 && d.date.month() == 12);
            if !in_year {
                return Err(CalendarError::DateOutOfYear { year: self.year, date: d.date });
            }
            if !d.is_off_day && !is_weekend(d.date) {
                return Err(CalendarError::WorkdayNotWeekend(d.date));
            }
            if !seen.insert(d.date) {
                return Err(CalendarError::Duplicate(d.date));
            }
        }
        Ok(())
    }
}

/// An interval, both days inclusive, during which the clock stands still (补正, §45 procedures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Suspension {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Suspension {
    /// Parses `YYYY-MM-DD..YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (a, b) = s.split_once("..").ok_or_else(|| format!("应为 YYYY-MM-DD..YYYY-MM-DD (expected A..B): {s}"))?;
        let date = |x: &str| {
            NaiveDate::parse_from_str(x.trim(), "%Y-%m-%d").map_err(|_| format!("日期无效 (invalid date): {x}"))
        };
        let (from, to) = (date(a)?, date(b)?);
        if from > to {
            return Err(format!("起始日期晚于结束日期 (start after end): {s}"));
        }
        Ok(Self { from, to })
    }

    fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// A computed deadline. `provisional` when any counted day lies in a year whose notice is not
/// loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadline {
    pub due: NaiveDate,
    pub provisional: bool,
}

/// The official calendar: the years whose notices are loaded and their exception days.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeSet<i32>,
    special: HashMap<NaiveDate, bool>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) one year's notice.
    pub fn load(&mut self, year: &CalendarYear) {
        self.years.insert(year.year);
        for d in &year.days {
            self.special.insert(d.date, d.is_off_day);
        }
    }

    pub fn known_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Whether `d` is settled by loaded notices. New-Year adjustments of the last week of
    /// December are published in the following year's notice, so those days also need it.
    pub fn is_known(&self, d: NaiveDate) -> bool {
        self.years.contains(&d.year()) && (d.month() != 12 || d.day() < 25 || self.years.contains(&(d.year() + 1)))
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.special.get(&d) {
            Some(off) => !off,
            None => !is_weekend(d),
        }
    }

    /// The day on which `workdays` working days have passed, counting from the day after `start`
    /// and skipping suspended days. Zero working days is the start day itself (即办件).
    pub fn deadline(&self, start: NaiveDate, workdays: u32, suspensions: &[Suspension]) -> Deadline {
        let workdays = workdays.min(MAX_WORKDAYS);
        let mut day = start;
        let mut left = workdays;
        let mut provisional = false;
        while left > 0 {
            day = match day.checked_add_days(Days::new(1)) {
                Some(d) => d,
                None => break,
            };
            if suspensions.iter().any(|s| s.contains(day)) {
                continue;
            }
            provisional |= !self.is_known(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        Deadline { due: day, provisional }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The Spring Festival part of the 2026 notice.
    fn y2026() -> CalendarYear {
        let mut days = vec![SpecialDay { name: "春节".into(), date: d("2026-02-14"), is_off_day: false }];
        for day in 15..=23 {
            days.push(SpecialDay { name: "春节".into(), date: d(&format!("2026-02-{day}")), is_off_day: true });
        }
        days.push(SpecialDay { name: "春节".into(), date: d("2026-02-28"), is_off_day: false });
        CalendarYear { year: 2026, papers: vec![], days, schema: None, id: None }
    }

    fn cal() -> Calendar {
        let mut c = Calendar::new();
        c.load(&y2026());
        c
    }

    #[test]
    fn spring_festival_2026() {
        let dl = cal().deadline(d("2026-02-12"), 20, &[]);
        assert_eq!(dl, Deadline { due: d("2026-03-18"), provisional: false });
    }

    #[test]
    fn zero_days_is_same_day_and_counting_starts_next_day() {
        assert_eq!(cal().deadline(d("2026-03-02"), 0, &[]).due, d("2026-03-02"));
        // Friday + 1 working day = Monday.
        assert_eq!(cal().deadline(d("2026-03-06"), 1, &[]).due, d("2026-03-09"));
    }

    #[test]
    fn suspension_stops_the_clock() {
        let s = Suspension::parse("2026-03-02..2026-03-06").unwrap();
        // 2026-03-02 is Monday; the five suspended weekdays push the due date one week.
        assert_eq!(cal().deadline(d("2026-02-27"), 3, &[]).due, d("2026-03-03"));
        assert_eq!(cal().deadline(d("2026-02-27"), 3, &[s]).due, d("2026-03-10"));
        assert!(Suspension::parse("2026-03-06..2026-03-02").is_err());
        assert!(Suspension::parse("2026-03-06").is_err());
    }

    #[test]
    fn unknown_year_is_provisional_until_loaded() {
        let mut c = cal();
        let dl = c.deadline(d("2026-12-10"), 20, &[]);
        assert!(dl.provisional);
        assert_eq!(dl.due, d("2027-01-07"));
        // Early December is settled by the 2026 notice alone.
        assert!(!c.deadline(d("2026-12-01"), 5, &[]).provisional);
        let y2027 = CalendarYear::from_json(
            r#"{"year":2027,"papers":[],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}"#,
        )
        .unwrap();
        c.load(&y2027);
        let dl = c.deadline(d("2026-12-10"), 20, &[]);
        assert_eq!(dl, Deadline { due: d("2027-01-08"), provisional: false });
    }

    #[test]
    fn rejects_bad_files() {
        assert!(matches!(CalendarYear::from_json("{"), Err(CalendarError::Malformed(_))));
        let wrong_year = r#"{"year":2027,"days":[{"name":"x","date":"2025-05-01","isOffDay":true}]}"#;
        assert!(matches!(CalendarYear::from_json(wrong_year), Err(CalendarError::DateOutOfYear { .. })));
        let weekday_work = r#"{"year":2027,"days":[{"name":"x","date":"2027-01-04","isOffDay":false}]}"#;
        assert!(matches!(CalendarYear::from_json(weekday_work), Err(CalendarError::WorkdayNotWeekend(_))));
        let unknown_key = r#"{"year":2027,"days":[],"extra":1}"#;
        assert!(CalendarYear::from_json(unknown_key).is_err());
    }

    proptest! {
        /// The due date is a working day after the start, and one more working day never
        /// makes it earlier.
        #[test]
        fn deadline_is_monotonic(offset in 0u64..3000, n in 1u32..200) {
            let c = cal();
            let start = d("2020-01-01") + Days::new(offset);
            let a = c.deadline(start, n, &[]);
            let b = c.deadline(start, n + 1, &[]);
            prop_assert!(a.due > start);
            prop_assert!(c.is_working_day(a.due));
            prop_assert!(b.due > a.due);
        }
    }
}
