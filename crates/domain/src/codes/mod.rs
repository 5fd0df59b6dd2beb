//! National identity codes: 公民身份号码 (GB 11643), 统一社会信用代码 (GB 32100),
//! 行政区划代码 (GB/T 2260) and 电子证照标识 (GB/T 36904).
//!
//! Each code is a validated newtype with a `parse` constructor: a value of the type cannot hold an
//! invalid code. Parsing reports the first precise reason a value is wrong.

mod citizen_id;
mod credit_code;
mod division_code;
mod licence_id;

pub use citizen_id::{CitizenId, Sex, check_char as citizen_id_check_char};
pub use credit_code::{CreditCode, check_char as credit_code_check_char};
pub use division_code::{DivisionCode, DivisionLevel, subtree_prefix};
pub use licence_id::LicenceId;

use serde::Serialize;

/// Why a value is not a valid code. Messages are Chinese first, English second.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("长度应为 {expected} 位，实为 {actual} 位 (length must be {expected}, got {actual})")]
    Length { expected: &'static str, actual: usize },
    #[error(
        "第 {position} 位字符 '{found}' 不合法，应为{allowed} (invalid character '{found}' at position {position}; allowed: {allowed})"
    )]
    Charset { position: usize, found: char, allowed: &'static str },
    #[error("校验码错误：应为 '{expected}'，实为 '{found}' (check character: expected '{expected}', got '{found}')")]
    Check { expected: char, found: char },
    #[error("出生日期 {0} 不是真实日期 (impossible birth date {0})")]
    BirthDate(String),
    #[error("出生日期 {0} 晚于今天 (birth date {0} is in the future)")]
    FutureBirthDate(String),
    #[error("省级代码 {0} 不存在 (unknown province code {0})")]
    Province(String),
    #[error("行政区划 {0} 不存在 (unknown division {0})")]
    UnknownDivision(String),
    #[error("行政区划代码 {0} 结构错误：{1} (malformed division code {0}: {1})")]
    DivisionStructure(String, &'static str),
    #[error("{part}不合法：{reason} (invalid {part_en}: {reason})")]
    Part { part: &'static str, part_en: &'static str, reason: Box<CodeError> },
    #[error("格式错误：{0}")]
    Format(&'static str),
    #[error("无法识别的代码类型 (unrecognised kind of code)")]
    UnknownKind,
}

/// The kinds of code `check_code` recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CodeKind {
    CitizenId,
    CreditCode,
    Division,
    LicenceId,
    Unknown,
}

impl CodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeKind::CitizenId => "citizen-id",
            CodeKind::CreditCode => "credit-code",
            CodeKind::Division => "division",
            CodeKind::LicenceId => "licence-id",
            CodeKind::Unknown => "unknown",
        }
    }
}

/// The result of checking a value of unknown kind: the shape of `tongban code check --json`
/// and of `GET /api/v1/codes/check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckOutcome {
    pub kind: CodeKind,
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized: Option<String>,
}

/// Detects the kind of `value` and validates it. `today` bounds birth dates; `division_known`
/// answers whether a division code exists in the loaded GB/T 2260 dataset.
pub fn check_code(value: &str, today: chrono::NaiveDate, division_known: &dyn Fn(&str) -> bool) -> CheckOutcome {
    let v = value.trim();
    let kind = detect(v, today);
    let result: Result<String, CodeError> = match kind {
        CodeKind::CitizenId => CitizenId::parse(v, today).map(|c| c.as_str().to_owned()),
        CodeKind::CreditCode => CreditCode::parse(v).map(|c| c.as_str().to_owned()),
        CodeKind::Division => DivisionCode::parse(v).and_then(|d| {
            if division_known(d.as_str()) {
                Ok(d.as_str().to_owned())
            } else {
                Err(CodeError::UnknownDivision(d.as_str().to_owned()))
            }
        }),
        CodeKind::LicenceId => LicenceId::parse(v).map(|l| l.as_str().to_owned()),
        CodeKind::Unknown => Err(CodeError::UnknownKind),
    };
    match result {
        Ok(normalized) => CheckOutcome { kind, valid: true, reason: None, normalized: Some(normalized) },
        Err(e) => CheckOutcome { kind, valid: false, reason: Some(e.to_string()), normalized: None },
    }
}

/// Guesses the kind from the value's shape. An 18-character value whose first 17 characters are
/// digits is a citizen id unless it is only valid as a credit code.
fn detect(v: &str, today: chrono::NaiveDate) -> CodeKind {
    if v.starts_with(licence_id::PREFIX) || v.starts_with("1.2.156.") {
        return CodeKind::LicenceId;
    }
    let n = v.chars().count();
    if n == 18 {
        let digits17 = v.chars().take(17).all(|c| c.is_ascii_digit());
        if digits17 && CitizenId::parse(v, today).is_err() && CreditCode::parse(v).is_ok() {
            return CodeKind::CreditCode;
        }
        return if digits17 { CodeKind::CitizenId } else { CodeKind::CreditCode };
    }
    if matches!(n, 6 | 9 | 12) && v.chars().all(|c| c.is_ascii_digit()) {
        return CodeKind::Division;
    }
    CodeKind::Unknown
}

/// Checks that every character of `s` is in `allowed_set`, reporting the first one that is not.
fn check_charset(s: &str, allowed_set: &str, allowed: &'static str) -> Result<(), CodeError> {
    match s.chars().enumerate().find(|(_, c)| !allowed_set.contains(*c)) {
        Some((i, found)) => Err(CodeError::Charset { position: i + 1, found, allowed }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn check(v: &str) -> CheckOutcome {
        check_code(v, today(), &|c| c == "110101" || c == "110101001")
    }

    #[test]
    fn detects_each_kind() {
        assert_eq!(check("11010519491231002X").kind, CodeKind::CitizenId);
        assert_eq!(check("11010519491231002x").normalized.as_deref(), Some("11010519491231002X"));
        assert_eq!(check("91350100M000100Y43").kind, CodeKind::CreditCode);
        assert_eq!(check("110101").kind, CodeKind::Division);
        assert!(check("110101").valid);
        assert!(check("110101001").valid);
        let unknown = check("990101");
        assert_eq!(unknown.kind, CodeKind::Division);
        assert!(!unknown.valid);
        let l = check("1.2.156.3005.2.11100000000013338W011.11110000000021135M.20230329701.003.Y");
        assert_eq!(l.kind, CodeKind::LicenceId);
        assert!(l.valid, "{l:?}");
        let bad = check("bad");
        assert_eq!(bad.kind, CodeKind::Unknown);
        assert!(!bad.valid && bad.reason.is_some());
    }

    #[test]
    fn json_shape() {
        let v = serde_json::to_value(check("11010519491231002X")).unwrap();
        assert_eq!(v, serde_json::json!({"kind": "citizen-id", "valid": true, "normalized": "11010519491231002X"}));
        let v = serde_json::to_value(check("11010519491231002Y")).unwrap();
        assert_eq!(v["valid"], false);
        assert!(v.get("normalized").is_none());
        assert!(v["reason"].as_str().unwrap().contains("position 18"));
    }
}
