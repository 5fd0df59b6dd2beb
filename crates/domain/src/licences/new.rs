//! A licence to issue, checked: the one way a licence's catalog fields are made.

use super::{HOLDER_CITIZEN, HOLDER_ORGANIZATION, Licence, licence_type, new_id};
use crate::codes::CreditCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A licence to issue: from a concluded case, or by an administrator (one, or a file of legacy
/// certificates). `build` checks it and makes the catalog fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
        // A seal is dated when it is made: a licence is never issued ahead (a retired key is
        // trusted for what it sealed until the day it was retired).
        if issued_on > today {
            return Err(("issued_on", "签发日期不能晚于今天 (a licence cannot be issued ahead of today)".into()));
        }
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
