//! 统一社会信用代码, GB 32100-2015.

use super::{CodeError, check_charset};

/// The 31 characters of the code: digits and upper-case letters without I, O, S, V, Z.
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A valid unified social credit code (统一社会信用代码): registration authority (1), organisation
/// category (1), registration division (6), subject identifier (9, a GB 11714 organisation code),
/// check character (1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(value: &str) -> Result<Self, CodeError> {
        let v = value.trim().to_ascii_uppercase();
        let n = v.chars().count();
        if n != 18 {
            return Err(CodeError::Length { expected: "18", actual: n });
        }
        check_charset(
            &v,
            CHARSET,
            "数字或除 I、O、S、V、Z 外的大写字母 (digits or capital letters except I, O, S, V, Z)",
        )?;
        if let Some((i, c)) = v.char_indices().skip(2).take(6).find(|(_, c)| !c.is_ascii_digit()) {
            return Err(CodeError::Part {
                part: "登记管理机关行政区划码",
                part_en: "registration division code",
                reason: Box::new(CodeError::Charset { position: i + 1, found: c, allowed: "数字 0-9 (digits 0-9)" }),
            });
        }
        let expected = check_char(&v[..17]);
        let found = v.as_bytes()[17] as char;
        if expected != found {
            return Err(CodeError::Check { expected, found });
        }
        Ok(Self(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The registration division code (positions 3–8).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// The embedded 9-character organisation code (GB 11714).
    pub fn organization_code(&self) -> &str {
        &self.0[8..17]
    }

    /// A new code issued by a registration authority: `prefix` is the authority's and the
    /// category's codes (e.g. `92`: 市场监管, 个体工商户), `division` the authority's division, the
    /// subject identifier a GB 11714 organisation code whose eight-character body is taken from
    /// `seed` (a digest of what the code is issued for; the store refuses a code issued twice).
    pub fn issue(prefix: &str, division: &super::DivisionCode, seed: &[u8]) -> Result<Self, CodeError> {
        let body: String =
            seed.iter().take(8).map(|b| CHARSET.as_bytes()[*b as usize % CHARSET.len()] as char).collect();
        if body.len() != 8 {
            return Err(CodeError::Length { expected: "8", actual: body.len() });
        }
        let first17 = format!("{prefix}{}{body}{}", division.as_str(), organization_check(&body));
        Self::parse(&format!("{first17}{}", check_char(&first17)))
    }

    /// GB 11714 has its own check character; a mismatch is only a warning, since codes
    /// issued before the reform do not always satisfy it.
    pub fn organization_code_warning(&self) -> Option<String> {
        let oc = self.organization_code();
        let expected = organization_check(&oc[..8]);
        let found = oc.chars().nth(8).unwrap_or('?');
        (expected != found).then(|| {
            format!("组织机构代码校验码应为 '{expected}'，实为 '{found}' (organisation code check: expected '{expected}', got '{found}')")
        })
    }
}

/// The GB 11714 check character of an organisation code's eight-character body.
fn organization_check(body: &str) -> char {
    let val = |c: char| c.to_digit(36).unwrap_or(0);
    let sum: u32 = body.chars().zip([3, 7, 9, 10, 5, 8, 4, 2]).map(|(c, w)| val(c) * w).sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('0'),
    }
}

/// The GB 32100 check character for the first 17 characters (all in `CHARSET`).
pub fn check_char(first17: &str) -> char {
    let sum: u32 = first17.chars().zip(WEIGHTS).map(|(c, w)| CHARSET.find(c).unwrap_or(0) as u32 * w).sum();
    CHARSET.as_bytes()[((31 - sum % 31) % 31) as usize] as char
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VALID: [&str; 2] = ["91350100M000100Y43", "91110000802100433B"];

    #[test]
    fn valid_examples() {
        for v in VALID {
            assert_eq!(CreditCode::parse(v).unwrap().as_str(), v);
        }
        let c = CreditCode::parse("91110000802100433b").unwrap();
        assert_eq!(c.division_code(), "110000");
        assert_eq!(c.organization_code(), "802100433");
    }

    #[test]
    fn precise_reasons() {
        assert_eq!(CreditCode::parse("9135010").unwrap_err(), CodeError::Length { expected: "18", actual: 7 });
        assert!(matches!(
            CreditCode::parse("91350100I000100Y43").unwrap_err(),
            CodeError::Charset { position: 9, found: 'I', .. }
        ));
        assert!(matches!(CreditCode::parse("91A50100M000100Y43").unwrap_err(), CodeError::Part { .. }));
        assert_eq!(
            CreditCode::parse("91350100M000100Y44").unwrap_err(),
            CodeError::Check { expected: '3', found: '4' }
        );
        // Multi-byte input of the right length never panics.
        assert!(matches!(
            CreditCode::parse("统一社会信用代码统一社会信用代码统一").unwrap_err(),
            CodeError::Charset { position: 1, .. }
        ));
    }

    #[test]
    fn issued_codes_are_valid_for_their_authority_and_division() {
        let division = super::super::DivisionCode::parse("110101").unwrap();
        let a = CreditCode::issue("92", &division, &[7, 200, 3, 31, 62, 0, 255, 9]).unwrap();
        assert!(a.as_str().starts_with("92110101"), "{}", a.as_str());
        assert_eq!(a.organization_code_warning(), None, "its organisation code checks too");
        let b = CreditCode::issue("92", &division, &[8, 200, 3, 31, 62, 0, 255, 9]).unwrap();
        assert_ne!(a, b);
        assert!(CreditCode::issue("92", &division, &[1, 2]).is_err(), "a short seed is refused");
    }

    /// Weights are non-zero modulo the prime 31, so every single substitution changes the sum.
    #[test]
    fn every_single_character_change_fails() {
        for v in VALID {
            for (i, orig) in v.char_indices() {
                for c in CHARSET.chars().chain("IOSVZ".chars()).filter(|&c| c != orig) {
                    let mut s = v.to_owned();
                    s.replace_range(i..i + 1, &c.to_string());
                    let err = CreditCode::parse(&s).unwrap_err();
                    let ok = match &err {
                        CodeError::Charset { position, .. } => *position == i + 1,
                        CodeError::Part { reason, .. } => {
                            matches!(**reason, CodeError::Charset { position, .. } if position == i + 1)
                        }
                        CodeError::Check { .. } => true,
                        _ => false,
                    };
                    assert!(ok, "{s}: {err}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn generated_codes_round_trip(body in "[159Y][1-3][0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}") {
            let full = format!("{body}{}", check_char(&body));
            prop_assert!(CreditCode::parse(&full).is_ok());
        }

        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = CreditCode::parse(&s);
        }
    }
}
