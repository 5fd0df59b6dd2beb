//! Unified identity (统一身份认证): assurance levels, mainland mobile numbers, the password rule
//! and account lockout. Pure rules; the use cases live in the app crate.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How sure the platform is of who a person is (身份认证等级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Assurance {
    /// Self-declared.
    L1,
    /// Name and id number matched against the population registry (人口库).
    L2,
    /// L2 and a verified mobile number.
    L3,
    /// Verified in person at a service window.
    L4,
}

impl Assurance {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::L1 => "L1",
            Self::L2 => "L2",
            Self::L3 => "L3",
            Self::L4 => "L4",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::L1, Self::L2, Self::L3, Self::L4].into_iter().find(|l| l.as_str() == s)
    }
}

/// A mainland mobile number (11 digits, 1 then 3–9), the channel of one-time codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Accepts spaces, dashes and a `+86` / `86` prefix, which are dropped.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits.strip_prefix("+86").or_else(|| digits.strip_prefix("0086")).unwrap_or(&digits);
        let digits = if digits.len() == 13 { digits.strip_prefix("86").unwrap_or(digits) } else { digits };
        if digits.len() != 11 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("手机号码应为 11 位数字 (a mobile number has 11 digits)");
        }
        if !digits.starts_with('1') || !matches!(digits.as_bytes()[1], b'3'..=b'9') {
            return Err("手机号码应以 13–19 开头 (a mobile number starts with 13 to 19)");
        }
        Ok(Self(digits.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Passwords: 8 to 128 characters, at least two of letters, digits and other characters, and
/// not containing the account's own id number or phone.
pub fn check_password(password: &str, own: &[&str]) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < 8 {
        return Err("口令至少 8 个字符 (at least 8 characters)");
    }
    if n > 128 {
        return Err("口令至多 128 个字符 (at most 128 characters)");
    }
    let letters = password.chars().any(char::is_alphabetic);
    let digits = password.chars().any(|c| c.is_ascii_digit());
    let others = password.chars().any(|c| !c.is_alphanumeric());
    if [letters, digits, others].iter().filter(|x| **x).count() < 2 {
        return Err("口令须含字母、数字、符号中的至少两类 (use two of letters, digits and symbols)");
    }
    let lower = password.to_lowercase();
    if own.iter().any(|o| o.len() >= 6 && lower.contains(&o.to_lowercase())) {
        return Err("口令不得包含证件号码或手机号码 (must not contain your id number or phone)");
    }
    Ok(())
}

/// What an authorized agent (经办人) may do for an organization; the legal representative may do
/// all of it and also manage the agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgentScope {
    /// Apply for services in the organization's name (申办事项).
    Apply,
    /// Follow and answer the organization's cases (办件查询与补正).
    Cases,
    /// Use the organization's electronic licences (电子证照).
    Licences,
}

impl AgentScope {
    pub const ALL: [AgentScope; 3] = [AgentScope::Apply, AgentScope::Cases, AgentScope::Licences];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Apply => "apply",
            Self::Cases => "cases",
            Self::Licences => "licences",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Scopes stored as a comma-separated list; unknown names are dropped.
    pub fn parse_list(s: &str) -> Vec<Self> {
        let mut v: Vec<Self> = s.split(',').filter_map(|x| Self::parse(x.trim())).collect();
        v.sort();
        v.dedup();
        v
    }

    pub fn join(scopes: &[Self]) -> String {
        scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
    }
}

/// A staff role (工作人员角色), held for an agency and a division subtree — except the platform
/// administrator's, which covers the whole platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// 窗口人员: receives applications at a service window.
    WindowStaff,
    /// 审批人员: examines and decides cases.
    Approver,
    /// 部门管理员: manages the staff of the agency within the division subtree.
    AgencyAdmin,
    /// 平台管理员: manages the platform and every agency's administrators.
    PlatformAdmin,
    /// 监察人员: reads cases and their timeliness, changes nothing.
    Auditor,
    /// 数据管理员: registers the agency's data resources and requests others'.
    DataSteward,
}

impl StaffRole {
    pub const ALL: [StaffRole; 6] =
        [Self::WindowStaff, Self::Approver, Self::AgencyAdmin, Self::PlatformAdmin, Self::Auditor, Self::DataSteward];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::WindowStaff => "window_staff",
            Self::Approver => "approver",
            Self::AgencyAdmin => "agency_admin",
            Self::PlatformAdmin => "platform_admin",
            Self::Auditor => "auditor",
            Self::DataSteward => "data_steward",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The roles an agency administrator may hand out within their agency and subtree.
    pub fn assignable_by_agency_admin(self) -> bool {
        matches!(self, Self::WindowStaff | Self::Approver | Self::Auditor | Self::DataSteward)
    }
}

/// Whether `division` lies in the subtree rooted at `root` (the root itself included), by the
/// GB/T 2260 code structure: 110000 covers 110105, 110100 covers 110105, 110105 only itself.
pub fn within(division: &crate::DivisionCode, root: &crate::DivisionCode) -> bool {
    let mut at = Some(division.clone());
    while let Some(d) = at {
        if d == *root {
            return true;
        }
        at = d.structural_parent();
    }
    false
}

/// Account lockout against password guessing [configurable].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    /// Consecutive failures that lock the account.
    pub max_failures: u32,
    /// How long a lock lasts.
    pub lock_minutes: i64,
}

impl Default for Lockout {
    fn default() -> Self {
        Self { max_failures: 5, lock_minutes: 15 }
    }
}

impl Lockout {
    /// Until when an account locked at `now` stays locked.
    pub fn until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::minutes(self.lock_minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_mainland_mobile_numbers() {
        for ok in ["13812345678", "+86 138 1234 5678", "8613812345678", "138-1234-5678"] {
            assert_eq!(Phone::parse(ok).unwrap().as_str(), "13812345678", "{ok}");
        }
        for bad in ["1381234567", "12812345678", "23812345678", "1381234567a", ""] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_need_length_variety_and_no_own_numbers() {
        assert!(check_password("correct-horse", &[]).is_ok());
        assert!(check_password("口令abc123", &[]).is_ok());
        assert!(check_password("short1", &[]).is_err());
        assert!(check_password("onlyletters", &[]).is_err());
        assert!(check_password("12345678", &[]).is_err());
        assert!(check_password(&"a1".repeat(65), &[]).is_err());
        assert!(check_password("x13812345678", &["13812345678"]).is_err());
    }

    #[test]
    fn agent_scopes_round_trip_as_a_list() {
        let scopes = AgentScope::parse_list("licences, apply,bogus,apply");
        assert_eq!(scopes, [AgentScope::Apply, AgentScope::Licences]);
        assert_eq!(AgentScope::join(&scopes), "apply,licences");
        assert!(AgentScope::parse_list("").is_empty());
    }

    #[test]
    fn divisions_lie_within_their_ancestors_only() {
        let d = |c: &str| crate::DivisionCode::parse(c).unwrap();
        assert!(within(&d("110105"), &d("110000")));
        assert!(within(&d("110105"), &d("110105")));
        assert!(!within(&d("110105"), &d("110108")));
        assert!(!within(&d("110000"), &d("110105")), "a province is not within its county");
        assert!(!within(&d("310104"), &d("110000")));
        assert!(StaffRole::Approver.assignable_by_agency_admin());
        assert!(!StaffRole::AgencyAdmin.assignable_by_agency_admin());
        assert_eq!(StaffRole::parse("platform_admin"), Some(StaffRole::PlatformAdmin));
    }

    #[test]
    fn assurance_levels_order_and_parse() {
        assert!(Assurance::L3 > Assurance::L2);
        assert_eq!(Assurance::parse("L4"), Some(Assurance::L4));
        assert_eq!(Assurance::parse("L5"), None);
    }
}
