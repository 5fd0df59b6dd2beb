//! 电子证照标识, GB/T 36904-2018:
//! `1.2.156.3005.2.{type code}.{issuer code}.{serial}.{version}.{check}`.

use super::{CodeError, CreditCode};

/// The fixed object-identifier prefix of electronic licences.
pub const PREFIX: &str = "1.2.156.3005.2.";
const ALPHABET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A valid licence identifier (证照标识). The type code is the defining agency's credit code plus a
/// 3-digit sequence; the issuer code is the issuing agency's credit code; the check character is
/// ISO/IEC 7064 MOD 37,36 over type + issuer + serial + version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LicenceId(String);

impl LicenceId {
    pub fn parse(value: &str) -> Result<Self, CodeError> {
        let v = value.trim().to_ascii_uppercase();
        if let Some((i, found)) = v.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
            return Err(CodeError::Charset {
                position: i + 1,
                found,
                allowed: "数字、字母或点 (digits, letters or dots)",
            });
        }
        let rest = v
            .strip_prefix(PREFIX)
            .ok_or(CodeError::Format("应以 1.2.156.3005.2. 开头 (must start with 1.2.156.3005.2.)"))?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [type_code, issuer, serial, version, check] = parts[..] else {
            return Err(CodeError::Format(
                "应为 类型代码.颁发机构代码.流水号.版本号.校验位 五段 (expected type.issuer.serial.version.check)",
            ));
        };
        validate_parts(type_code, issuer, serial, version)?;
        let mut found = check.chars();
        let (Some(found), None) = (found.next(), found.next()) else {
            return Err(CodeError::Format("校验位应为 1 个字符 (the check part must be one character)"));
        };
        let expected = check_char(&format!("{type_code}{issuer}{serial}{version}"));
        if expected != found {
            return Err(CodeError::Check { expected, found });
        }
        Ok(Self(v))
    }

    /// Builds the identifier of a new licence, computing its check character.
    pub fn new(type_code: &str, issuer: &CreditCode, serial: &str, version: u16) -> Result<Self, CodeError> {
        let serial = serial.to_ascii_uppercase();
        let version = format!("{version:03}");
        validate_parts(type_code, issuer.as_str(), &serial, &version)?;
        let check = check_char(&format!("{type_code}{}{serial}{version}", issuer.as_str()));
        Ok(Self(format!("{PREFIX}{type_code}.{}.{serial}.{version}.{check}", issuer.as_str())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn part(&self, i: usize) -> &str {
        self.0[PREFIX.len()..].split('.').nth(i).unwrap_or_default()
    }

    pub fn type_code(&self) -> &str {
        self.part(0)
    }

    pub fn issuer_code(&self) -> &str {
        self.part(1)
    }

    pub fn serial(&self) -> &str {
        self.part(2)
    }

    pub fn version(&self) -> u16 {
        self.part(3).parse().unwrap_or(0)
    }
}

fn validate_parts(type_code: &str, issuer: &str, serial: &str, version: &str) -> Result<(), CodeError> {
    let part = |part, part_en, e: CodeError| CodeError::Part { part, part_en, reason: Box::new(e) };
    let n = type_code.chars().count();
    if n != 21 || !type_code.is_ascii() {
        return Err(part("证照类型代码", "licence type code", CodeError::Length { expected: "21", actual: n }));
    }
    CreditCode::parse(&type_code[..18])
        .map_err(|e| part("证照类型代码中的定义机构代码", "defining agency code in the type code", e))?;
    if let Some((i, found)) = type_code[18..].chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        let e = CodeError::Charset { position: 19 + i, found, allowed: "数字 0-9 (digits 0-9)" };
        return Err(part("证照类型代码", "licence type code", e));
    }
    CreditCode::parse(issuer).map_err(|e| part("颁发机构代码", "issuer code", e))?;
    if serial.is_empty() || serial.len() > 64 {
        let e = CodeError::Length { expected: "1–64", actual: serial.chars().count() };
        return Err(part("流水号", "serial", e));
    }
    if let Some((i, found)) = serial.chars().enumerate().find(|(_, c)| !ALPHABET.contains(*c)) {
        let e = CodeError::Charset { position: i + 1, found, allowed: "数字或大写字母 (digits or letters)" };
        return Err(part("流水号", "serial", e));
    }
    if version.len() != 3 || !version.bytes().all(|b| b.is_ascii_digit()) {
        let e = CodeError::Format("版本号应为 3 位数字 (version must be 3 digits)");
        return Err(part("版本号", "version", e));
    }
    Ok(())
}

/// ISO/IEC 7064 MOD 37,36 (hybrid system) over characters of `ALPHABET`.
pub fn check_char(s: &str) -> char {
    let mut p: u32 = 36;
    for c in s.chars() {
        let v = ALPHABET.find(c).unwrap_or(0) as u32;
        p = (p + v) % 36;
        if p == 0 {
            p = 36;
        }
        p = (p * 2) % 37;
    }
    let r = 37 - p;
    if r == 36 { '0' } else { ALPHABET.as_bytes()[r as usize] as char }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VALID: &str = "1.2.156.3005.2.11100000000013338W011.11110000000021135M.20230329701.003.Y";

    #[test]
    fn published_example() {
        let id = LicenceId::parse(VALID).unwrap();
        assert_eq!(id.type_code(), "11100000000013338W011");
        assert_eq!(id.issuer_code(), "11110000000021135M");
        assert_eq!(id.serial(), "20230329701");
        assert_eq!(id.version(), 3);
        let issuer = CreditCode::parse("11110000000021135M").unwrap();
        let built = LicenceId::new("11100000000013338W011", &issuer, "20230329701", 3).unwrap();
        assert_eq!(built.as_str(), VALID);
    }

    #[test]
    fn precise_reasons() {
        assert!(matches!(LicenceId::parse("1.2.156.3005.3.x").unwrap_err(), CodeError::Format(_)));
        let wrong_check = VALID.replace(".003.Y", ".003.Z");
        assert_eq!(LicenceId::parse(&wrong_check).unwrap_err(), CodeError::Check { expected: 'Y', found: 'Z' });
        let bad_issuer = VALID.replace("11110000000021135M", "11110000000021135N");
        assert!(matches!(LicenceId::parse(&bad_issuer).unwrap_err(), CodeError::Part { part: "颁发机构代码", .. }));
    }

    #[test]
    fn every_single_character_change_fails() {
        for (i, orig) in VALID.char_indices() {
            for c in "0123456789ABXYZ.-".chars().filter(|&c| c != orig) {
                let mut s = VALID.to_owned();
                s.replace_range(i..i + 1, &c.to_string());
                assert!(LicenceId::parse(&s).is_err(), "{s} should be invalid");
            }
        }
    }

    proptest! {
        /// Issued identifiers always pass the check.
        #[test]
        fn built_ids_parse(serial in "[0-9A-Z]{1,20}", version in 0u16..1000) {
            let issuer = CreditCode::parse("91350100M000100Y43").unwrap();
            let id = LicenceId::new("11100000000013338W011", &issuer, &serial, version).unwrap();
            prop_assert_eq!(LicenceId::parse(id.as_str()).unwrap(), id);
        }

        #[test]
        fn never_panics(s in "1\\.2\\.156\\.3005\\.2\\.\\PC{0,80}") {
            let _ = LicenceId::parse(&s);
        }
    }
}
