//! `tongban licence verify` with no server: an exported licence against a trust list and a
//! status list, every changed byte caught.

mod common;
use common::run;

#[test]
fn licence_verify_offline_passes_a_sealed_licence_and_fails_on_one_changed_byte() {
    use tongban_crypto::seal::{ALGORITHM, Signer, SoftwareSeal};
    use tongban_domain::licences::{TrustedKey, testing::sample};
    let dir = tempfile::tempdir().unwrap();
    let (issuer, root) = (SoftwareSeal::generate("dc-1").unwrap(), SoftwareSeal::generate("root-1").unwrap());
    let key = TrustedKey {
        agency_code: "1111010143783071XP".into(),
        agency_name: "北京市东城区市场监督管理局".into(),
        key_id: issuer.key_id().into(),
        public_key: issuer.public_key(),
        algorithm: ALGORITHM.into(),
        retired_at: None,
    };
    let trust = tongban_app::licences::sign_trust_list(&root, "2026-11-25T00:00:00Z", vec![key]).unwrap();
    let signed = tongban_app::licences::seal_licence(&issuer, sample()).unwrap();
    let (file, list) = (dir.path().join("licence.json"), dir.path().join("trust.json"));
    let bytes = serde_json::to_vec_pretty(&signed).unwrap();
    std::fs::write(&file, &bytes).unwrap();
    std::fs::write(&list, serde_json::to_vec(&trust).unwrap()).unwrap();
    let verify = || run(dir.path(), &["licence", "verify", "licence.json", "--trust-list", "trust.json"]);
    let o = verify();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("真实 (authentic)"));

    // With the signed status list: a revoked licence is authentic but not valid (exit 3); a list
    // not signed by the trust list's root is refused.
    let mut statuses = tongban_domain::licences::StatusList {
        issued_at: "2026-11-25T00:00:00Z".into(),
        entries: vec![tongban_domain::licences::StatusEntry {
            licence_id: signed.licence.id.clone(),
            status: "07".into(),
        }],
        root_key_id: root.key_id().into(),
        signature: String::new(),
    };
    statuses.signature = root.sign(&statuses.canonical()).unwrap();
    std::fs::write(dir.path().join("status.json"), serde_json::to_vec(&statuses).unwrap()).unwrap();
    let with_status = || {
        run(
            dir.path(),
            &["licence", "verify", "licence.json", "--trust-list", "trust.json", "--status-list", "status.json"],
        )
    };
    let o = with_status();
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains("07 吊销"));
    statuses.entries.clear();
    std::fs::write(dir.path().join("status.json"), serde_json::to_vec(&statuses).unwrap()).unwrap();
    assert_ne!(with_status().status.code(), Some(0), "entries removed after signing");

    // One byte of the holder's id number changed: the seal no longer matches.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let at = text.find("110101199003070011").unwrap() + 17;
    let mut changed = bytes.clone();
    changed[at] = if changed[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&file, &changed).unwrap();
    let o = verify();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("altered"), "{}", String::from_utf8_lossy(&o.stdout));
    // Any single byte: a changed byte breaks either the JSON or the seal.
    for at in (0..bytes.len()).step_by(97) {
        let mut changed = bytes.clone();
        changed[at] ^= 0x01;
        std::fs::write(&file, &changed).unwrap();
        assert_eq!(verify().status.code(), Some(1), "byte {at} changed");
    }
}
