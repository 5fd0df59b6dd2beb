//! Passwords (口令) hashed with Argon2id, stored as PHC strings
//! (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), so the parameters travel with each hash and can
//! be raised later: a login with a hash under older parameters re-hashes it.
//!
//! Default parameters: 19 MiB of memory, 2 passes, 1 lane — the minimum OWASP's Password Storage
//! Cheat Sheet recommends for Argon2id, which keeps a login near 20 ms of one core; see
//! docs/benchmarks.md for logins per second on the reference machine.

use crate::{CryptoError, random};
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub passes: u32,
    /// Lanes (parallelism).
    pub lanes: u32,
}

impl Default for PasswordParams {
    fn default() -> Self {
        Self { memory_kib: 19 * 1024, passes: 2, lanes: 1 }
    }
}

#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    params: PasswordParams,
}

impl PasswordHasher {
    pub fn new(params: PasswordParams) -> Result<Self, CryptoError> {
        let p = Params::new(params.memory_kib, params.passes, params.lanes, None)
            .map_err(|e| CryptoError::Password(e.to_string()))?;
        Ok(Self { argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, p), params })
    }

    pub fn params(&self) -> PasswordParams {
        self.params
    }

    /// The PHC string of `password` with a fresh 16-byte salt.
    pub fn hash(&self, password: &str) -> Result<String, CryptoError> {
        let mut salt = [0u8; 16];
        random(&mut salt)?;
        let hash = self
            .argon
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map_err(|e| CryptoError::Password(e.to_string()))?;
        Ok(hash.to_string())
    }

    /// Whether `password` matches `phc` (any Argon2 parameters; a malformed hash never matches).
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        self.argon.verify_password(password.as_bytes(), phc).is_ok()
    }

    /// Spends the time of one verification, for logins with an unknown account: the answer
    /// then takes as long as for a known one, and does not tell which accounts exist.
    pub fn verify_nobody(&self, password: &str) {
        let mut out = [0u8; 32];
        let _ = self.argon.hash_password_into(password.as_bytes(), b"tongban-nobody-salt", &mut out);
    }

    /// Whether `phc` was made with other parameters than this hasher's (re-hash at next login).
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let p = self.params;
        !phc.starts_with("$argon2id$v=19$")
            || !phc.contains(&format!("$m={},t={},p={}$", p.memory_kib, p.passes, p.lanes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> PasswordHasher {
        PasswordHasher::new(PasswordParams { memory_kib: 64, passes: 1, lanes: 1 }).unwrap()
    }

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let h = fast();
        let phc = h.hash("正确的口令 correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        assert!(h.verify("正确的口令 correct horse", &phc));
        assert!(!h.verify("正确的口令 correct hors", &phc));
        assert!(!h.verify("", &phc));
        assert!(!h.verify("x", "not a hash"));
        assert_ne!(phc, h.hash("正确的口令 correct horse").unwrap(), "a fresh salt each time");
    }

    #[test]
    fn hashes_under_other_parameters_verify_and_ask_to_be_rehashed() {
        let old = fast().hash("口令").unwrap();
        let current = PasswordHasher::new(PasswordParams { memory_kib: 128, passes: 1, lanes: 1 }).unwrap();
        assert!(current.verify("口令", &old));
        assert!(current.needs_rehash(&old));
        assert!(!current.needs_rehash(&current.hash("口令").unwrap()));
    }

    #[test]
    fn the_default_is_owasps_argon2id_minimum() {
        let h = PasswordHasher::new(PasswordParams::default()).unwrap();
        assert!(h.hash("x").unwrap().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(PasswordHasher::new(PasswordParams { memory_kib: 1, passes: 0, lanes: 0 }).is_err());
    }
}
