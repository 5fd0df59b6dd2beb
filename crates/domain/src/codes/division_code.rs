//! 行政区划代码, GB/T 2260 (6 digits), extended by GB/T 10114 township (9) and the statistical
//! village level (12). Which codes exist changes every year: that is data (the divisions table),
//! never logic. Only the structure is checked here.

use super::CodeError;
use serde::Serialize;

/// The province-level codes of GB/T 2260 (stable since 1997).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
];

pub(crate) fn is_province(two: &str) -> bool {
    PROVINCES.contains(&two)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DivisionLevel {
    /// 省级
    Province,
    /// 地级 (prefecture)
    Prefecture,
    /// 县级
    County,
    /// 乡级 (township, street)
    Township,
    /// 村级 (village, community)
    Village,
}

impl DivisionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Prefecture => "prefecture",
            Self::County => "county",
            Self::Township => "township",
            Self::Village => "village",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Province, Self::Prefecture, Self::County, Self::Township, Self::Village]
            .into_iter()
            .find(|l| l.as_str() == s)
    }
}

/// What the code of every division within `code` starts with (see `DivisionCode::subtree_prefix`);
/// a code that is not one is its own prefix.
pub fn subtree_prefix(code: &str) -> &str {
    let code = code.trim();
    DivisionCode::parse(code).map_or(code, |d| &code[..d.subtree_prefix().len()])
}

/// A structurally valid division code, normalized: zero tails that denote a higher level are cut
/// (`110101000` → `110101`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DivisionCode(String);

impl DivisionCode {
    pub fn parse(value: &str) -> Result<Self, CodeError> {
        let v = value.trim();
        let n = v.chars().count();
        if !matches!(n, 6 | 9 | 12) {
            return Err(CodeError::Length { expected: "6、9 或 12 (6, 9 or 12)", actual: n });
        }
        if let Some((i, found)) = v.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(CodeError::Charset { position: i + 1, found, allowed: "数字 0-9 (digits 0-9)" });
        }
        let mut code = v.to_owned();
        while code.len() > 6 && code.ends_with("000") {
            code.truncate(code.len() - 3);
        }
        if !is_province(&code[..2]) {
            return Err(CodeError::Province(code[..2].to_owned()));
        }
        if &code[2..4] == "00" && &code[4..6] != "00" {
            return Err(CodeError::DivisionStructure(
                code,
                "地级代码为 00 时县级代码必须为 00 (county part must be 00 when the prefecture part is 00)",
            ));
        }
        if code.len() == 12 && &code[6..9] == "000" {
            return Err(CodeError::DivisionStructure(
                code,
                "村级代码缺少乡级代码 (village code without a township part)",
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the code of every division within this one starts with, by its level: `440000` →
    /// `44`, `110100` → `1101`; a county, township or village code is its own (a township's
    /// `100` is no zero tail).
    pub fn subtree_prefix(&self) -> &str {
        let n = match self.level() {
            DivisionLevel::Province => 2,
            DivisionLevel::Prefecture => 4,
            _ => self.0.len(),
        };
        &self.0[..n]
    }

    pub fn level(&self) -> DivisionLevel {
        match self.0.len() {
            12 => DivisionLevel::Village,
            9 => DivisionLevel::Township,
            _ if self.0.ends_with("0000") => DivisionLevel::Province,
            _ if self.0.ends_with("00") => DivisionLevel::Prefecture,
            _ => DivisionLevel::County,
        }
    }

    /// The structural parent: the dataset is authoritative (some counties sit directly under a
    /// province), this is what the code itself says.
    pub fn structural_parent(&self) -> Option<DivisionCode> {
        let c = &self.0;
        let parent = match self.level() {
            DivisionLevel::Province => return None,
            DivisionLevel::Prefecture => format!("{}0000", &c[..2]),
            DivisionLevel::County => format!("{}00", &c[..4]),
            DivisionLevel::Township => c[..6].to_owned(),
            DivisionLevel::Village => c[..9].to_owned(),
        };
        Some(DivisionCode(parent))
    }
}

impl std::fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn levels_and_parents() {
        let l = |s: &str| DivisionCode::parse(s).unwrap().level();
        assert_eq!(l("110000"), DivisionLevel::Province);
        assert_eq!(l("110100"), DivisionLevel::Prefecture);
        assert_eq!(l("110101"), DivisionLevel::County);
        assert_eq!(l("110101001"), DivisionLevel::Township);
        assert_eq!(l("110101001001"), DivisionLevel::Village);
        assert_eq!(DivisionCode::parse("110101000").unwrap().as_str(), "110101");
        assert_eq!(DivisionCode::parse("110101001000").unwrap().as_str(), "110101001");
        let p = DivisionCode::parse("110101001").unwrap().structural_parent().unwrap();
        assert_eq!(p.as_str(), "110101");
        assert_eq!(p.structural_parent().unwrap().as_str(), "110100");
        assert_eq!(DivisionCode::parse("110000").unwrap().structural_parent(), None);
        for (code, prefix) in [("440000", "44"), ("110100", "1101"), ("110101", "110101"), ("110105100", "110105100")] {
            assert_eq!(subtree_prefix(code), prefix, "{code}");
        }
        assert_eq!(subtree_prefix("110101100000"), "110101100", "normalized first");
        assert_eq!(subtree_prefix("x"), "x");
    }

    #[test]
    fn precise_reasons() {
        assert!(matches!(DivisionCode::parse("1101").unwrap_err(), CodeError::Length { actual: 4, .. }));
        assert!(matches!(DivisionCode::parse("11010a").unwrap_err(), CodeError::Charset { position: 6, .. }));
        assert_eq!(DivisionCode::parse("990000").unwrap_err(), CodeError::Province("99".into()));
        assert!(matches!(DivisionCode::parse("110001").unwrap_err(), CodeError::DivisionStructure(..)));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,14}") {
            let _ = DivisionCode::parse(&s);
        }
    }
}
