//! The service hall (政务服务中心): opening hours and appointment slots, when slots are released,
//! the no-show rule, ticket numbers and the order of the queue, and the estimated wait. Pure:
//! the caller gives the day, the time and what it read.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// The hall's day of a moment: China time, changing at midnight there (ticket numbers start
/// again each day).
pub fn hall_day(at: DateTime<Utc>) -> NaiveDate {
    crate::calendar::china_time(at).date()
}

/// Which line a ticket waits in; its letter starts the ticket number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// 绿色通道: the elderly, the disabled — ahead of everyone.
    Green,
    /// An appointment checked in (预约).
    Appointment,
    /// A walk-in (现场取号).
    WalkIn,
}

impl Line {
    pub const ALL: [Line; 3] = [Line::Green, Line::Appointment, Line::WalkIn];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Appointment => "appointment",
            Self::WalkIn => "walk_in",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    fn letter(self) -> char {
        match self {
            Self::Green => 'G',
            Self::Appointment => 'P',
            Self::WalkIn => 'A',
        }
    }
}

/// A ticket's number in its hall and day: the line's letter and three digits (`A007`, `P012`;
/// four digits past 999).
pub fn ticket_number(line: Line, seq: i64) -> String {
    format!("{}{seq:03}", line.letter())
}

/// How long the green line is ahead of the others: a day, so it is always first.
const GREEN_AHEAD: i64 = 86_400;

/// The queue's order [configurable rule]: tickets are called by ascending rank, the moment of
/// issue in seconds less a head start — a day for the green line, `appointment_ahead_minutes`
/// for a checked-in appointment (so appointments and walk-ins interleave by that rule: an
/// appointment goes ahead of the walk-ins who came at most that long before it).
pub fn rank(line: Line, issued_at: DateTime<Utc>, appointment_ahead_minutes: u32) -> i64 {
    let ahead = match line {
        Line::Green => GREEN_AHEAD,
        Line::Appointment => i64::from(appointment_ahead_minutes) * 60,
        Line::WalkIn => 0,
    };
    issued_at.timestamp() - ahead
}

/// Opening hours as kept: `09:00-12:00,13:30-17:00` (China time, on working days).
pub fn parse_hours(s: &str) -> Result<Vec<(NaiveTime, NaiveTime)>, String> {
    let mut out: Vec<(NaiveTime, NaiveTime)> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').ok_or_else(|| format!("「{part}」应为 开始-结束，如 09:00-12:00"))?;
        let t = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").map_err(|_| format!("「{x}」不是 HH:MM 时间"));
        let (a, b) = (t(a)?, t(b)?);
        if a >= b || out.last().is_some_and(|l| l.1 > a) {
            return Err(format!("「{part}」须在前一时段之后且开始早于结束"));
        }
        out.push((a, b));
    }
    if out.is_empty() {
        return Err("请填写开放时间，如 09:00-12:00,13:30-17:00".into());
    }
    Ok(out)
}

/// The slots of a day: each opening period cut into `minutes`-long starts (a last slot that
/// would run past the period's end is not offered).
pub fn slots(hours: &[(NaiveTime, NaiveTime)], minutes: u32) -> Vec<NaiveTime> {
    let step = Duration::minutes(i64::from(minutes.max(5)));
    let mut out = Vec::new();
    for &(from, to) in hours {
        let mut t = from;
        while t + step <= to {
            out.push(t);
            t += step;
        }
    }
    out
}

/// When slots are released [configurable]: a day's slots open at `release_at` (China time),
/// `days_ahead` days before it; a slot already begun is not offered.
#[derive(Debug, Clone, Copy)]
pub struct Release {
    pub days_ahead: u32,
    pub release_at: NaiveTime,
}

impl Release {
    /// Whether the slot starting at `start` on `day` may be booked at `now` (China time).
    pub fn bookable(&self, day: NaiveDate, start: NaiveTime, now: NaiveDateTime) -> bool {
        let opens = (day - Duration::days(i64::from(self.days_ahead))).and_time(self.release_at);
        now >= opens && day.and_time(start) > now
    }

    /// The last day bookable at `now`.
    pub fn last_day(&self, now: NaiveDateTime) -> NaiveDate {
        let ahead = i64::from(self.days_ahead) - i64::from(now.time() < self.release_at);
        now.date() + Duration::days(ahead.max(0))
    }
}

/// The no-show rule [configurable]: `count` no-shows within `within_days` suspend booking for
/// `suspend_days` from the last of them.
#[derive(Debug, Clone, Copy)]
pub struct NoShowRule {
    pub count: u32,
    pub within_days: u32,
    pub suspend_days: u32,
}

impl NoShowRule {
    /// Until when a person with these no-shows may not book, if suspended at `now`.
    pub fn suspended_until(&self, no_shows: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.count == 0 {
            return None;
        }
        let mut recent: Vec<_> = no_shows.to_vec();
        recent.sort();
        // Any `count` no-shows within the window suspend from the last of them.
        let n = self.count as usize;
        recent
            .windows(n)
            .filter(|w| w[n - 1] - w[0] <= Duration::days(i64::from(self.within_days)))
            .map(|w| w[n - 1] + Duration::days(i64::from(self.suspend_days)))
            .filter(|until| *until > now)
            .max()
    }
}

/// The estimated wait in minutes of one with `ahead` tickets before them in a line served by
/// `windows` open windows, from recent service times in seconds (their median; `default_secs`
/// when there are none yet). Never empty: at least a minute.
pub fn estimated_wait(ahead: usize, windows: usize, recent_secs: &[i64], default_secs: i64) -> i64 {
    let mut s: Vec<i64> = recent_secs.iter().copied().filter(|s| *s > 0).collect();
    s.sort_unstable();
    let per = s.get(s.len() / 2).copied().unwrap_or(default_secs).max(1);
    let (to_serve, windows) = (ahead as u64 + 1, windows.max(1) as u64);
    let secs = to_serve.div_ceil(windows) * per as u64;
    (secs.div_ceil(60) as i64).max(1)
}

/// What the display announces for a call: `请 A007 号到 3 号窗口`.
pub fn announcement(number: &str, window: &str) -> (String, String) {
    (format!("请 {number} 号到 {window} 号窗口办理"), format!("Number {number}, please go to window {window}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn the_day_changes_at_midnight_china_time() {
        let before = Utc.with_ymd_and_hms(2026, 12, 7, 15, 59, 59).unwrap();
        assert_eq!(hall_day(before), NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
        assert_eq!(hall_day(before + Duration::seconds(1)), NaiveDate::from_ymd_opt(2026, 12, 8).unwrap());
    }

    #[test]
    fn numbers_by_line() {
        assert_eq!(ticket_number(Line::WalkIn, 7), "A007");
        assert_eq!(ticket_number(Line::Appointment, 12), "P012");
        assert_eq!(ticket_number(Line::Green, 1000), "G1000");
    }

    #[test]
    fn green_first_then_appointments_ahead_by_their_head_start() {
        let at = |s: i64| Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap();
        let walk = rank(Line::WalkIn, at(0), 10);
        let appt = rank(Line::Appointment, at(300), 10);
        let late_appt = rank(Line::Appointment, at(900), 10);
        let green = rank(Line::Green, at(3000), 10);
        assert!(green < walk && appt < walk && walk < late_appt);
    }

    #[test]
    fn hours_and_slots() {
        let h = parse_hours("09:00-12:00, 13:30-17:00").unwrap();
        assert_eq!(h, vec![(t(9, 0), t(12, 0)), (t(13, 30), t(17, 0))]);
        let s = slots(&h, 30);
        assert_eq!(s.len(), 6 + 7);
        assert_eq!(s[6], t(13, 30));
        assert_eq!(slots(&[(t(9, 0), t(9, 50))], 30), vec![t(9, 0)]);
        assert!(parse_hours("12:00-09:00").is_err());
        assert!(parse_hours("09:00-12:00,11:00-13:00").is_err());
        assert!(parse_hours("").is_err());
        assert!(parse_hours("9点-12点").is_err());
    }

    #[test]
    fn release_opens_days_ahead_at_the_hour() {
        let r = Release { days_ahead: 7, release_at: t(8, 0) };
        let day = NaiveDate::from_ymd_opt(2026, 12, 14).unwrap();
        let before = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap().and_time(t(7, 59));
        let after = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap().and_time(t(8, 0));
        assert!(!r.bookable(day, t(9, 0), before));
        assert!(r.bookable(day, t(9, 0), after));
        assert_eq!(r.last_day(before), NaiveDate::from_ymd_opt(2026, 12, 13).unwrap());
        assert_eq!(r.last_day(after), day);
        // A slot already begun is not offered.
        let now = day.and_time(t(9, 1));
        assert!(!r.bookable(day, t(9, 0), now) && r.bookable(day, t(9, 30), now));
    }

    #[test]
    fn three_no_shows_in_thirty_days_suspend() {
        let rule = NoShowRule { count: 3, within_days: 30, suspend_days: 30 };
        let d = |day: u32| Utc.with_ymd_and_hms(2026, 11, day, 2, 0, 0).unwrap();
        let now = d(20);
        assert_eq!(rule.suspended_until(&[d(1), d(10)], now), None);
        assert_eq!(rule.suspended_until(&[d(10), d(1), d(15)], now), Some(d(15) + Duration::days(30)));
        // Spread over more than the window: none.
        let spread = [Utc.with_ymd_and_hms(2026, 9, 1, 2, 0, 0).unwrap(), d(1), d(15)];
        assert_eq!(rule.suspended_until(&spread, now), None);
        // Served out.
        assert_eq!(rule.suspended_until(&[d(1), d(2), d(3)], d(3) + Duration::days(31)), None);
    }

    #[test]
    fn wait_is_never_empty() {
        assert_eq!(estimated_wait(0, 1, &[], 300), 5);
        assert_eq!(estimated_wait(0, 3, &[], 30), 1);
        // Median 600 s; four ahead and two windows: five to serve, three rounds.
        assert_eq!(estimated_wait(4, 2, &[60, 600, 900], 300), 30);
        assert_eq!(estimated_wait(4, 0, &[600], 300), 50);
    }
}
