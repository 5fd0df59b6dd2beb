//! 办件编号: the human case number.

use crate::{CodeError, DivisionCode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 办件编号: the receiving division (6), the submission date (8), the node (2), a daily
/// sequence of that division on that node (6) and an ISO 7064 MOD 11-2 check character, so a
/// number read out over the phone with one digit wrong is caught. Unique across nodes because
/// each node numbers only its own cases.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseNumber(String);

/// The length of a case number.
pub const CASE_NUMBER_LEN: usize = 23;
/// The largest daily sequence.
pub const MAX_DAILY_SEQUENCE: u32 = 999_999;

fn mod11_2(digits: &str) -> char {
    // ISO 7064 MOD 11-2, as in the citizen id: the recursive form of the weighted sum.
    let mut p = 0u32;
    for b in digits.bytes() {
        p = ((p + u32::from(b - b'0')) * 2) % 11;
    }
    let c = (12 - p % 11) % 11;
    if c == 10 { 'X' } else { char::from(b'0' + c as u8) }
}

impl CaseNumber {
    /// `None` when `sequence` exceeds `MAX_DAILY_SEQUENCE` or `node` exceeds 99.
    pub fn new(division: &DivisionCode, day: NaiveDate, node: u8, sequence: u32) -> Option<Self> {
        if sequence > MAX_DAILY_SEQUENCE || node > 99 {
            return None;
        }
        let body = format!("{}{}{node:02}{sequence:06}", division.as_str(), day.format("%Y%m%d"));
        let check = mod11_2(&body);
        Some(Self(format!("{body}{check}")))
    }

    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim().to_ascii_uppercase();
        let n = s.chars().count();
        if n != CASE_NUMBER_LEN {
            return Err(CodeError::Length { expected: "23", actual: n });
        }
        let (body, last) = s.split_at(CASE_NUMBER_LEN - 1);
        if let Some((i, c)) = body.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(CodeError::Charset { position: i + 1, found: c, allowed: "0-9" });
        }
        if NaiveDate::parse_from_str(&body[6..14], "%Y%m%d").is_err() {
            return Err(CodeError::Format("日期部分无效 (invalid date part)"));
        }
        let expected = mod11_2(body);
        let found = last.chars().next().unwrap_or(' ');
        if found != expected {
            return Err(CodeError::Check { expected, found });
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The receiving division's code.
    pub fn division(&self) -> &str {
        &self.0[..6]
    }
}

impl std::fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
