//! 公民身份号码, GB 11643-1999.

use super::{CodeError, division_code::is_province};
use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// A valid citizen identity number (公民身份号码): 6-digit address code, 8-digit birth date,
/// 3-digit sequence (odd = male) and an ISO 7064 MOD 11-2 check character, stored upper-case.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CitizenId(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl CitizenId {
    /// Parses and validates; `today` is the latest possible birth date. Accepts a lower-case `x`.
    pub fn parse(value: &str, today: NaiveDate) -> Result<Self, CodeError> {
        let v = value.trim().to_ascii_uppercase();
        let n = v.chars().count();
        if n != 18 {
            return Err(CodeError::Length { expected: "18", actual: n });
        }
        for (i, c) in v.chars().enumerate() {
            let (ok, allowed) = if i < 17 {
                (c.is_ascii_digit(), "数字 0-9 (digits 0-9)")
            } else {
                (c.is_ascii_digit() || c == 'X', "数字或 X (a digit or X)")
            };
            if !ok {
                return Err(CodeError::Charset { position: i + 1, found: c, allowed });
            }
        }
        if !is_province(&v[..2]) {
            return Err(CodeError::Province(v[..2].to_owned()));
        }
        let birth = &v[6..14];
        let date = NaiveDate::parse_from_str(birth, "%Y%m%d").map_err(|_| CodeError::BirthDate(birth.to_owned()))?;
        if date > today {
            return Err(CodeError::FutureBirthDate(birth.to_owned()));
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

    /// The address code (GB/T 2260) where the number was first issued; it may be a division
    /// that no longer exists.
    pub fn address_code(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> NaiveDate {
        // Validated in `parse`.
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or_default()
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// `1101**********002X`: the first 4 and last 4 characters.
    pub fn masked(&self) -> String {
        crate::mask::mask_citizen_id(&self.0)
    }
}

/// The MOD 11-2 check character for the first 17 digits.
pub fn check_char(first17: &str) -> char {
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    CHECK_CHARS[(sum % 11) as usize] as char
}

impl std::fmt::Debug for CitizenId {
    /// Never shows the full number, so it cannot leak into logs through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CitizenId({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    const VALID: [&str; 2] = ["11010519491231002X", "440524188001010014"];

    #[test]
    fn valid_examples() {
        for v in VALID {
            let id = CitizenId::parse(v, today()).unwrap();
            assert_eq!(id.as_str(), v);
        }
        let id = CitizenId::parse("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(format!("{id:?}"), "CitizenId(1101**********002X)");
        assert_eq!(CitizenId::parse("440524188001010014", today()).unwrap().sex(), Sex::Male);
    }

    #[test]
    fn precise_reasons() {
        let p = |v| CitizenId::parse(v, today()).unwrap_err();
        assert_eq!(p("1101051949123100"), CodeError::Length { expected: "18", actual: 16 });
        assert!(matches!(p("11010519491231A02X"), CodeError::Charset { position: 15, found: 'A', .. }));
        assert!(p("11010519491231002Y").to_string().contains("position 18"));
        assert_eq!(
            p("11010519491231002Y"),
            CodeError::Charset { position: 18, found: 'Y', allowed: "数字或 X (a digit or X)" }
        );
        assert_eq!(p("11010519491331002X"), CodeError::BirthDate("19491331".into()));
        assert_eq!(p("110105190002290021"), CodeError::BirthDate("19000229".into()));
        assert_eq!(p("110105203001010010"), CodeError::FutureBirthDate("20300101".into()));
        assert_eq!(p("99010519491231002X"), CodeError::Province("99".into()));
        assert_eq!(p("110105194912310021"), CodeError::Check { expected: 'X', found: '1' });
    }

    /// ISO 7064 MOD 11-2 detects every single-character substitution.
    #[test]
    fn every_single_character_change_fails() {
        for v in VALID {
            for (i, orig) in v.char_indices() {
                for c in "0123456789XAZ".chars().filter(|&c| c != orig) {
                    let mut s = v.to_owned();
                    s.replace_range(i..i + 1, &c.to_string());
                    let err = CitizenId::parse(&s, today()).unwrap_err();
                    // The reason names what is wrong at that position.
                    let ok = match (&err, i) {
                        (CodeError::Charset { position, .. }, _) => *position == i + 1,
                        (CodeError::Province(_), 0..=1) => true,
                        (CodeError::BirthDate(_) | CodeError::FutureBirthDate(_), 6..=13) => true,
                        (CodeError::Check { .. }, _) => true,
                        _ => false,
                    };
                    assert!(ok, "{s}: {err}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn generated_ids_round_trip(
            addr in prop::sample::select(vec!["110101", "310104", "440305", "650102"]),
            days in 0i64..40_000,
            seq in 0u32..1000,
        ) {
            let birth = NaiveDate::from_ymd_opt(1920, 1, 1).unwrap() + chrono::Days::new(days as u64);
            prop_assume!(birth <= today());
            let body = format!("{addr}{}{seq:03}", birth.format("%Y%m%d"));
            let full = format!("{body}{}", check_char(&body));
            let id = CitizenId::parse(&full, today()).unwrap();
            prop_assert_eq!(id.birth_date(), birth);
            prop_assert_eq!(id.as_str(), full.as_str());
            prop_assert_eq!(id.address_code(), addr);
        }

        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = CitizenId::parse(&s, today());
        }
    }
}
