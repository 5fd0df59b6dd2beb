//! Electronic licences (电子证照, GB/T 36901–36905-2018, DOMAIN.md §4): licence types, the status
//! and operation codes, a licence's catalog fields, and the canonical bytes its seal signs. Pure:
//! signing and verifying are the crypto crate's, storing them the store's.

use crate::codes::{CodeError, CreditCode, LicenceId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod new;
mod trust;
pub use new::{NewLicence, Refusal};
pub use trust::{AnnotatedCopy, Annotation, Seal, SignedLicence, StatusEntry, StatusList, TrustList, TrustedKey};

/// A code table's enum [fixed]: its `ALL`, each value's `code` and Chinese name, and `parse`,
/// from one list of `Variant => ("code", "名称")`.
macro_rules! code_table {
    ($t:ident { $($v:ident => ($code:literal, $name:literal)),+ $(,)? }) => {
        impl $t {
            pub const ALL: &'static [Self] = &[$(Self::$v),+];

            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$v => $code),+
                }
            }

            pub fn name_zh(self) -> &'static str {
                match self {
                    $(Self::$v => $name),+
                }
            }

            pub fn parse(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|s| s.code() == code)
            }
        }
    };
}

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

code_table!(LicenceStatus {
    Valid => ("01", "有效"),
    Suspended => ("02", "暂扣"),
    Withdrawn => ("03", "撤销"),
    Cancelled => ("04", "注销"),
    Expired => ("05", "失效"),
    TransferredOut => ("06", "办理转出"),
    Revoked => ("07", "吊销"),
    Other => ("99", "其他"),
});

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

code_table!(LicenceOperation {
    Issue => ("01", "新发"),
    Renew => ("02", "延续"),
    Suspend => ("03", "暂扣"),
    Expire => ("04", "过期失效"),
    Cancel => ("05", "注销"),
    Return => ("06", "暂扣发还"),
    Other => ("07", "其他"),
    TransferIn => ("08", "转入"),
});

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
    /// Issuing it on a case registers a new subject (a 个体工商户's 营业执照): the subject is given
    /// a credit code, which is the licence's number and its holder's code.
    pub registers: Option<Registration>,
}

/// How a licence that registers a subject names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registration {
    /// The credit code's registration authority and category codes (GB 32100): `92` is 市场监管,
    /// 个体工商户.
    pub credit_code_prefix: &'static str,
    /// The face field that names the subject; when it is empty the subject goes by its
    /// operator's name (a 个体工商户 may have no name).
    pub name_field: &'static str,
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
        registers: Some(Registration { credit_code_prefix: "92", name_field: "个体工商户名称" }),
    },
    LicenceType {
        code: "11100000000013338W012",
        name: "食品经营许可证",
        definer_name: "国家市场监督管理总局",
        definer_code: "11100000000013338W",
        valid_years: Some(5),
        face: &["经营者名称", "社会信用代码", "法定代表人（负责人）", "住所", "经营场所", "主体业态", "经营项目"],
        registers: None,
    },
    LicenceType {
        code: "11100000000019713D001",
        name: "出生医学证明",
        definer_name: "国家卫生健康委员会",
        definer_code: "11100000000019713D",
        valid_years: None,
        face: &["新生儿姓名", "性别", "出生时间", "出生地点", "母亲姓名", "父亲姓名"],
        registers: None,
    },
    LicenceType {
        code: "11100000000014242W001",
        name: "结婚证",
        definer_name: "民政部",
        definer_code: "11100000000014242W",
        valid_years: None,
        face: &["登记日期", "结婚证字号", "男方姓名", "女方姓名"],
        registers: None,
    },
    LicenceType {
        code: "11100000000012345D001",
        name: "机动车驾驶证",
        definer_name: "公安部",
        definer_code: "11100000000012345D",
        valid_years: Some(6),
        face: &["姓名", "性别", "国籍", "住址", "准驾车型", "初次领证日期"],
        registers: None,
    },
];

/// The licence type of this name.
pub fn licence_type(name: &str) -> Option<&'static LicenceType> {
    TYPES.iter().find(|t| t.name == name)
}

/// The holder code types of GB/T 36903.
pub const HOLDER_CITIZEN: &str = "111";
pub const HOLDER_ORGANIZATION: &str = "001";

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
