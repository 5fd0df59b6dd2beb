//! Commercial cryptography (商用密码, DOMAIN.md §8) for Tongban: personal data at rest sealed with
//! SM4 in GCM mode under a key ring that rotates (`vault`), keyed SM3-HMAC blind indexes to look
//! sealed values up by equality (`vault`), and Argon2id password hashes (`password`).
//!
//! Pure functions over bytes and keys; where keys live (configuration, a key file, later an HSM)
//! is the caller's business.

pub mod password;
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

/// Fills `buf` from the operating system's generator.
pub(crate) fn random(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|_| CryptoError::Random)
}
