//! Electronic licences (电子证照, GB/T 36901–36905-2018, DOMAIN.md §4): licence types, the status
//! and operation codes, a licence's catalog fields, and the canonical bytes its seal signs. Pure:
//! signing and verifying are the crypto crate's, storing them the store's.

use crate::codes::{CodeError, CreditCode, LicenceId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// 证照状态 [fixed].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LicenceStatus {
    #[serde(rename = "01")]
    Valid,
    #[serde(rename = "02")]
    Suspended,
    #[serde(rename = "03")]
    Withdrawn,
    #[serde(rename = "04")]
    Cancelled,
    #[serde(rename = "05")]
    Expired,
    #[serde(rename = "06")]
    TransferredOut,
    #[serde(rename = "07")]
    Revoked,
    #[serde(rename = "99")]
    Other,
}

impl LicenceStatus {
    pub const ALL: [Self; 8] = [
        Self::Valid,
        Self::Suspended,
        Self::Withdrawn,
        Self::Cancelled,
        Self::Expired,
        Self::TransferredOut,
        Self::Revoked,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        self.names().0
    }

    pub fn name_zh(self) -> &'static str {
        self.names().1
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Valid => ("01", "有效"),
            Self::Suspended => ("02", "暂扣"),
            Self::Withdrawn => ("03", "撤销"),
            Self::Cancelled => ("04", "注销"),
            Self::Expired => ("05", "失效"),
            Self::TransferredOut => ("06", "办理转出"),
            Self::Revoked => ("07", "吊销"),
            Self::Other => ("99", "其他"),
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// 操作类型 [fixed].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LicenceOperation {
    /// 新发.
    Issue,
    /// 延续.
    Renew,
    /// 暂扣.
    Suspend,
    /// 过期失效.
    Expire,
    /// 注销.
    Cancel,
    /// 暂扣发还.
    Return,
    /// 其他 (撤销, 吊销 have no operation code of their own).
    Other,
    /// 转入.
    TransferIn,
}

impl LicenceOperation {
    pub const ALL: [Self; 8] = [
        Self::Issue,
        Self::Renew,
        Self::Suspend,
        Self::Expire,
        Self::Cancel,
        Self::Return,
        Self::Other,
        Self::TransferIn,
    ];

    pub fn code(self) -> &'static str {
        self.names().0
    }

    pub fn name_zh(self) -> &'static str {
        self.names().1
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Issue => ("01", "新发"),
            Self::Renew => ("02", "延续"),
            Self::Suspend => ("03", "暂扣"),
            Self::Expire => ("04", "过期失效"),
            Self::Cancel => ("05", "注销"),
            Self::Return => ("06", "暂扣发还"),
            Self::Other => ("07", "其他"),
            Self::TransferIn => ("08", "转入"),
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A licence type (证照类型): defined by one agency, issued by many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenceType {
    /// The defining agency's credit code and a 3-digit sequence (21 characters).
    pub code: &'static str,
    pub name: &'static str,
    pub definer_name: &'static str,
    pub definer_code: &'static str,
    /// Years a licence stays valid; `None` for 长期.
    pub valid_years: Option<u32>,
    /// The face's template: the fields it shows first, in this order (others follow).
    pub face: &'static [&'static str],
}

/// The licence types of the demo services. 营业执照's type code is the one of GB/T 36904's
/// example; the other definers' credit codes are made up for the demo (valid check characters).
pub const TYPES: &[LicenceType] = &[
    LicenceType {
        code: "11100000000013338W011",
        name: "营业执照",
        definer_name: "国家市场监督管理总局",
        definer_code: "11100000000013338W",
        valid_years: None,
        face: &["个体工商户名称", "经营者姓名", "组成形式", "经营范围", "经营场所", "资金数额（万元）", "从业人数"],
    },
    LicenceType {
        code: "11100000000013338W012",
        name: "食品经营许可证",
        definer_name: "国家市场监督管理总局",
        definer_code: "11100000000013338W",
        valid_years: Some(5),
        face: &["经营者名称", "社会信用代码", "法定代表人（负责人）", "住所", "经营场所", "主体业态", "经营项目"],
    },
    LicenceType {
        code: "11100000000019713D001",
        name: "出生医学证明",
        definer_name: "国家卫生健康委员会",
        definer_code: "11100000000019713D",
        valid_years: None,
        face: &["新生儿姓名", "性别", "出生时间", "出生地点", "母亲姓名", "父亲姓名"],
    },
    LicenceType {
        code: "11100000000014242W001",
        name: "结婚证",
        definer_name: "民政部",
        definer_code: "11100000000014242W",
        valid_years: None,
        face: &["登记日期", "结婚证字号", "男方姓名", "女方姓名"],
    },
    LicenceType {
        code: "11100000000012345D001",
        name: "机动车驾驶证",
        definer_name: "公安部",
        definer_code: "11100000000012345D",
        valid_years: Some(6),
        face: &["姓名", "性别", "国籍", "住址", "准驾车型", "初次领证日期"],
    },
];

/// The licence type of this name.
pub fn licence_type(name: &str) -> Option<&'static LicenceType> {
    TYPES.iter().find(|t| t.name == name)
}

/// A licence's catalog fields (GB/T 36902/36903): what its seal signs, in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Licence {
    /// 证照标识 (GB/T 36904).
    pub id: String,
    /// 证照编号, as printed.
    pub number: String,
    pub name: String,
    pub version: u16,
    pub type_name: String,
    pub type_code: String,
    pub issued_on: NaiveDate,
    pub issuer_name: String,
    pub issuer_code: String,
    pub definer_name: String,
    pub definer_code: String,
    pub valid_from: NaiveDate,
    /// `None`: 长期.
    pub valid_to: Option<NaiveDate>,
    /// 有效期范围 / jurisdiction, as a division code.
    pub division_code: String,
    pub holder_name: String,
    pub holder_code: String,
    /// `111` 公民身份号码, `001` 统一社会信用代码.
    pub holder_code_type: String,
    pub item_name: String,
    pub item_code: String,
    /// The face's other fields (e.g. 经营场所, 经营范围), by name.
    pub extension: Value,
    /// The licence this one renews.
    pub predecessor: Option<String>,
}

impl Licence {
    /// The face's fields (its extension) by label: those of its type's template first, in the
    /// template's order, then the others.
    pub fn face_fields(&self) -> Vec<(String, String)> {
        let Value::Object(map) = &self.extension else { return Vec::new() };
        let template = licence_type(&self.type_name).map_or(&[][..], |t| t.face);
        let rank = |k: &str| template.iter().position(|t| *t == k).unwrap_or(template.len());
        let mut fields: Vec<(String, String)> =
            map.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned))).collect();
        fields.sort_by_key(|(k, _)| rank(k));
        fields
    }
}

/// The holder code types of GB/T 36903.
pub const HOLDER_CITIZEN: &str = "111";
pub const HOLDER_ORGANIZATION: &str = "001";

impl Licence {
    /// The bytes the seal signs: the fields in their fixed order as JSON, object keys of the
    /// extension sorted, no whitespace.
    pub fn canonical(&self) -> Vec<u8> {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        sort_keys(&mut v);
        // Field order of the struct, then sorted nested keys: rebuild the top level in order.
        serde_json::to_vec(&self.ordered(v)).unwrap_or_default()
    }

    fn ordered(&self, v: Value) -> Value {
        let Value::Object(map) = v else { return v };
        let order = [
            "id",
            "number",
            "name",
            "version",
            "type_name",
            "type_code",
            "issued_on",
            "issuer_name",
            "issuer_code",
            "definer_name",
            "definer_code",
            "valid_from",
            "valid_to",
            "division_code",
            "holder_name",
            "holder_code",
            "holder_code_type",
            "item_name",
            "item_code",
            "extension",
            "predecessor",
        ];
        Value::Array(order.iter().map(|k| map.get(*k).cloned().unwrap_or(Value::Null)).collect())
    }
}

fn sort_keys(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            for (k, mut x) in entries {
                sort_keys(&mut x);
                map.insert(k, x);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

/// The identifier of a new licence of `type_code` issued by `issuer` with `serial`, version 1.
pub fn new_id(type_code: &str, issuer: &str, serial: &str, version: u16) -> Result<LicenceId, CodeError> {
    LicenceId::new(type_code, &CreditCode::parse(issuer)?, serial, version)
}

/// A licence to issue: from a concluded case, or by an administrator (one, or a file of legacy
/// certificates). `build` checks it and makes the catalog fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewLicence {
    /// A licence type's name (营业执照, 食品经营许可证…).
    pub type_name: String,
    pub issuer_code: String,
    pub issuer_name: String,
    /// 证照编号 as printed; also the identifier's serial (letters and digits).
    pub number: String,
    pub holder_name: String,
    /// A citizen id (公民身份号码) or a unified social credit code.
    pub holder_code: String,
    pub division_code: String,
    /// Default: today.
    #[serde(default)]
    pub issued_on: Option<NaiveDate>,
    /// Default: the issue date.
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    /// Default: by the type's validity (none for 长期).
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    #[serde(default)]
    pub item_name: String,
    #[serde(default)]
    pub item_code: String,
    /// The face's other fields, by label.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub extension: serde_json::Map<String, Value>,
}

/// Why a new licence is refused: the field and the reason.
pub type Refusal = (&'static str, String);

impl NewLicence {
    /// The licence, version 1 (or the version given, renewing `predecessor`), or the first
    /// problem found.
    pub fn build(self, today: NaiveDate, version: u16, predecessor: Option<String>) -> Result<Licence, Refusal> {
        let t = licence_type(self.type_name.trim())
            .ok_or(("type_name", format!("未知的证照类型 (unknown licence type): {}", self.type_name)))?;
        let issuer_code =
            CreditCode::parse(&self.issuer_code).map_err(|e| ("issuer_code", e.to_string()))?.as_str().to_owned();
        let filled = |field: &'static str, v: &str, max: usize| {
            let n = v.trim().chars().count();
            if n == 0 || n > max {
                Err((field, format!("应填写 1 至 {max} 个字符 (1 to {max} characters)")))
            } else {
                Ok(())
            }
        };
        filled("issuer_name", &self.issuer_name, 100)?;
        filled("holder_name", &self.holder_name, 100)?;
        filled("number", &self.number, 40)?;
        let number = self.number.trim().to_ascii_uppercase();
        if !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(("number", "证照编号只能由字母和数字组成 (letters and digits only)".into()));
        }
        let (holder_code, holder_code_type) = if let Ok(id) = crate::codes::CitizenId::parse(&self.holder_code, today) {
            (id.as_str().to_owned(), HOLDER_CITIZEN)
        } else if let Ok(code) = CreditCode::parse(&self.holder_code) {
            (code.as_str().to_owned(), HOLDER_ORGANIZATION)
        } else {
            return Err((
                "holder_code",
                "应为有效的公民身份号码或统一社会信用代码 (a valid citizen id or credit code)".into(),
            ));
        };
        let division_code = crate::codes::DivisionCode::parse(&self.division_code)
            .map_err(|e| ("division_code", e.to_string()))?
            .as_str()
            .to_owned();
        let issued_on = self.issued_on.unwrap_or(today);
        let valid_from = self.valid_from.unwrap_or(issued_on);
        let valid_to = match self.valid_to {
            Some(to) => Some(to),
            None => t.valid_years.and_then(|y| valid_from.checked_add_months(chrono::Months::new(12 * y))),
        };
        if valid_to.is_some_and(|to| to < valid_from) {
            return Err(("valid_to", "有效期截止日早于起始日 (ends before it starts)".into()));
        }
        let id = new_id(t.code, &issuer_code, &number, version).map_err(|e| ("number", e.to_string()))?;
        Ok(Licence {
            id: id.as_str().to_owned(),
            number,
            name: t.name.into(),
            version,
            type_name: t.name.into(),
            type_code: t.code.into(),
            issued_on,
            issuer_name: self.issuer_name.trim().into(),
            issuer_code,
            definer_name: t.definer_name.into(),
            definer_code: t.definer_code.into(),
            valid_from,
            valid_to,
            division_code,
            holder_name: self.holder_name.trim().into(),
            holder_code,
            holder_code_type: holder_code_type.into(),
            item_name: self.item_name,
            item_code: self.item_code,
            extension: Value::Object(self.extension),
            predecessor,
        })
    }
}

/// A licence with its seal, as exported: enough to verify it anywhere against a trust list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedLicence {
    pub licence: Licence,
    pub seal: Seal,
}

/// The issuing agency's signature over `Licence::canonical`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Seal {
    /// `SM2-SM3`.
    pub algorithm: String,
    pub key_id: String,
    /// Hex r‖s.
    pub signature: String,
}

/// An issuer key on the trust list (可信证照签发机构公钥列表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrustedKey {
    pub agency_code: String,
    pub agency_name: String,
    pub key_id: String,
    /// Hex of the uncompressed SEC1 point.
    pub public_key: String,
    pub algorithm: String,
}

/// The trust list: every issuer key, signed by the platform's root key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrustList {
    pub issued_at: String,
    pub keys: Vec<TrustedKey>,
    pub root_key_id: String,
    pub root_public_key: String,
    /// Hex r‖s over `TrustList::canonical`.
    pub signature: String,
}

impl TrustList {
    /// The bytes the root key signs: everything but the signature, as JSON in field order.
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(&(&self.issued_at, &self.keys, &self.root_key_id, &self.root_public_key)).unwrap_or_default()
    }
}

/// One licence on the status list: any status but 01 有效.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusEntry {
    pub licence_id: String,
    pub status: String,
}

/// The published status list (证照状态列表): the licences that are not valid, signed by the
/// platform's root key, so that offline verifiers learn of suspensions and revocations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusList {
    pub issued_at: String,
    pub entries: Vec<StatusEntry>,
    pub root_key_id: String,
    /// Hex r‖s over `StatusList::canonical`.
    pub signature: String,
}

impl StatusList {
    /// The bytes the root key signs: everything but the signature, as JSON in field order.
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(&(&self.issued_at, &self.entries, &self.root_key_id)).unwrap_or_default()
    }

    /// The status of `licence_id` the list gives (not listed: 01 有效; listed with a code unknown
    /// here: 99 其他, never valid).
    pub fn status_of(&self, licence_id: &str) -> LicenceStatus {
        match self.entries.iter().find(|e| e.licence_id == licence_id) {
            None => LicenceStatus::Valid,
            Some(e) => LicenceStatus::parse(&e.status).unwrap_or(LicenceStatus::Other),
        }
    }
}

/// What an annotated copy (加注件) is stamped with: one use of one sealed licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Annotation {
    pub use_id: String,
    pub licence_id: String,
    /// The licence seal's signature: binds the annotation to that sealed licence.
    pub licence_signature: String,
    /// 用证事由.
    pub use_reason: String,
    pub using_agency_name: String,
    pub using_agency_code: String,
    pub application_id: String,
    pub material: String,
    /// RFC 3339.
    pub annotated_at: String,
    /// RFC 3339: the copy serves this use until then.
    pub expires_at: String,
}

impl Annotation {
    /// The bytes the platform's seal signs: the fields in their order, as JSON.
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// 加注件: a sealed licence with the annotation of one use, sealed by the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnnotatedCopy {
    pub licence: SignedLicence,
    pub annotation: Annotation,
    /// The platform's signature over `Annotation::canonical`.
    pub seal: Seal,
}

/// A valid licence for the tests of this and the upper crates: 张三's 营业执照 of 北京市东城区.
#[cfg(any(test, feature = "testing"))]
pub mod testing {
    use super::*;

    pub fn sample() -> Licence {
        let t = licence_type("营业执照").unwrap();
        Licence {
            id: new_id(t.code, "1111010143783071XP", "2026112500001", 1).unwrap().as_str().to_owned(),
            number: "92110101MA0000001X".into(),
            name: "营业执照".into(),
            version: 1,
            type_name: t.name.into(),
            type_code: t.code.into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            issuer_name: "北京市东城区市场监督管理局".into(),
            issuer_code: "1111010143783071XP".into(),
            definer_name: t.definer_name.into(),
            definer_code: t.definer_code.into(),
            valid_from: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            valid_to: None,
            division_code: "110101".into(),
            holder_name: "张三".into(),
            holder_code: "110101199003070011".into(),
            holder_code_type: HOLDER_CITIZEN.into(),
            item_name: "个体工商户设立登记".into(),
            item_code: "000105001000".into(),
            extension: serde_json::json!({"经营范围": "小吃服务", "经营场所": "东华门街道 8 号"}),
            predecessor: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testing::sample;

    #[test]
    fn issued_identifiers_pass_their_check_and_every_type_code_is_well_formed() {
        for t in TYPES {
            assert_eq!(t.code.len(), 21, "{}", t.name);
            assert!(CreditCode::parse(t.definer_code).is_ok(), "{}", t.name);
            assert!(t.code.starts_with(t.definer_code));
            for serial in ["1", "2026112500001", "ABC123"] {
                let id = new_id(t.code, "1111010143783071XP", serial, 7).unwrap();
                assert_eq!(LicenceId::parse(id.as_str()).unwrap(), id);
            }
        }
        // GB/T 36904's published example.
        assert!(LicenceId::parse("1.2.156.3005.2.11100000000013338W011.11110000000021135M.20230329701.003.Y").is_ok());
    }

    #[test]
    fn the_canonical_form_is_stable_and_covers_every_field() {
        let l = sample();
        let again: Licence = serde_json::from_slice(&serde_json::to_vec(&l).unwrap()).unwrap();
        assert_eq!(again.canonical(), l.canonical());
        let mut other = l.clone();
        other.holder_name = "张四".into();
        assert_ne!(other.canonical(), l.canonical());
        let mut other = l.clone();
        other.extension = serde_json::json!({"经营场所": "东华门街道 8 号", "经营范围": "小吃服务"});
        assert_eq!(other.canonical(), l.canonical(), "extension keys in any order");
        assert!(String::from_utf8(l.canonical()).unwrap().starts_with("[\"1.2.156.3005.2."));
    }

    #[test]
    fn the_face_shows_its_types_template_first() {
        let mut l = sample();
        l.extension = serde_json::json!({"备注": "无", "经营场所": "东华门街道 8 号", "经营范围": "小吃服务", "经营者姓名": "张三"});
        let labels: Vec<String> = l.face_fields().into_iter().map(|(k, _)| k).collect();
        assert_eq!(labels, ["经营者姓名", "经营范围", "经营场所", "备注"]);
    }

    #[test]
    fn statuses_have_their_codes() {
        assert_eq!(serde_json::to_string(&LicenceStatus::Revoked).unwrap(), "\"07\"");
        assert_eq!(LicenceStatus::parse("02"), Some(LicenceStatus::Suspended));
        assert_eq!(LicenceStatus::Withdrawn.name_zh(), "撤销");
        assert_eq!(LicenceOperation::TransferIn.code(), "08");
    }
}
