//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the optional
//! second factor of a login, as every authenticator app computes them.

use crate::{CryptoError, random};
use hmac::{Hmac, Mac};
use sha1::Sha1;

const STEP_SECS: u64 = 30;
const DIGITS: u32 = 6;

/// A fresh 160-bit secret, in base32 as authenticator apps take it (and as it is stored).
pub fn new_secret() -> Result<String, CryptoError> {
    let mut s = [0u8; 20];
    random(&mut s)?;
    Ok(base32(&s))
}

/// The code of `secret` for the 30-second step `step` (RFC 4226 dynamic truncation).
fn code_at(secret: &[u8], step: u64) -> String {
    let mut mac = <Hmac<Sha1> as hmac::KeyInit>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    format!("{:0width$}", bin % 10u32.pow(DIGITS), width = DIGITS as usize)
}

/// The step `code` matches at `unix_secs` for the base32 `secret`, allowing one step of clock
/// drift either way; `None` when it matches none. Callers refuse a step not after the last one
/// used (no replay).
pub fn verify(secret: &str, code: &str, unix_secs: u64) -> Option<u64> {
    let secret = unbase32(secret)?;
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = unix_secs / STEP_SECS;
    [now, now.saturating_sub(1), now + 1].into_iter().find(|&step| code_at(&secret, step) == code)
}

/// The current code of the base32 `secret` (tests and tooling).
pub fn now_code(secret: &str, unix_secs: u64) -> Option<String> {
    Some(code_at(&unbase32(secret)?, unix_secs / STEP_SECS))
}

/// RFC 4648 base32 without padding: how authenticator apps take the secret.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(ALPHABET[((bits >> (35 - i * 5)) & 31) as usize] as char);
        }
    }
    out
}

/// Decodes RFC 4648 base32 (upper or lower case, padding and spaces ignored).
pub fn unbase32(s: &str) -> Option<Vec<u8>> {
    let (mut bits, mut n, mut out) = (0u64, 0u32, Vec::new());
    for c in s.chars().filter(|c| !matches!(c, '=' | ' ')) {
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u64 - 'A' as u64,
            c @ '2'..='7' => c as u64 - '2' as u64 + 26,
            _ => return None,
        };
        bits = (bits << 5) | v;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    Some(out)
}

/// The `otpauth://` URI an authenticator app scans, for the base32 `secret`.
pub fn uri(secret: &str, issuer: &str, account: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        secret,
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's secret, ASCII "12345678901234567890", in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B lists 8 digits; the 6-digit code is their last six.
        for (t, eight) in
            [(59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924"), (2000000000, "69279037")]
        {
            assert_eq!(now_code(RFC_SECRET, t).unwrap(), eight[2..], "T={t}");
        }
    }

    #[test]
    fn verification_allows_one_step_of_drift_and_nothing_else() {
        let code = now_code(RFC_SECRET, 1111111109).unwrap();
        assert_eq!(verify(RFC_SECRET, &code, 1111111109), Some(1111111109 / 30));
        assert!(verify(RFC_SECRET, &code, 1111111109 + 30).is_some());
        assert!(verify(RFC_SECRET, &code, 1111111109 + 90).is_none());
        assert!(verify(RFC_SECRET, "12345", 0).is_none());
        assert!(verify(RFC_SECRET, "abcdef", 0).is_none());
        assert!(verify("not base32!", &code, 1111111109).is_none());
    }

    #[test]
    fn base32_is_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"12345678901234567890"), RFC_SECRET);
        assert_eq!(unbase32("mzxw6ytboi").unwrap(), b"foobar");
        assert_eq!(unbase32("MZXW6YTBOI======").unwrap(), b"foobar");
        assert_eq!(unbase32("MZ1"), None);
        assert_eq!(unbase32(&new_secret().unwrap()).unwrap().len(), 20);
        let uri = uri(RFC_SECRET, "通办", "138****5678");
        assert!(uri.starts_with("otpauth://totp/%E9%80%9A%E5%8A%9E:138%2A%2A%2A%2A5678?secret=GEZD"), "{uri}");
    }
}
