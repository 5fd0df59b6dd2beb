//! Seals (电子印章): signatures with SM2 over SM3 (GB/T 32918, GB/T 38540), the way an issuing
//! agency signs an electronic licence. `Signer` is the small interface an HSM can implement; the
//! software seal keeps its secret scalar in memory and hands it out only to be sealed at rest.
//! Keys travel as hex: the public key as its uncompressed SEC1 point (04‖x‖y), a signature as
//! r‖s (64 bytes).

use crate::{CryptoError, hex, unhex};
use sm2::dsa::signature::{Signer as _, Verifier as _};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};

/// The signer's distinguishing identifier (GM/T 0009's default user id), bound into every digest.
pub const SM2_ID: &str = "1234567812345678";

/// The name of the algorithm in exported documents.
pub const ALGORITHM: &str = "SM2-SM3";

/// Something that signs with a seal key: software here, an HSM elsewhere.
pub trait Signer: Send + Sync {
    /// The key's identifier, as trust lists name it.
    fn key_id(&self) -> &str;
    /// The public key, hex of the uncompressed SEC1 point.
    fn public_key(&self) -> String;
    /// The signature of `message`, hex of r‖s.
    fn sign(&self, message: &[u8]) -> Result<String, CryptoError>;
}

/// A seal key held in software.
pub struct SoftwareSeal {
    key_id: String,
    key: SigningKey,
}

impl SoftwareSeal {
    /// A fresh key from the operating system's generator.
    pub fn generate(key_id: &str) -> Result<Self, CryptoError> {
        loop {
            let mut secret = [0u8; 32];
            crate::random(&mut secret)?;
            // A draw at or above the group order (or zero) is not a key: draw again.
            if let Ok(seal) = Self::from_secret(key_id, &secret) {
                return Ok(seal);
            }
        }
    }

    /// The key whose secret scalar is `secret` (32 bytes, big-endian).
    pub fn from_secret(key_id: &str, secret: &[u8]) -> Result<Self, CryptoError> {
        let secret = sm2::SecretKey::from_slice(secret).map_err(|_| CryptoError::Key("SM2 secret key".into()))?;
        let key = SigningKey::new(SM2_ID, &secret).map_err(|_| CryptoError::Key("SM2 secret key".into()))?;
        Ok(Self { key_id: key_id.to_owned(), key })
    }

    /// The key whose secret scalar is `secret` in hex (`secret_hex`).
    pub fn from_secret_hex(key_id: &str, secret: &str) -> Result<Self, CryptoError> {
        Self::from_secret(key_id, &unhex(secret).ok_or_else(|| CryptoError::Key("SM2 secret key: hex".into()))?)
    }

    /// The secret scalar, hex: to be sealed before it is stored anywhere.
    pub fn secret_hex(&self) -> String {
        hex(&self.key.as_nonzero_scalar().to_bytes())
    }
}

impl Signer for SoftwareSeal {
    fn key_id(&self) -> &str {
        &self.key_id
    }

    fn public_key(&self) -> String {
        hex(&self.key.verifying_key().to_sec1_bytes())
    }

    fn sign(&self, message: &[u8]) -> Result<String, CryptoError> {
        let signature: Signature = self.key.try_sign(message).map_err(|_| CryptoError::Random)?;
        Ok(hex(&signature.to_bytes()))
    }
}

/// Whether `signature` (hex r‖s) is the signature of `message` by `public_key` (hex SEC1).
/// Anything malformed is simply not a valid signature.
pub fn verify(public_key: &str, message: &[u8], signature: &str) -> bool {
    let (Some(point), Some(sig)) = (unhex(public_key), unhex(signature)) else { return false };
    let (Ok(key), Ok(sig)) = (VerifyingKey::from_sec1_bytes(SM2_ID, &point), Signature::from_slice(&sig)) else {
        return false;
    };
    key.verify(message, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let seal = SoftwareSeal::generate("k1").unwrap();
        let message = "营业执照 1.2.156.3005.2".as_bytes();
        let sig = seal.sign(message).unwrap();
        assert_eq!(sig.len(), 128);
        assert!(verify(&seal.public_key(), message, &sig));
        assert!(!verify(&seal.public_key(), "营业执照 1.2.156.3005.3".as_bytes(), &sig));
        let mut bad = sig.clone().into_bytes();
        bad[10] = if bad[10] == b'0' { b'1' } else { b'0' };
        assert!(!verify(&seal.public_key(), message, &String::from_utf8(bad).unwrap()));
        let other = SoftwareSeal::generate("k2").unwrap();
        assert!(!verify(&other.public_key(), message, &sig));
        assert!(!verify("zz", message, &sig) && !verify(&seal.public_key(), message, "00"));
    }

    #[test]
    fn a_seal_comes_back_from_its_secret() {
        let seal = SoftwareSeal::generate("k1").unwrap();
        let again = SoftwareSeal::from_secret_hex("k1", &seal.secret_hex()).unwrap();
        assert_eq!(again.public_key(), seal.public_key());
        assert!(verify(&again.public_key(), b"x", &seal.sign(b"x").unwrap()));
        assert!(SoftwareSeal::from_secret("k", &[0u8; 32]).is_err(), "zero is not a key");
    }
}
