//! The service catalog (DOMAIN.md §2): service items (政务服务事项) of the base catalog, agencies,
//! and offerings (实施清单) carrying their guide (办事指南). Pure types and the consistency rules
//! a guide must satisfy before it is published.

use crate::forms::Form;
use crate::{CreditCode, DivisionCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod review;
mod synonyms;

pub use review::{JointAgency, MAX_REVIEW_STEPS, ReviewStep};
pub use synonyms::{Synonym, SynonymError, Synonyms};

/// Item types (事项类型) [configurable list; default per DOMAIN.md §2, *unconfirmed* against
/// GB/T 39554.1]: code → name.
pub const ITEM_TYPES: &[(&str, &str)] = &[
    ("01", "行政许可"),
    ("02", "行政处罚"),
    ("03", "行政强制"),
    ("04", "行政征收"),
    ("05", "行政给付"),
    ("06", "行政检查"),
    ("07", "行政确认"),
    ("08", "行政奖励"),
    ("09", "行政裁决"),
    ("10", "其他行政权力"),
    ("20", "公共服务"),
];

/// 行使层级.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ExerciseLevel {
    National,
    Provincial,
    City,
    County,
    Township,
    Village,
}

impl ExerciseLevel {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::National => "国家级",
            Self::Provincial => "省级",
            Self::City => "市级",
            Self::County => "县级",
            Self::Township => "乡(镇、街道)级",
            Self::Village => "村(社区)级",
        }
    }
}

/// 服务对象: 自然人 or 法人.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Audience {
    Person,
    Organization,
}

/// 办理项: the handling variant of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HandlingKind {
    /// 新设
    New,
    /// 变更
    Change,
    /// 延续
    Renew,
    /// 注销
    Cancel,
}

/// 网上办理深度, the graded scale [fixed].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OnlineDepth {
    /// Ⅰ 信息发布
    I,
    /// Ⅱ 下载、预约、预审
    II,
    /// Ⅲ 网上受理办理，最多跑一次
    III,
    /// Ⅳ 全程网办
    IV,
}

impl OnlineDepth {
    /// Whether the portal offers "apply online" (Ⅲ and Ⅳ).
    pub fn accepts_online(self) -> bool {
        self >= OnlineDepth::III
    }
}

/// The multi-select online-service list [fixed].
pub const ONLINE_SERVICES: &[&str] = &[
    "互联网咨询",
    "互联网收件",
    "互联网预审",
    "互联网受理",
    "互联网办理",
    "互联网办理结果信息反馈",
    "互联网电子证照反馈",
];

/// 办件类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaseKind {
    /// 即办件: concluded on the spot, the same day.
    Immediate,
    /// 承诺件: within the committed limit.
    Committed,
    /// 上报件: sent up to a higher level.
    Reported,
    /// 联办件: joint handling by several agencies.
    Joint,
}

/// Where a material comes from. Only `Applicant` materials are asked of the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MaterialSource {
    Applicant,
    /// Issued as an electronic licence of this type (减材料: used instead of paper).
    Licence {
        licence_type: String,
    },
    /// Obtained by data sharing from this resource.
    Shared {
        resource: String,
    },
    /// 免提交.
    Exempt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Original {
    Original,
    Copy,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MaterialForm {
    Paper,
    Electronic,
    Either,
}

/// One entry of the materials list (申请材料).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Material {
    pub name: String,
    pub original: Original,
    pub copies: u32,
    pub form: MaterialForm,
    pub required: bool,
    /// When the material is needed, for conditional materials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    pub source: MaterialSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// 特殊环节: hearing, testing, inspection, expert review… (行政许可法 §45).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecialProcedure {
    pub name: String,
    pub max_workdays: u32,
    /// Whether it counts within the statutory limit (normally not).
    pub counted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fees {
    pub charged: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_payment: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Faq {
    pub q: String,
    pub a: String,
}

/// 办理结果.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultSpec {
    /// `licence`, `document` or `none`.
    pub kind: String,
    pub name: String,
}

/// An item of the base catalog (基本目录) as an offering references it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemRef {
    pub code: String,
    pub name: String,
    /// A code of `ITEM_TYPES`.
    pub item_type: String,
    /// 主项 and 子项 names, when the item is a handling item under them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_item: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_item: Option<String>,
    pub handling: HandlingKind,
    pub competent_department: String,
}

/// An implementing agency (实施机构).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyRef {
    pub credit_code: String,
    pub name: String,
    pub division_code: String,
    pub level: ExerciseLevel,
}

/// An offering (实施清单) with its whole guide (办事指南): the unit of editing, publishing,
/// import and export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Offering {
    pub offering_code: String,
    pub item: ItemRef,
    pub agency: AgencyRef,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub division_code: String,
    pub level: ExerciseLevel,
    pub audience: Vec<Audience>,
    #[serde(default)]
    pub themes: Vec<String>,
    pub case_kind: CaseKind,
    pub conditions: String,
    pub materials: Vec<Material>,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub special_procedures: Vec<SpecialProcedure>,
    pub statutory_limit: u32,
    pub committed_limit: u32,
    pub fees: Fees,
    pub location: String,
    pub hours: String,
    pub consultation_phone: String,
    pub complaint_phone: String,
    pub legal_basis: Vec<String>,
    pub online_depth: OnlineDepth,
    #[serde(default)]
    pub online_services: Vec<String>,
    pub visits: u32,
    pub result: ResultSpec,
    #[serde(default)]
    pub faq: Vec<Faq>,
    #[serde(default)]
    pub appointment: bool,
    /// 通办范围: e.g. 全国通办, 跨省通办, 省内通办; empty when handled only locally.
    #[serde(default)]
    pub cross_region: String,
    /// The application form; `Form::generic` when the guide declares none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<Form>,
    /// The review steps after acceptance (e.g. 审核, 决定), the last one deciding; one step
    /// (审查决定) when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub review_steps: Vec<String>,
    /// 联办件: the other agencies that each review the case in a step of their own, after this
    /// agency's own steps and before its decision.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint_agencies: Vec<JointAgency>,
}

/// Field → reason, for every rule an offering breaks.
pub type Violations = BTreeMap<String, String>;

impl Offering {
    /// The application form applicants fill in.
    pub fn form(&self) -> std::borrow::Cow<'_, Form> {
        match &self.form {
            Some(f) => std::borrow::Cow::Borrowed(f),
            None => std::borrow::Cow::Owned(Form::generic()),
        }
    }
}

/// The length of a national implementation code.
pub const OFFERING_CODE_LEN: usize = 31;

impl Offering {
    /// The consistency rules of a publishable guide (DOMAIN.md §2). `division_known` answers
    /// whether a division exists in the loaded GB/T 2260 dataset. Returns every violation.
    pub fn validate(&self, division_known: &dyn Fn(&str) -> bool) -> Violations {
        let mut v = Violations::new();
        let mut bad = |field: &str, reason: String| {
            v.entry(field.to_owned()).or_insert(reason);
        };
        let blank = |s: &str| s.trim().is_empty();

        // Codes.
        let agency_code = CreditCode::parse(&self.agency.credit_code);
        if let Err(e) = &agency_code {
            bad("agency.credit_code", e.to_string());
        }
        let n = self.offering_code.chars().count();
        if n != OFFERING_CODE_LEN || !self.offering_code.chars().all(|c| c.is_ascii_alphanumeric()) {
            bad(
                "offering_code",
                format!(
                    "实施编码应为 {OFFERING_CODE_LEN} 位字母或数字，实为 {n} 位 (implementation code must be {OFFERING_CODE_LEN} letters or digits, got {n})"
                ),
            );
        } else if let Err(e) = CreditCode::parse(&self.offering_code[..18]) {
            bad(
                "offering_code",
                format!("前 18 位应为实施机构的统一社会信用代码：{e} (must begin with the agency's credit code)"),
            );
        } else if let Ok(agency) = &agency_code
            && &self.offering_code[..18] != agency.as_str()
        {
            bad(
                "offering_code",
                "前 18 位与实施机构统一社会信用代码不一致 (does not begin with the agency's credit code)".into(),
            );
        }
        if blank(&self.item.code) {
            bad("item.code", "必填 (required)".into());
        }
        if !ITEM_TYPES.iter().any(|(c, _)| *c == self.item.item_type) {
            bad("item.item_type", format!("未知的事项类型 {} (unknown item type)", self.item.item_type));
        }
        for (field, code) in
            [("division_code", &self.division_code), ("agency.division_code", &self.agency.division_code)]
        {
            match DivisionCode::parse(code) {
                Err(e) => bad(field, e.to_string()),
                Ok(d) if !division_known(d.as_str()) => {
                    bad(field, format!("行政区划 {d} 不存在 (unknown division {d})"))
                }
                Ok(_) => {}
            }
        }

        // Required text.
        for (field, value) in [
            ("name", &self.name),
            ("item.name", &self.item.name),
            ("item.competent_department", &self.item.competent_department),
            ("agency.name", &self.agency.name),
            ("conditions", &self.conditions),
            ("location", &self.location),
            ("hours", &self.hours),
            ("consultation_phone", &self.consultation_phone),
            ("complaint_phone", &self.complaint_phone),
            ("result.name", &self.result.name),
        ] {
            if blank(value) {
                bad(field, "必填 (required)".into());
            }
        }
        if self.audience.is_empty() {
            bad("audience", "至少选择一类服务对象 (at least one audience)".into());
        }
        if self.legal_basis.iter().all(|b| blank(b)) {
            bad("legal_basis", "应写明设定依据 (legal basis required)".into());
        }
        if self.steps.is_empty() {
            bad("steps", "至少一个办理环节 (at least one step)".into());
        }
        for (i, m) in self.materials.iter().enumerate() {
            if blank(&m.name) {
                bad(&format!("materials[{i}].name"), "必填 (required)".into());
            }
            if !m.required && m.condition.as_deref().is_none_or(blank) {
                bad(
                    &format!("materials[{i}].condition"),
                    "非必要材料应写明提交情形 (a conditional material needs its condition)".into(),
                );
            }
        }
        for s in &self.online_services {
            if !ONLINE_SERVICES.contains(&s.as_str()) {
                bad("online_services", format!("未知的网上服务 {s} (unknown online service)"));
            }
        }
        if !matches!(self.result.kind.as_str(), "licence" | "document" | "none") {
            bad("result.kind", "应为 licence、document 或 none (must be licence, document or none)".into());
        }

        // Consistency rules.
        if self.committed_limit > self.statutory_limit {
            bad(
                "committed_limit",
                format!(
                    "承诺时限 {} 个工作日不得超过法定时限 {} 个工作日 (committed limit must not exceed the statutory limit)",
                    self.committed_limit, self.statutory_limit
                ),
            );
        }
        if self.case_kind == CaseKind::Immediate && self.committed_limit != 0 {
            bad("committed_limit", "即办件的承诺时限应为 0 (an immediate case is concluded the same day: 0)".into());
        }
        if self.online_depth == OnlineDepth::IV && self.visits != 0 {
            bad(
                "visits",
                format!("全程网办（Ⅳ级）的到现场次数应为 0，实为 {} (depth IV requires 0 visits)", self.visits),
            );
        }
        if self.online_depth == OnlineDepth::III && self.visits > 1 {
            bad("visits", format!("Ⅲ级深度最多跑一次，实为 {} (depth III allows at most 1 visit)", self.visits));
        }
        if self.fees.charged {
            if self.fees.basis.as_deref().is_none_or(blank) {
                bad("fees.basis", "收费事项应写明收费依据 (charged: basis required)".into());
            }
            if self.fees.online_payment.is_none() {
                bad("fees.online_payment", "收费事项应写明是否支持网上缴费 (charged: payment mode required)".into());
            }
        }
        if let Some(form) = &self.form {
            for (field, reason) in form.check_layout() {
                bad(&field, reason);
            }
        }
        review::check_steps(self, division_known, &mut bad);
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        if !blank(&self.consultation_phone) && digits(&self.consultation_phone) == digits(&self.complaint_phone) {
            bad(
                "complaint_phone",
                "监督投诉电话不得与咨询电话相同 (complaint phone must differ from the consultation phone)".into(),
            );
        }
        v
    }
}

/// A valid example offering for the tests of this and the upper crates.
#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(test)]
mod tests {
    use super::testing::sample;
    use super::*;

    fn known(_: &str) -> bool {
        true
    }

    #[test]
    fn sample_is_valid() {
        assert_eq!(sample().validate(&known), Violations::new());
        let json = serde_json::to_string(&sample()).unwrap();
        assert_eq!(serde_json::from_str::<Offering>(&json).unwrap(), sample());
    }

    #[test]
    fn consistency_rules() {
        let check = |edit: &dyn Fn(&mut Offering), field: &str| {
            let mut o = sample();
            edit(&mut o);
            let v = o.validate(&known);
            assert!(v.contains_key(field), "{field}: {v:?}");
        };
        check(&|o| o.visits = 1, "visits");
        check(&|o| o.committed_limit = 16, "committed_limit");
        check(&|o| o.fees = Fees { charged: true, ..Fees::default() }, "fees.basis");
        check(&|o| o.fees = Fees { charged: true, basis: Some("x".into()), ..Fees::default() }, "fees.online_payment");
        check(&|o| o.complaint_phone = "010 1234 5678".into(), "complaint_phone");
        check(&|o| o.offering_code.pop().map(drop).unwrap_or(()), "offering_code");
        check(&|o| o.agency.credit_code.replace_range(17..18, "0"), "agency.credit_code");
        check(&|o| o.division_code = "990000".into(), "division_code");
        check(&|o| o.item.item_type = "99".into(), "item.item_type");
        check(&|o| o.legal_basis.clear(), "legal_basis");
        check(&|o| o.materials[0].required = false, "materials[0].condition");
        check(&|o| o.online_services.push("x".into()), "online_services");
        check(
            &|o| {
                o.online_depth = OnlineDepth::III;
                o.visits = 2;
            },
            "visits",
        );
        // Unknown divisions are reported as such.
        let v = sample().validate(&|c| c != "110105");
        assert!(v["division_code"].contains("不存在"), "{v:?}");
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let mut json = serde_json::to_value(sample()).unwrap();
        json["colour"] = "red".into();
        assert!(serde_json::from_value::<Offering>(json).is_err());
    }
}
