//! Electronic licences (电子证照): a licence sealed by its issuing agency's key, the trust list of
//! issuer keys signed by the platform's root key, and the check of a sealed licence against a
//! trust list — the same check on the server and offline (`tongban licence verify`).

use tongban_crypto::seal::{self, ALGORITHM, Signer};
use tongban_domain::LicenceId;
use tongban_domain::licences::{Licence, Seal, SignedLicence, TrustList, TrustedKey};

/// Seals `licence` with `signer`, the issuing agency's key.
pub fn seal_licence(signer: &dyn Signer, licence: Licence) -> Result<SignedLicence, crate::AppError> {
    let signature = signer.sign(&licence.canonical()).map_err(crate::AppError::internal)?;
    Ok(SignedLicence { seal: Seal { algorithm: ALGORITHM.into(), key_id: signer.key_id().into(), signature }, licence })
}

/// A trust list of `keys`, signed by `root`.
pub fn sign_trust_list(
    root: &dyn Signer,
    issued_at: &str,
    keys: Vec<TrustedKey>,
) -> Result<TrustList, crate::AppError> {
    let mut list = TrustList {
        issued_at: issued_at.into(),
        keys,
        root_key_id: root.key_id().into(),
        root_public_key: root.public_key(),
        signature: String::new(),
    };
    list.signature = root.sign(&list.canonical()).map_err(crate::AppError::internal)?;
    Ok(list)
}

/// Checks a sealed licence against `trust`: the list's own signature, the identifier (its check
/// character, and that it names this licence's type, issuer and version), the issuer key on the
/// list, and the seal over the licence's canonical form. The key that sealed it, or why not (in
/// Chinese and English).
pub fn verify_sealed<'t>(signed: &SignedLicence, trust: &'t TrustList) -> Result<&'t TrustedKey, String> {
    if !seal::verify(&trust.root_public_key, &trust.canonical(), &trust.signature) {
        return Err("信任列表的签名无效 (the trust list's signature is not valid)".into());
    }
    let l = &signed.licence;
    let id = LicenceId::parse(&l.id).map_err(|e| format!("证照标识无效 (the identifier is not valid): {e}"))?;
    if id.type_code() != l.type_code || id.issuer_code() != l.issuer_code || id.version() != l.version {
        return Err("证照标识与证照内容不符 (the identifier does not match the licence)".into());
    }
    if signed.seal.algorithm != ALGORITHM {
        return Err(format!("不支持的签名算法 (unsupported algorithm): {}", signed.seal.algorithm));
    }
    let key = trust.key(&l.issuer_code, &signed.seal.key_id).ok_or_else(|| {
        format!(
            "签发机构的密钥 {} 不在信任列表中 (the issuer key {} is not on the trust list)",
            signed.seal.key_id, signed.seal.key_id
        )
    })?;
    if !seal::verify(&key.public_key, &l.canonical(), &signed.seal.signature) {
        return Err(
            "签章与证照内容不符：证照被改动或签章被替换 (the seal does not match: the licence was altered)".into()
        );
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use tongban_crypto::seal::SoftwareSeal;
    use tongban_domain::licences::{HOLDER_CITIZEN, licence_type, new_id};

    fn licence() -> Licence {
        let t = licence_type("营业执照").unwrap();
        Licence {
            id: new_id(t.code, "1111010143783071XP", "1", 1).unwrap().as_str().to_owned(),
            number: "1".into(),
            name: t.name.into(),
            version: 1,
            type_name: t.name.into(),
            type_code: t.code.into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            issuer_name: "北京市东城区市场监督管理局".into(),
            issuer_code: "1111010143783071XP".into(),
            definer_name: t.definer_name.into(),
            definer_code: t.definer_code.into(),
            valid_from: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            valid_to: None,
            division_code: "110101".into(),
            holder_name: "张三".into(),
            holder_code: "110101199003070011".into(),
            holder_code_type: HOLDER_CITIZEN.into(),
            item_name: "个体工商户设立登记".into(),
            item_code: "000105001000".into(),
            extension: serde_json::json!({}),
            predecessor: None,
        }
    }

    fn trusted(seal: &SoftwareSeal) -> TrustedKey {
        TrustedKey {
            agency_code: "1111010143783071XP".into(),
            agency_name: "北京市东城区市场监督管理局".into(),
            key_id: seal.key_id().into(),
            public_key: seal.public_key(),
            algorithm: ALGORITHM.into(),
        }
    }

    #[test]
    fn a_sealed_licence_verifies_and_every_kind_of_tampering_is_named() {
        let (issuer, root) = (SoftwareSeal::generate("dc-1").unwrap(), SoftwareSeal::generate("root-1").unwrap());
        let trust = sign_trust_list(&root, "2026-11-25T00:00:00Z", vec![trusted(&issuer)]).unwrap();
        let signed = seal_licence(&issuer, licence()).unwrap();
        assert_eq!(verify_sealed(&signed, &trust).unwrap().key_id, "dc-1");

        let mut altered = signed.clone();
        altered.licence.holder_name = "李四".into();
        assert!(verify_sealed(&altered, &trust).unwrap_err().contains("altered"));
        let mut forged = signed.clone();
        forged.seal = seal_licence(&SoftwareSeal::generate("dc-1").unwrap(), licence()).unwrap().seal;
        assert!(verify_sealed(&forged, &trust).is_err(), "a key of the same name that is not on the list");
        let mut unknown = signed.clone();
        unknown.seal.key_id = "dc-9".into();
        assert!(verify_sealed(&unknown, &trust).unwrap_err().contains("not on the trust list"));
        let mut renumbered = signed.clone();
        renumbered.licence.version = 2;
        assert!(verify_sealed(&renumbered, &trust).unwrap_err().contains("identifier"));
        let mut list = trust.clone();
        list.keys.push(trusted(&SoftwareSeal::generate("evil").unwrap()));
        assert!(verify_sealed(&signed, &list).unwrap_err().contains("trust list"));
    }
}
