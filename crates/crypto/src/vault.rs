//! Personal data at rest (个人信息加密存储): each value sealed with SM4-GCM under the ring's
//! current key, with a fresh 96-bit nonce and the field's name as associated data, so a value
//! copied into another column does not open. A sealed value names its key, so keys rotate: new
//! values take the new key, old ones open with theirs until re-sealed.
//!
//! Equality look-up (log in by id number or phone) goes through a blind index: SM3-HMAC of the
//! field and the value under a separate index key, which does not rotate with the sealing keys
//! (rotating it means recomputing every index, a different operation).
//!
//! Sealed text: `sm4gcm.{key id}.{base64url(nonce ‖ ciphertext ‖ tag)}`.

use crate::{CryptoError, hex, random};
use aes_gcm::AesGcm;
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, Mac};
use sm3::Sm3;
use sm4::Sm4;
use std::collections::BTreeMap;

type Sm4Gcm = AesGcm<Sm4, U12>;

const SCHEME: &str = "sm4gcm";
const NONCE: usize = 12;
const KEY: usize = 16;

/// The keys: sealing keys by id (one of them current) and the blind-index key.
#[derive(Clone)]
pub struct KeyRing {
    current: String,
    keys: BTreeMap<String, [u8; KEY]>,
    index_key: [u8; 32],
    /// The Ed25519 seed that signs OpenID Connect tokens, with its key id.
    token_key: Option<(String, [u8; 32])>,
}

impl std::fmt::Debug for KeyRing {
    /// Never prints key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").field("current", &self.current).field("keys", &self.keys.keys()).finish()
    }
}

impl KeyRing {
    /// A new ring with one fresh sealing key (`id`) and a fresh index key.
    pub fn generate(id: &str) -> Result<Self, CryptoError> {
        check_id(id)?;
        let mut key = [0; KEY];
        let mut index_key = [0; 32];
        random(&mut key)?;
        random(&mut index_key)?;
        let mut ring =
            Self { current: id.to_owned(), keys: BTreeMap::from([(id.to_owned(), key)]), index_key, token_key: None };
        ring.new_token_key(id)?;
        Ok(ring)
    }

    /// A fresh key for signing tokens (replacing the one before), named `kid`.
    pub fn new_token_key(&mut self, kid: &str) -> Result<(), CryptoError> {
        check_id(kid)?;
        let mut seed = [0u8; 32];
        random(&mut seed)?;
        self.token_key = Some((kid.to_owned(), seed));
        Ok(())
    }

    /// The signer of tokens, if the ring has a token key.
    pub fn token_signer(&self) -> Option<crate::jws::TokenSigner> {
        self.token_key.as_ref().map(|(kid, seed)| crate::jws::TokenSigner::from_seed(kid, *seed))
    }

    /// Adds a fresh sealing key and makes it current (rotation); older keys still open.
    pub fn rotate(&mut self, id: &str) -> Result<(), CryptoError> {
        check_id(id)?;
        if self.keys.contains_key(id) {
            return Err(CryptoError::Key(format!("key id {id} is already in the ring")));
        }
        let mut key = [0; KEY];
        random(&mut key)?;
        self.keys.insert(id.to_owned(), key);
        self.current = id.to_owned();
        Ok(())
    }

    pub fn current(&self) -> &str {
        &self.current
    }

    /// The ring as text for a key file: `current = ID`, `index = HEX`, then `key ID = HEX` lines.
    pub fn to_text(&self) -> String {
        let mut out = format!("current = {}\nindex = {}\n", self.current, hex(&self.index_key));
        for (id, key) in &self.keys {
            out.push_str(&format!("key {id} = {}\n", hex(key)));
        }
        if let Some((kid, seed)) = &self.token_key {
            out.push_str(&format!("token {kid} = {}\n", hex(seed)));
        }
        out
    }

    /// Parses `to_text`'s format; blank lines and `#` comments are ignored.
    pub fn from_text(text: &str) -> Result<Self, CryptoError> {
        let (mut current, mut index_key, mut keys, mut token_key) = (None, None, BTreeMap::new(), None);
        for (n, line) in text.lines().enumerate().map(|(n, l)| (n + 1, l.trim())) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, value) =
                line.split_once('=').ok_or_else(|| CryptoError::Key(format!("line {n}: expected NAME = VALUE")))?;
            let (name, value) = (name.trim(), value.trim());
            match name.split_once(' ') {
                None if name == "current" => current = Some(value.to_owned()),
                None if name == "index" => index_key = Some(unhex::<32>(value, n)?),
                Some(("key", id)) => {
                    check_id(id.trim())?;
                    keys.insert(id.trim().to_owned(), unhex::<KEY>(value, n)?);
                }
                Some(("token", kid)) => {
                    check_id(kid.trim())?;
                    token_key = Some((kid.trim().to_owned(), unhex::<32>(value, n)?));
                }
                _ => return Err(CryptoError::Key(format!("line {n}: unknown entry {name}"))),
            }
        }
        let current = current.ok_or_else(|| CryptoError::Key("no current key".into()))?;
        if !keys.contains_key(&current) {
            return Err(CryptoError::UnknownKey(current));
        }
        let index_key = index_key.ok_or_else(|| CryptoError::Key("no index key".into()))?;
        Ok(Self { current, keys, index_key, token_key })
    }
}

/// Seals, opens and indexes personal data with a key ring.
#[derive(Clone, Debug)]
pub struct Vault {
    ring: KeyRing,
}

impl Vault {
    pub fn new(ring: KeyRing) -> Self {
        Self { ring }
    }

    pub fn ring(&self) -> &KeyRing {
        &self.ring
    }

    /// Seals `plaintext` of `field` (e.g. `person.citizen_id`) under the current key.
    pub fn seal(&self, field: &str, plaintext: &str) -> Result<String, CryptoError> {
        let id = &self.ring.current;
        let key = self.ring.keys.get(id).ok_or_else(|| CryptoError::UnknownKey(id.clone()))?;
        let mut nonce = [0; NONCE];
        random(&mut nonce)?;
        let cipher = Sm4Gcm::new_from_slice(key).map_err(|_| CryptoError::Key("SM4 key length".into()))?;
        let sealed = cipher
            .encrypt(&nonce.into(), Payload { msg: plaintext.as_bytes(), aad: field.as_bytes() })
            .map_err(|_| CryptoError::Sealed)?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{SCHEME}.{id}.{}", Base64UrlUnpadded::encode_string(&bytes)))
    }

    /// Opens a value sealed for `field` by this ring (any of its keys).
    pub fn open(&self, field: &str, sealed: &str) -> Result<String, CryptoError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some(SCHEME), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CryptoError::Sealed);
        };
        let key = self.ring.keys.get(id).ok_or_else(|| CryptoError::UnknownKey(id.to_owned()))?;
        let bytes = Base64UrlUnpadded::decode_vec(data).map_err(|_| CryptoError::Sealed)?;
        if bytes.len() < NONCE + 16 {
            return Err(CryptoError::Sealed);
        }
        let (nonce, body) = bytes.split_at(NONCE);
        let nonce: [u8; NONCE] = nonce.try_into().map_err(|_| CryptoError::Sealed)?;
        let cipher = Sm4Gcm::new_from_slice(key).map_err(|_| CryptoError::Key("SM4 key length".into()))?;
        let plain = cipher
            .decrypt(&nonce.into(), Payload { msg: body, aad: field.as_bytes() })
            .map_err(|_| CryptoError::Sealed)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Sealed)
    }

    /// Whether `sealed` is under an older key than the current one (the rotation command
    /// re-seals those).
    pub fn is_stale(&self, sealed: &str) -> bool {
        sealed.split('.').nth(1) != Some(self.ring.current.as_str())
    }

    /// The blind index of `value` in `field`: hex SM3-HMAC, equal for equal values, useless
    /// without the index key.
    pub fn blind_index(&self, field: &str, value: &str) -> String {
        let mut mac =
            <Hmac<Sm3> as hmac::KeyInit>::new_from_slice(&self.ring.index_key).expect("HMAC takes any key length");
        mac.update(field.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

fn check_id(id: &str) -> Result<(), CryptoError> {
    if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(CryptoError::Key(format!("key id {id:?}: 1 to 32 of A-Z a-z 0-9 - _")));
    }
    Ok(())
}

fn unhex<const N: usize>(s: &str, line: usize) -> Result<[u8; N], CryptoError> {
    let bad = || CryptoError::Key(format!("line {line}: expected {} hex digits", N * 2));
    crate::unhex(s).and_then(|b| b.try_into().ok()).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes_gcm::aead::AeadInOut;

    fn bytes(h: &str) -> Vec<u8> {
        crate::unhex(h).unwrap()
    }

    #[test]
    fn sm4_gcm_matches_the_rfc_8998_test_vector() {
        let key = bytes("0123456789ABCDEFFEDCBA9876543210");
        let nonce: [u8; 12] = bytes("00001234567800000000ABCD").try_into().unwrap();
        let aad = bytes("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
        let plain = bytes(concat!(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD",
            "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
        ));
        let cipher = Sm4Gcm::new_from_slice(&key).unwrap();
        let mut buf = plain.clone();
        let tag = cipher.encrypt_inout_detached(&nonce.into(), &aad, buf.as_mut_slice().into()).unwrap();
        assert_eq!(
            buf,
            bytes(concat!(
                "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735",
                "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
            ))
        );
        assert_eq!(tag.to_vec(), bytes("83DE3541E4C2B58177E065A9BF7B62EC"));
    }

    #[test]
    fn sm3_matches_the_gb_t_32905_example() {
        use sm3::Digest;
        assert_eq!(hex(&Sm3::digest(b"abc")), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }

    #[test]
    fn sealed_values_open_only_for_their_field_and_unaltered() {
        let vault = Vault::new(KeyRing::generate("k1").unwrap());
        let sealed = vault.seal("person.citizen_id", "11010519491231002X").unwrap();
        assert!(sealed.starts_with("sm4gcm.k1.") && !sealed.contains("11010519491231002X"));
        assert_eq!(vault.open("person.citizen_id", &sealed).unwrap(), "11010519491231002X");
        assert_ne!(sealed, vault.seal("person.citizen_id", "11010519491231002X").unwrap(), "fresh nonce each time");
        assert_eq!(vault.open("person.phone", &sealed), Err(CryptoError::Sealed), "another field's value");
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(vault.open("person.citizen_id", &String::from_utf8(altered).unwrap()), Err(CryptoError::Sealed));
        assert_eq!(vault.open("person.citizen_id", "plain text"), Err(CryptoError::Sealed));
        let other = Vault::new(KeyRing::generate("k1").unwrap());
        assert_eq!(other.open("person.citizen_id", &sealed), Err(CryptoError::Sealed), "another ring's key k1");
    }

    #[test]
    fn rotation_seals_with_the_new_key_and_still_opens_the_old() {
        let mut ring = KeyRing::generate("2026a").unwrap();
        let old = Vault::new(ring.clone()).seal("person.phone", "13812345678").unwrap();
        ring.rotate("2026b").unwrap();
        assert!(ring.rotate("2026b").is_err(), "an id is used once");
        let vault = Vault::new(ring);
        assert!(vault.is_stale(&old));
        assert_eq!(vault.open("person.phone", &old).unwrap(), "13812345678");
        let new = vault.seal("person.phone", "13812345678").unwrap();
        assert!(new.starts_with("sm4gcm.2026b.") && !vault.is_stale(&new));
    }

    #[test]
    fn blind_indexes_are_equal_for_equal_values_and_keyed() {
        let vault = Vault::new(KeyRing::generate("k1").unwrap());
        let a = vault.blind_index("person.phone", "13812345678");
        assert_eq!(a, vault.blind_index("person.phone", "13812345678"));
        assert_eq!(a.len(), 64);
        assert_ne!(a, vault.blind_index("person.phone", "13812345679"));
        assert_ne!(a, vault.blind_index("person.citizen_id", "13812345678"), "per field");
        let other = Vault::new(KeyRing::generate("k1").unwrap());
        assert_ne!(a, other.blind_index("person.phone", "13812345678"), "per index key");
    }

    #[test]
    fn a_key_ring_survives_its_text_and_bad_text_is_refused() {
        let mut ring = KeyRing::generate("a").unwrap();
        ring.rotate("b").unwrap();
        let vault = Vault::new(ring.clone());
        let sealed = vault.seal("f", "v").unwrap();
        let again = Vault::new(KeyRing::from_text(&ring.to_text()).unwrap());
        assert_eq!(again.open("f", &sealed).unwrap(), "v");
        assert_eq!(again.blind_index("f", "v"), vault.blind_index("f", "v"));
        assert_eq!(again.ring().token_signer().unwrap().jwk(), ring.token_signer().unwrap().jwk());
        assert!(format!("{ring:?}").len() < 80, "Debug shows no key material");
        for bad in ["", "current = a\nindex = 00", "current = x\nindex = {i}\nkey a = {k}", "current = a\nkey a = {k}"]
        {
            let text = bad.replace("{i}", &"0".repeat(64)).replace("{k}", &"1".repeat(32));
            assert!(KeyRing::from_text(&text).is_err(), "{text}");
        }
        assert!(KeyRing::generate("no spaces").is_err());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_of_any_field_opens_as_sealed(field in "[a-z_.]{1,24}", text in ".{0,64}") {
            let vault = Vault::new(KeyRing::generate("k").unwrap());
            let sealed = vault.seal(&field, &text).unwrap();
            prop_assert_eq!(vault.open(&field, &sealed).unwrap(), text);
        }
    }
}
