//! What travels with a licence to verifiers: its seal, the trust list of issuer keys, the status
//! list, and the annotated copy (加注件) of one use.

use super::{Licence, LicenceStatus};
use serde::{Deserialize, Serialize};

/// A licence with its seal, as exported: enough to verify it anywhere against a trust list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedLicence {
    pub licence: Licence,
    pub seal: Seal,
}

/// The issuing agency's signature over `Licence::canonical`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Seal {
    /// `SM2-SM3`.
    pub algorithm: String,
    pub key_id: String,
    /// Hex r‖s.
    pub signature: String,
}

/// An issuer key on the trust list (可信证照签发机构公钥列表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrustedKey {
    pub agency_code: String,
    pub agency_name: String,
    pub key_id: String,
    /// Hex of the uncompressed SEC1 point.
    pub public_key: String,
    pub algorithm: String,
    /// When the key was retired (RFC 3339, China time): what it sealed before stays trusted, a
    /// licence it sealed dated after that day is not. Absent while the key is current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<String>,
}

/// The trust list: every issuer key, signed by the platform's root key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrustList {
    pub issued_at: String,
    pub keys: Vec<TrustedKey>,
    pub root_key_id: String,
    pub root_public_key: String,
    /// Hex r‖s over `TrustList::canonical`.
    pub signature: String,
}

impl TrustList {
    /// The bytes the root key signs: everything but the signature, as JSON in field order.
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(&(&self.issued_at, &self.keys, &self.root_key_id, &self.root_public_key)).unwrap_or_default()
    }
}

/// One licence on the status list: any status but 01 有效.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusEntry {
    pub licence_id: String,
    pub status: String,
}

/// The published status list (证照状态列表): the licences that are not valid, signed by the
/// platform's root key, so that offline verifiers learn of suspensions and revocations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusList {
    pub issued_at: String,
    pub entries: Vec<StatusEntry>,
    pub root_key_id: String,
    /// Hex r‖s over `StatusList::canonical`.
    pub signature: String,
}

impl StatusList {
    /// The bytes the root key signs: everything but the signature, as JSON in field order.
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(&(&self.issued_at, &self.entries, &self.root_key_id)).unwrap_or_default()
    }

    /// The status of `licence_id` the list gives (not listed: 01 有效; listed with a code unknown
    /// here: 99 其他, never valid).
    pub fn status_of(&self, licence_id: &str) -> LicenceStatus {
        match self.entries.iter().find(|e| e.licence_id == licence_id) {
            None => LicenceStatus::Valid,
            Some(e) => LicenceStatus::parse(&e.status).unwrap_or(LicenceStatus::Other),
        }
    }
}

/// What an annotated copy (加注件) is stamped with: one use of one sealed licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Annotation {
    pub use_id: String,
    pub licence_id: String,
    /// The licence seal's signature: binds the annotation to that sealed licence.
    pub licence_signature: String,
    /// 用证事由.
    pub use_reason: String,
    pub using_agency_name: String,
    pub using_agency_code: String,
    pub application_id: String,
    pub material: String,
    /// RFC 3339, China time (+08:00).
    pub annotated_at: String,
    /// RFC 3339, China time: the copy serves this use until then.
    pub expires_at: String,
}

impl Annotation {
    /// The bytes the platform's seal signs: the fields in their order, as JSON.
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// 加注件: a sealed licence with the annotation of one use, sealed by the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnnotatedCopy {
    pub licence: SignedLicence,
    pub annotation: Annotation,
    /// The platform's signature over `Annotation::canonical`.
    pub seal: Seal,
}
