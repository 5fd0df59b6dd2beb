//! Data sharing and exchange (共享交换, 政务数据共享条例 国务院令第809号): the data resource's
//! catalog entry (政务数据资源目录, GB/T 21063 metadata), its sharing class, the request for it and
//! the request's stages. Pure rules; the use cases live in the app crate.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a resource is shared [fixed].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SharingClass {
    /// 无条件共享: granted after the data authority's conformity review.
    Unconditional,
    /// 有条件共享: the provider answers each request, giving reasons for a refusal.
    Conditional,
    /// 不予共享: refused, with the legal basis the entry names.
    NotShared,
}

impl SharingClass {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconditional => "unconditional",
            Self::Conditional => "conditional",
            Self::NotShared => "not_shared",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Unconditional => "无条件共享",
            Self::Conditional => "有条件共享",
            Self::NotShared => "不予共享",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Unconditional, Self::Conditional, Self::NotShared].into_iter().find(|c| c.as_str() == s)
    }
}

/// How sensitive a data item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// 一般
    General,
    /// 敏感
    Sensitive,
    /// 个人信息: calls must name a case whose applicant is the data subject.
    Personal,
}

/// One data item (信息项) of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataItem {
    /// The item's name in answers, e.g. `name_matches`.
    pub name: String,
    /// What people read, e.g. 姓名是否一致.
    pub label: String,
    /// `string`, `number`, `boolean`, `date` or `array`.
    #[serde(rename = "type")]
    pub kind: String,
    pub sensitivity: Sensitivity,
}

const ITEM_TYPES: [&str; 5] = ["string", "number", "boolean", "date", "array"];

/// The data the platform itself holds and answers from (内置数据源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Builtin {
    /// 人口库实名核验: whether a name and id number are registered together.
    Population,
    /// 法人库: a legal person by credit code.
    LegalPerson,
    /// 电子证照: the licences a holder holds.
    LicencesByHolder,
    /// 办件结果: a case's state and outcome.
    CaseResults,
}

impl Builtin {
    /// Which parameter names the data subject, if any: the gateway checks it against the case
    /// the call is made for.
    pub fn subject_param(self) -> Option<&'static str> {
        match self {
            Self::Population => Some("id_number"),
            Self::LegalPerson => Some("credit_code"),
            Self::LicencesByHolder => Some("holder_code"),
            Self::CaseResults => Some("case_number"),
        }
    }
}

/// What answers a resource's queries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provider {
    /// A department system: the gateway posts `{"params", "items"}` to its URL.
    Upstream { url: String },
    /// Data the platform holds.
    Builtin { source: Builtin },
}

/// A data resource's catalog entry as its steward registers it (GB/T 21063 metadata).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resource {
    /// 资源代码: unique on the platform, letters, digits, `.` and `-` (it is a path segment).
    pub identifier: String,
    pub name: String,
    /// 资源摘要
    #[serde(rename = "abstract")]
    pub summary: String,
    /// 提供方: the providing agency's credit code.
    pub agency_code: String,
    /// 资源分类, e.g. 基础信息资源/人口.
    pub classification: String,
    pub items: Vec<DataItem>,
    pub sharing: SharingClass,
    /// 共享条件 (有条件共享) or the legal basis (不予共享).
    #[serde(default)]
    pub sharing_condition: String,
    /// 开放属性: `open`, `conditional` or `closed`.
    pub open_class: String,
    /// 更新周期, e.g. 实时, 每日.
    pub update_cycle: String,
    /// 信息资源格式, e.g. JSON.
    pub format: String,
    /// What answers queries; none while the data is not yet on the platform.
    #[serde(default)]
    pub provider: Option<Provider>,
    /// The query parameter naming the data subject (e.g. `id_number`, `credit_code`) of an
    /// upstream resource holding personal data; built-in providers name their own.
    #[serde(default)]
    pub subject: Option<String>,
}

/// The field errors of a resource entry, by field name.
pub type FieldErrors = BTreeMap<String, String>;

fn identifier_ok(s: &str) -> bool {
    (3..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
}

fn item_name_ok(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Resource {
    /// Every error of the entry at once, naming its field. The upstream URL's address is
    /// checked by the outbound client, which knows the allow-list.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        let mut need = |field: &str, value: &str, min: usize, max: usize| {
            let n = value.trim().chars().count();
            if n < min || n > max {
                e.insert(field.into(), format!("应为 {min}–{max} 个字符 (must be {min} to {max} characters)"));
            }
        };
        need("name", &self.name, 2, 100);
        need("abstract", &self.summary, 4, 2000);
        need("classification", &self.classification, 2, 100);
        need("update_cycle", &self.update_cycle, 2, 20);
        need("format", &self.format, 2, 20);
        if !identifier_ok(&self.identifier) {
            e.insert(
                "identifier".into(),
                "资源代码为 3–64 个字母、数字、. 或 - (3 to 64 letters, digits, '.' or '-')".into(),
            );
        }
        if crate::CreditCode::parse(&self.agency_code).is_err() {
            e.insert("agency_code".into(), "提供方应为统一社会信用代码 (a credit code)".into());
        }
        if !["open", "conditional", "closed"].contains(&self.open_class.as_str()) {
            e.insert("open_class".into(), "开放属性应为 open、conditional 或 closed".into());
        }
        if self.sharing != SharingClass::Unconditional && self.sharing_condition.trim().chars().count() < 4 {
            let what = match self.sharing {
                SharingClass::Conditional => "有条件共享须写明共享条件 (state the condition)",
                _ => "不予共享须写明法律依据 (state the legal basis)",
            };
            e.insert("sharing_condition".into(), what.into());
        }
        if self.items.is_empty() || self.items.len() > 200 {
            e.insert("items".into(), "信息项应为 1–200 项 (1 to 200 data items)".into());
        }
        let mut seen = std::collections::HashSet::new();
        for (i, item) in self.items.iter().enumerate() {
            let at = format!("items[{i}]");
            if !item_name_ok(&item.name) {
                e.insert(
                    format!("{at}.name"),
                    "信息项名为小写字母、数字和下划线 (lowercase letters, digits, _)".into(),
                );
            } else if !seen.insert(item.name.as_str()) {
                e.insert(format!("{at}.name"), format!("信息项 {} 重复 (duplicate item)", item.name));
            }
            if item.label.trim().is_empty() || item.label.chars().count() > 100 {
                e.insert(format!("{at}.label"), "请填写信息项中文名 (give the item a label)".into());
            }
            if !ITEM_TYPES.contains(&item.kind.as_str()) {
                e.insert(format!("{at}.type"), format!("类型应为 {} 之一", ITEM_TYPES.join("、")));
            }
        }
        if let Some(Provider::Upstream { url }) = &self.provider {
            let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
            if !scheme_ok || url.len() > 500 || url.contains(char::is_whitespace) {
                e.insert("provider.url".into(), "应为 http(s) 地址 (an http or https URL)".into());
            }
        }
        let upstream = matches!(self.provider, Some(Provider::Upstream { .. }));
        match &self.subject {
            Some(s) if !item_name_ok(s) => {
                e.insert("subject".into(), "参数名为小写字母、数字和下划线 (lowercase letters, digits, _)".into());
            }
            None if upstream && self.holds_personal_data() => {
                e.insert(
                    "subject".into(),
                    "含个人信息的资源须指明标识数据主体的查询参数，如 id_number (name the subject's parameter)".into(),
                );
            }
            _ => {}
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }

    /// Whether any item is personal information: then every call names a case whose applicant
    /// is the data subject.
    pub fn holds_personal_data(&self) -> bool {
        self.items.iter().any(|i| i.sensitivity == Sensitivity::Personal)
    }

    pub fn item(&self, name: &str) -> Option<&DataItem> {
        self.items.iter().find(|i| i.name == name)
    }
}

/// Where a request for a resource stands (共享申请).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// 待审核: the data authority's conformity review (合规性审核).
    Review,
    /// 待答复: the provider decides (有条件共享).
    ProviderReply,
    /// 已授权: a live grant.
    Granted,
    /// 未通过: refused, with reasons.
    Refused,
    /// 已撤销: a grant revoked (takes effect on the next call).
    Revoked,
}

impl RequestState {
    pub const ALL: [Self; 5] = [Self::Review, Self::ProviderReply, Self::Granted, Self::Refused, Self::Revoked];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::ProviderReply => "provider_reply",
            Self::Granted => "granted",
            Self::Refused => "refused",
            Self::Revoked => "revoked",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Review => "待合规审核",
            Self::ProviderReply => "待提供方答复",
            Self::Granted => "已授权",
            Self::Refused => "未通过",
            Self::Revoked => "已撤销",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether a deadline runs in this state.
    pub fn on_clock(self) -> bool {
        matches!(self, Self::Review | Self::ProviderReply)
    }
}

/// A decision on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Refuse,
}

/// Working days each stage may take [configurable; defaults from Shaanxi's published rule].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareDeadlines {
    /// The data authority's conformity review.
    pub review: u32,
    /// The provider's reply when the data is on the platform.
    pub reply: u32,
    /// The provider's reply when it is not yet (no provider registered).
    pub reply_not_on_platform: u32,
}

impl Default for ShareDeadlines {
    fn default() -> Self {
        Self { review: 2, reply: 5, reply_not_on_platform: 10 }
    }
}

/// Where a request goes after a decision in `state`, and the working days of the next stage.
/// A refusal needs reasons (checked by the caller, which names the field); a 不予共享 resource
/// is refused at the request with its legal basis, never reaching here.
pub fn next_state(
    state: RequestState,
    decision: Decision,
    sharing: SharingClass,
    on_platform: bool,
    days: ShareDeadlines,
) -> Option<(RequestState, Option<u32>)> {
    match (state, decision) {
        (RequestState::Review, Decision::Refuse) | (RequestState::ProviderReply, Decision::Refuse) => {
            Some((RequestState::Refused, None))
        }
        (RequestState::Review, Decision::Approve) if sharing == SharingClass::Conditional => {
            let reply = if on_platform { days.reply } else { days.reply_not_on_platform };
            Some((RequestState::ProviderReply, Some(reply)))
        }
        (RequestState::Review, Decision::Approve) | (RequestState::ProviderReply, Decision::Approve) => {
            Some((RequestState::Granted, None))
        }
        _ => None,
    }
}

/// Keeps of an answer only the granted items: an object's keys, or each object's of an array.
pub fn only_granted(answer: serde_json::Value, granted: &[String]) -> serde_json::Value {
    use serde_json::Value;
    let keep = |v: Value| match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(k, _)| granted.iter().any(|g| g == k)).collect()),
        other => other,
    };
    match answer {
        Value::Array(rows) => Value::Array(rows.into_iter().map(keep).collect()),
        other => keep(other),
    }
}

/// Upper bounds (ms) of the latency buckets the day figures count calls in; the last bucket
/// holds everything slower.
pub const LATENCY_BUCKETS_MS: [u32; 16] = [1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000, 10000];

/// Calls of one resource by one consumer on a day, as the sealer folds them from the log: the
/// counts and a latency histogram, so that monitoring never rereads the calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFigures {
    pub calls: u64,
    pub errors: u64,
    /// Calls answered (status 200): what the daily quota counts.
    pub answered: u64,
    /// Calls per bucket of `LATENCY_BUCKETS_MS`, and one more for the slower.
    pub latency: Vec<u64>,
}

impl DayFigures {
    pub fn add(&mut self, status: i32, total_ms: i32) {
        self.calls += 1;
        self.errors += u64::from(status >= 400);
        self.answered += u64::from(status == 200);
        self.latency.resize(LATENCY_BUCKETS_MS.len() + 1, 0);
        let ms = total_ms.max(0) as u32;
        let bucket = LATENCY_BUCKETS_MS.iter().position(|b| ms <= *b).unwrap_or(LATENCY_BUCKETS_MS.len());
        self.latency[bucket] += 1;
    }

    pub fn merge(&mut self, other: &DayFigures) {
        self.calls += other.calls;
        self.errors += other.errors;
        self.answered += other.answered;
        self.latency.resize(LATENCY_BUCKETS_MS.len() + 1, 0);
        for (mine, theirs) in self.latency.iter_mut().zip(&other.latency) {
            *mine += theirs;
        }
    }

    /// The latency below which a share `p` of the calls fell, as its bucket's upper bound (the
    /// slowest bucket reports its lower bound); 0 without calls.
    pub fn percentile_ms(&self, p: f64) -> u32 {
        let total: u64 = self.latency.iter().sum();
        if total == 0 {
            return 0;
        }
        let rank = ((total as f64) * p).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in self.latency.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return LATENCY_BUCKETS_MS.get(i).copied().unwrap_or(LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.len() - 1]);
            }
        }
        LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.len() - 1]
    }
}

/// The grant two sets of calls were answered under: the one they share, `*` when they used
/// different ones (the day figures then show no single quota).
pub fn either_grant(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) if a == b => Some(a),
        _ => Some("*".into()),
    }
}

/// The Merkle root of a batch of SM3 digests (hex), given the hash of two joined children:
/// leaves paired left to right, an odd last node carried up unchanged.
pub fn merkle_root(leaves: &[String], join: impl Fn(&str, &str) -> String) -> Option<String> {
    let mut level: Vec<String> = leaves.to_vec();
    if level.is_empty() {
        return None;
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [a, b] => join(a, b),
                [a] => a.clone(),
                _ => unreachable!(),
            })
            .collect();
    }
    level.pop()
}

#[cfg(test)]
mod tests {

    #[test]
    fn day_figures_count_errors_the_quota_and_latency_by_bucket() {
        let mut f = DayFigures::default();
        for (status, ms) in [(200, 0), (200, 4), (200, 4), (429, 1), (502, 40), (200, 25_000)] {
            f.add(status, ms);
        }
        assert_eq!((f.calls, f.errors, f.answered), (6, 2, 4));
        assert_eq!((f.percentile_ms(0.5), f.percentile_ms(0.8), f.percentile_ms(0.99)), (5, 50, 10_000));
        let mut g = DayFigures::default();
        g.add(200, 2);
        g.merge(&f);
        assert_eq!((g.calls, g.percentile_ms(0.01)), (7, 1));
        assert_eq!(DayFigures::default().percentile_ms(0.5), 0);
    }

    use super::*;
    use serde_json::json;

    fn resource() -> Resource {
        Resource {
            identifier: "110000-RK-00001".into(),
            name: "人口基本信息核验".into(),
            summary: "核验姓名与公民身份号码是否一致".into(),
            agency_code: "11110000000021135M".into(),
            classification: "基础信息资源/人口".into(),
            items: vec![DataItem {
                name: "name_matches".into(),
                label: "姓名是否一致".into(),
                kind: "boolean".into(),
                sensitivity: Sensitivity::Personal,
            }],
            sharing: SharingClass::Conditional,
            sharing_condition: "仅用于办理本人申请的政务服务事项".into(),
            open_class: "closed".into(),
            update_cycle: "实时".into(),
            format: "JSON".into(),
            provider: Some(Provider::Builtin { source: Builtin::Population }),
            subject: None,
        }
    }

    #[test]
    fn an_entry_is_checked_field_by_field_all_at_once() {
        assert!(resource().validate().is_ok());
        let mut r = resource();
        r.identifier = "a b".into();
        r.sharing_condition.clear();
        r.items.push(r.items[0].clone());
        r.provider = Some(Provider::Upstream { url: "ftp://x".into() });
        let e = r.validate().unwrap_err();
        assert_eq!(
            e.keys().map(String::as_str).collect::<Vec<_>>(),
            ["identifier", "items[1].name", "provider.url", "sharing_condition", "subject"]
        );
        assert!(resource().holds_personal_data());
    }

    #[test]
    fn conditional_requests_pass_review_then_the_provider() {
        let d = ShareDeadlines::default();
        use RequestState::*;
        let c = SharingClass::Conditional;
        assert_eq!(next_state(Review, Decision::Approve, c, true, d), Some((ProviderReply, Some(5))));
        assert_eq!(next_state(Review, Decision::Approve, c, false, d), Some((ProviderReply, Some(10))));
        assert_eq!(next_state(ProviderReply, Decision::Approve, c, true, d), Some((Granted, None)));
        let u = SharingClass::Unconditional;
        assert_eq!(next_state(Review, Decision::Approve, u, true, d), Some((Granted, None)));
        assert_eq!(next_state(Review, Decision::Refuse, u, true, d), Some((Refused, None)));
        assert_eq!(next_state(Granted, Decision::Approve, u, true, d), None);
    }

    #[test]
    fn answers_keep_only_granted_items() {
        let g = vec!["a".to_owned()];
        assert_eq!(only_granted(json!({"a": 1, "b": 2}), &g), json!({"a": 1}));
        assert_eq!(only_granted(json!([{"a": 1, "b": 2}, {"b": 3}]), &g), json!([{"a": 1}, {}]));
    }

    #[test]
    fn the_merkle_root_pairs_and_carries_the_odd_one_up() {
        let j = |a: &str, b: &str| format!("({a}{b})");
        let l = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(merkle_root(&l(&["a"]), j).unwrap(), "a");
        assert_eq!(merkle_root(&l(&["a", "b", "c"]), j).unwrap(), "((ab)c)");
        assert_eq!(merkle_root(&l(&["a", "b", "c", "d", "e"]), j).unwrap(), "(((ab)(cd))e)");
        assert!(merkle_root(&[], j).is_none());
    }
}
