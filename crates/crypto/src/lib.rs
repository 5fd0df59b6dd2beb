//! Commercial cryptography (商用密码, DOMAIN.md §8) for Tongban: personal data at rest sealed with
//! SM4 in GCM mode under a key ring that rotates (`vault`), keyed SM3-HMAC blind indexes to look
//! sealed values up by equality (`vault`), Argon2id password hashes (`password`), and SM2 seals
//! that sign electronic licences (`seal`).
//!
//! Pure functions over bytes and keys; where keys live (configuration, a key file, later an HSM)
//! is the caller's business.

pub mod jws;
pub mod password;
pub mod seal;
pub mod totp;
pub mod vault;

pub use password::{PasswordHasher, PasswordParams};
pub use vault::{KeyRing, Vault};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// A key is not 32 hex digits (16 bytes), or a key ring text is malformed.
    #[error("密钥格式错误 / malformed key: {0}")]
    Key(String),
    /// A sealed value names a key the ring does not hold.
    #[error("密钥 {0} 不在密钥环中 / key {0} is not in the key ring")]
    UnknownKey(String),
    /// A sealed value is malformed, was altered, or belongs to another field.
    #[error("密文无法解开（格式错误、被篡改或不属于该字段）/ sealed value malformed, altered or of another field")]
    Sealed,
    #[error("口令散列失败 / password hashing failed: {0}")]
    Password(String),
    #[error("随机数生成失败 / random generator failed")]
    Random,
}

/// A fresh secret for a cookie or a link: 32 random bytes, base64url.
pub fn token() -> Result<String, CryptoError> {
    let mut bytes = [0u8; 32];
    random(&mut bytes)?;
    Ok(<base64ct::Base64UrlUnpadded as base64ct::Encoding>::encode_string(&bytes))
}

/// A one-time code of `n` decimal digits (n ≤ 18), uniformly drawn.
pub fn digits(n: u32) -> Result<String, CryptoError> {
    let modulus = 10u64.pow(n.min(18));
    // Rejection sampling: values at or above the largest multiple of the modulus would bias.
    let limit = u64::MAX - u64::MAX % modulus;
    loop {
        let mut bytes = [0u8; 8];
        random(&mut bytes)?;
        let v = u64::from_le_bytes(bytes);
        if v < limit {
            return Ok(format!("{:0width$}", v % modulus, width = n.min(18) as usize));
        }
    }
}

/// The PKCE S256 challenge of a code verifier (RFC 7636): base64url(SHA-256(verifier)). SHA-256
/// because the standard fixes it; the platform's own digests are SM3.
pub fn pkce_s256(verifier: &str) -> String {
    use sha2::Digest;
    <base64ct::Base64UrlUnpadded as base64ct::Encoding>::encode_string(&sha2::Sha256::digest(verifier.as_bytes()))
}

/// The SM3 digest of `data`, hex: how secrets such as session tokens are stored.
pub fn sm3_hex(data: &[u8]) -> String {
    use sm3::Digest;
    hex(&sm3::Sm3::digest(data))
}

/// HMAC-SM3 of `data` under `key`, hex: how webhook deliveries are signed.
pub fn hmac_sm3_hex(key: &[u8], data: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sm3::Sm3> as hmac::KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    hex(&mac.finalize().into_bytes())
}

/// SHA-256 of `data`, lower-case hex — for gateways that sign requests with it (an SMS provider's
/// TC3-HMAC-SHA256); the platform's own digests are SM3.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(data))
}

/// HMAC-SHA256 of `data` under `key`, for the same gateways.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Lower-case hex of `bytes`: how keys, digests and signatures are written.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a hex string (either case); `None` when it is not hex.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

/// Fills `buf` from the operating system's generator.
pub(crate) fn random(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|_| CryptoError::Random)
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_time_codes_have_their_length_and_vary() {
        let codes: Vec<String> = (0..20).map(|_| super::digits(6).unwrap()).collect();
        assert!(codes.iter().all(|c| c.len() == 6 && c.chars().all(|d| d.is_ascii_digit())));
        assert!(codes.iter().any(|c| c != &codes[0]));
        // RFC 7636 appendix B.
        assert_eq!(
            super::pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(super::sm3_hex(b"abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }
}
