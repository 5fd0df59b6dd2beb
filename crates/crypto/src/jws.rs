//! Signed tokens for OpenID Connect: compact JWS with EdDSA (Ed25519), and the JSON Web Key that
//! lets relying parties verify them.

use crate::{CryptoError, random};
use base64ct::{Base64UrlUnpadded, Encoding};
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};

/// The key that signs tokens, with the id relying parties find it by in the JWKS.
#[derive(Clone)]
pub struct TokenSigner {
    kid: String,
    key: SigningKey,
}

impl std::fmt::Debug for TokenSigner {
    /// Never prints the private key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner").field("kid", &self.kid).finish()
    }
}

impl TokenSigner {
    pub fn generate(kid: &str) -> Result<Self, CryptoError> {
        let mut seed = [0u8; 32];
        random(&mut seed)?;
        Ok(Self::from_seed(kid, seed))
    }

    pub fn from_seed(kid: &str, seed: [u8; 32]) -> Self {
        Self { kid: kid.to_owned(), key: SigningKey::from_bytes(&seed) }
    }

    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// `header.claims.signature`, base64url, with `alg` EdDSA and this key's `kid`.
    pub fn sign(&self, claims: &serde_json::Value) -> String {
        let header = serde_json::json!({ "alg": "EdDSA", "typ": "JWT", "kid": self.kid });
        let input = format!(
            "{}.{}",
            Base64UrlUnpadded::encode_string(header.to_string().as_bytes()),
            Base64UrlUnpadded::encode_string(claims.to_string().as_bytes())
        );
        let signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", Base64UrlUnpadded::encode_string(&signature.to_bytes()))
    }

    /// The public key as a JWK (RFC 8037: kty OKP, crv Ed25519).
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "use": "sig",
            "alg": "EdDSA",
            "kid": self.kid,
            "x": Base64UrlUnpadded::encode_string(self.key.verifying_key().as_bytes()),
        })
    }
}

/// Verifies a compact JWS against an Ed25519 JWK; the claims when the signature holds.
pub fn verify(token: &str, jwk: &serde_json::Value) -> Option<serde_json::Value> {
    let x = Base64UrlUnpadded::decode_vec(jwk.get("x")?.as_str()?).ok()?;
    let key = VerifyingKey::from_bytes(&x.try_into().ok()?).ok()?;
    let (input, signature) = token.rsplit_once('.')?;
    let signature: [u8; 64] = Base64UrlUnpadded::decode_vec(signature).ok()?.try_into().ok()?;
    key.verify(input.as_bytes(), &ed25519_dalek::Signature::from_bytes(&signature)).ok()?;
    let claims = input.split('.').nth(1)?;
    serde_json::from_slice(&Base64UrlUnpadded::decode_vec(claims).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_with_their_jwk_and_nothing_else() {
        let signer = TokenSigner::generate("k1").unwrap();
        let claims = serde_json::json!({ "sub": "abc", "aud": "client" });
        let token = signer.sign(&claims);
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(verify(&token, &signer.jwk()), Some(claims));
        let other = TokenSigner::generate("k1").unwrap();
        assert_eq!(verify(&token, &other.jwk()), None, "another key");
        let forged = format!("{}x", &token[..token.len() - 1]);
        assert_eq!(verify(&forged, &signer.jwk()), None, "a changed signature");
        let again = TokenSigner::from_seed("k1", signer.seed());
        assert_eq!(again.jwk(), signer.jwk());
    }

    #[test]
    fn rfc_8037_test_key_gives_its_public_key() {
        // RFC 8037 appendix A.1/A.2: the private seed and its public key x.
        let seed = Base64UrlUnpadded::decode_vec("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A").unwrap();
        let signer = TokenSigner::from_seed("rfc", seed.try_into().unwrap());
        assert_eq!(signer.jwk()["x"], "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    }
}
