//! Unified identity on the backend `TEST_DATABASE_URL` selects (SQLite by default, PostgreSQL in
//! CI): registration rules, login by id number or phone, lockout, throttling, sessions and their
//! timeouts, real-name verification against the registry, key rotation — and that the raw tables
//! hold no plaintext id number or phone.

use chrono::Duration;
use std::sync::Arc;
use tongban_app::identity::{self, Client, Identity, NewPerson, Policy};
use tongban_app::notify::DevOutbox;
use tongban_app::{App, AppError};
use tongban_crypto::{KeyRing, PasswordParams};
use tongban_domain::codes::citizen_id_check_char;
use tongban_domain::identity::{Assurance, Lockout};
use tongban_store::testing::{TestStore, fresh_store, raw_rows};

const FAST: PasswordParams = PasswordParams { memory_kib: 64, passes: 1, lanes: 1 };

/// A valid citizen id born on 1990-03-07 in Beijing Dongcheng with sequence `seq`.
fn citizen_id(seq: u32) -> String {
    let first17 = format!("11010119900307{seq:03}");
    format!("{first17}{}", citizen_id_check_char(&first17))
}

async fn app_with(policy: Policy) -> (App, TestStore) {
    let (app, t, _) = app_with_sms(policy).await;
    (app, t)
}

async fn app_with_sms(policy: Policy) -> (App, TestStore, Arc<DevOutbox>) {
    let t = fresh_store().await;
    let identity = Identity::new(KeyRing::generate("t1").unwrap(), policy, FAST).unwrap();
    let app = App::open(&t.target, tongban_app::catalog::IndexLocation::None, identity).await.unwrap();
    let sms = app.notify.dev().expect("the development outbox").clone();
    (app, t, sms)
}

fn person(seq: u32, phone: &str) -> NewPerson {
    NewPerson {
        name: "张三".into(),
        citizen_id: citizen_id(seq),
        phone: phone.into(),
        email: Some("zhangsan@example.cn".into()),
        password: "Tongban-2026".into(),
    }
}

fn client(address: &str) -> Client {
    Client { address: address.into(), user_agent: "test".into() }
}

fn fields(e: AppError) -> Vec<String> {
    match e {
        AppError::Validation { fields } => fields.into_keys().collect(),
        e => panic!("expected a validation error, got {e:?}"),
    }
}

#[tokio::test]
async fn registration_names_each_bad_field_and_refuses_taken_numbers() {
    let (app, _t) = app_with(Policy::default()).await;
    let bad = NewPerson {
        name: "张".into(),
        citizen_id: "11010519491231002Y".into(),
        phone: "12345".into(),
        email: Some("nobody".into()),
        password: "short".into(),
    };
    let mut named = fields(identity::register(&app, bad, &Client::default()).await.unwrap_err());
    named.sort();
    assert_eq!(named, ["citizen_id", "email", "name", "password", "phone"]);
    let weak = NewPerson { password: format!("x{}", citizen_id(1)), ..person(1, "13812345678") };
    assert_eq!(fields(identity::register(&app, weak, &Client::default()).await.unwrap_err()), ["password"]);

    let me = identity::register(&app, person(1, "13812345678"), &Client::default()).await.unwrap();
    assert_eq!((me.citizen_id_masked.as_str(), me.phone_masked.as_str()), ("1101**********0011", "138****5678"));
    assert_eq!(me.assurance, Assurance::L1);
    // A taken number is refused without saying which of the two, or whose.
    let same_id = identity::register(&app, person(1, "13912345678"), &Client::default()).await.unwrap_err();
    assert!(matches!(same_id, AppError::Conflict { field: "", .. }), "{same_id:?}");
    let same_phone = identity::register(&app, person(2, "+86 138-1234-5678"), &Client::default()).await.unwrap_err();
    assert_eq!(same_phone.to_string(), same_id.to_string());
}

#[tokio::test]
async fn login_by_id_or_phone_and_wrong_passwords_lock_the_account() {
    let policy = Policy { lockout: Lockout { max_failures: 3, lock_minutes: 15 }, ..Policy::default() };
    let (app, _t) = app_with(policy).await;
    identity::register(&app, person(1, "13812345678"), &Client::default()).await.unwrap();
    let here = client("10.0.0.1");

    let by_id = identity::login(&app, &citizen_id(1).to_lowercase(), "Tongban-2026", None, &here).await.unwrap();
    let by_phone = identity::login(&app, "138 1234 5678", "Tongban-2026", None, &here).await.unwrap();
    assert_eq!(by_id.principal.person_id, by_phone.principal.person_id);
    assert_ne!(by_id.token, by_phone.token);
    for nobody in ["13900000000", &citizen_id(9), "not an id"] {
        assert!(matches!(identity::login(&app, nobody, "Tongban-2026", None, &here).await, Err(AppError::LoginFailed)));
    }

    for _ in 0..2 {
        assert!(matches!(
            identity::login(&app, "13812345678", "wrong-2026", None, &here).await,
            Err(AppError::LoginFailed)
        ));
    }
    // The third wrong password locks, answering as any wrong password does (so as an account that
    // does not exist); then even the right one is refused, and only it learns of the lock.
    for _ in 0..2 {
        assert!(matches!(
            identity::login(&app, "13812345678", "wrong-2026", None, &here).await,
            Err(AppError::LoginFailed)
        ));
    }
    let locked = identity::login(&app, "13812345678", "Tongban-2026", None, &here).await.unwrap_err();
    assert!(matches!(locked, AppError::Locked { .. }), "{locked:?}");
}

#[tokio::test]
async fn one_address_is_throttled_whatever_the_accounts() {
    let policy = Policy { attempts_per_minute: 3, ..Policy::default() };
    let (app, _t) = app_with(policy).await;
    for _ in 0..3 {
        assert!(matches!(
            identity::login(&app, "13900000000", "x", None, &client("10.0.0.2")).await,
            Err(AppError::LoginFailed)
        ));
    }
    assert!(matches!(
        identity::login(&app, "13900000001", "x", None, &client("10.0.0.2")).await,
        Err(AppError::RateLimited)
    ));
    assert!(matches!(
        identity::login(&app, "13900000001", "x", None, &client("10.0.0.3")).await,
        Err(AppError::LoginFailed)
    ));
}

#[tokio::test]
async fn sessions_are_listed_revoked_and_only_by_their_owner() {
    let (app, _t) = app_with(Policy::default()).await;
    identity::register(&app, person(1, "13812345678"), &Client::default()).await.unwrap();
    identity::register(&app, person(2, "13912345678"), &Client::default()).await.unwrap();
    let a1 = identity::login(&app, "13812345678", "Tongban-2026", None, &client("10.0.0.1")).await.unwrap();
    let a2 = identity::login(&app, "13812345678", "Tongban-2026", None, &client("10.0.0.9")).await.unwrap();
    let b = identity::login(&app, "13912345678", "Tongban-2026", None, &client("10.0.0.5")).await.unwrap();

    let who = identity::authenticate(&app, &a1.token).await.unwrap().expect("live session");
    assert_eq!(who, a1.principal);
    assert_eq!(identity::authenticate(&app, "forged-token").await.unwrap(), None);
    let listed = identity::sessions(&app, &who).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|s| s.id != b.principal.session_id), "never another person's session");

    let not_mine = identity::revoke(&app, &who, &b.principal.session_id).await.unwrap_err();
    assert!(matches!(not_mine, AppError::NotFound { .. }));
    assert!(identity::authenticate(&app, &b.token).await.unwrap().is_some(), "B's session untouched");

    identity::revoke(&app, &who, &a2.principal.session_id).await.unwrap();
    assert_eq!(identity::authenticate(&app, &a2.token).await.unwrap(), None);
    identity::logout(&app, &who).await.unwrap();
    assert_eq!(identity::authenticate(&app, &a1.token).await.unwrap(), None);
}

#[tokio::test]
async fn sessions_end_after_the_idle_and_the_absolute_timeout() {
    for policy in [
        Policy { session_idle: Duration::zero(), ..Policy::default() },
        Policy { session_absolute: Duration::zero(), ..Policy::default() },
    ] {
        let (app, _t) = app_with(policy).await;
        identity::register(&app, person(1, "13812345678"), &Client::default()).await.unwrap();
        let s = identity::login(&app, "13812345678", "Tongban-2026", None, &client("10.0.0.1")).await.unwrap();
        assert_eq!(identity::authenticate(&app, &s.token).await.unwrap(), None);
    }
}

#[tokio::test]
async fn the_registry_raises_a_matching_person_to_l2_and_nothing_is_stored_in_plaintext() {
    let (app, t) = app_with(Policy::default()).await;
    let text = format!("name,citizen_id\n张三,{}\n李四,{}\n王五,123\n", citizen_id(1), citizen_id(2));
    let report = identity::import_registry(&app, &text).await.unwrap();
    assert_eq!(report.loaded, 2);
    assert_eq!(report.rejected.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [4]);

    identity::register(&app, person(1, "13812345678"), &Client::default()).await.unwrap();
    identity::register(&app, person(2, "13912345678"), &Client::default()).await.unwrap();
    let zhang = identity::login(&app, "13812345678", "Tongban-2026", None, &client("a")).await.unwrap().principal;
    assert_eq!(identity::verify_real_name(&app, &zhang).await.unwrap(), Assurance::L2);
    // The second account says 张三 but the registry has 李四 under that number.
    let other = identity::login(&app, "13912345678", "Tongban-2026", None, &client("a")).await.unwrap().principal;
    assert_eq!(fields(identity::verify_real_name(&app, &other).await.unwrap_err()), ["name"]);
    assert_eq!(identity::me(&app, &other).await.unwrap().assurance, Assurance::L1);

    // The scan sees the stored text: names are kept in the clear (they are masked on display).
    assert!(raw_rows(&app.store, "persons").await.iter().any(|r| r.contains("张三")));
    for table in ["persons", "sessions", "registry_people"] {
        let rows = raw_rows(&app.store, table).await;
        assert!(!rows.is_empty(), "{table} has rows");
        for row in rows {
            for secret in [citizen_id(1), citizen_id(2), "13812345678".into(), "zhangsan@example.cn".into()] {
                assert!(!row.contains(&secret), "{table} holds {secret} in plaintext: {row}");
            }
            assert!(!row.contains("李四"), "{table} holds a registry name: {row}");
        }
    }
    drop(t);
}

#[tokio::test]
async fn rotation_reseals_under_the_new_key_and_everything_still_opens() {
    let (app, _t) = app_with(Policy::default()).await;
    identity::register(&app, person(1, "13812345678"), &Client::default()).await.unwrap();
    let mut ring = app.vault.ring().clone();
    ring.rotate("t2").unwrap();
    let identity = Identity::new(ring, Policy::default(), FAST).unwrap();
    let rotated = App { vault: identity.vault(), identity: Arc::new(identity), ..app.clone() };
    assert_eq!(identity::reseal(&rotated).await.unwrap(), 1);
    assert_eq!(identity::reseal(&rotated).await.unwrap(), 0, "nothing left under the old key");
    let rows = raw_rows(&app.store, "persons").await;
    assert!(rows[0].contains("sm4gcm.t2.") && !rows[0].contains("sm4gcm.t1."), "{}", rows[0]);
    let who = identity::login(&rotated, &citizen_id(1), "Tongban-2026", None, &client("a")).await.unwrap().principal;
    assert_eq!(identity::me(&rotated, &who).await.unwrap().phone_masked, "138****5678");
}

#[tokio::test]
async fn a_code_sent_to_the_phone_raises_a_verified_person_to_l3() {
    let (app, _t, sms) = app_with_sms(Policy::default()).await;
    identity::import_registry(&app, &format!("张三,{}", citizen_id(1))).await.unwrap();
    identity::register(&app, person(1, "13812345678"), &Client::default()).await.unwrap();
    let who = identity::login(&app, "13812345678", "Tongban-2026", None, &client("a")).await.unwrap().principal;

    assert_eq!(fields(identity::send_phone_code(&app, &who).await.unwrap_err()), ["assurance"], "L2 first");
    identity::verify_real_name(&app, &who).await.unwrap();
    identity::send_phone_code(&app, &who).await.unwrap();
    assert!(matches!(identity::send_phone_code(&app, &who).await, Err(AppError::RateLimited)), "one a minute");
    let sent = sms.sms();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].phone, "13812345678");
    let code: String = sent[0].text.chars().filter(char::is_ascii_digit).take(6).collect();
    assert_eq!(code.len(), 6, "{}", sent[0].text);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(fields(identity::confirm_phone_code(&app, &who, wrong).await.unwrap_err()), ["code"]);
    assert_eq!(identity::confirm_phone_code(&app, &who, &code).await.unwrap(), Assurance::L3);
    assert_eq!(identity::me(&app, &who).await.unwrap().assurance, Assurance::L3);
    assert_eq!(fields(identity::confirm_phone_code(&app, &who, &code).await.unwrap_err()), ["code"], "used once");
    for row in raw_rows(&app.store, "one_time_codes").await {
        assert!(!row.contains(&code), "codes are stored as digests: {row}");
    }
}

#[tokio::test]
async fn a_phone_code_dies_after_five_wrong_tries() {
    let (app, _t, sms) = app_with_sms(Policy::default()).await;
    identity::import_registry(&app, &format!("张三,{}", citizen_id(1))).await.unwrap();
    identity::register(&app, person(1, "13812345678"), &Client::default()).await.unwrap();
    let who = identity::login(&app, "13812345678", "Tongban-2026", None, &client("a")).await.unwrap().principal;
    identity::verify_real_name(&app, &who).await.unwrap();
    identity::send_phone_code(&app, &who).await.unwrap();
    let code: String = sms.sms()[0].text.chars().filter(char::is_ascii_digit).take(6).collect();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let e = identity::confirm_phone_code(&app, &who, wrong).await.unwrap_err();
        assert!(format!("{e:?}").contains("不正确"), "each of the five tries is a wrong code: {e:?}");
    }
    let dead = identity::confirm_phone_code(&app, &who, &code).await.unwrap_err();
    assert!(format!("{dead:?}").contains("失效"), "{dead:?}");
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_a_code_to_the_phone_and_every_session_ends() {
    let policy = Policy { lockout: Lockout { max_failures: 2, lock_minutes: 15 }, ..Policy::default() };
    let (app, _t, sms) = app_with_sms(policy).await;
    identity::register(&app, person(1, "13812345678"), &Client::default()).await.unwrap();
    let here = client("10.0.0.1");
    let before = identity::login(&app, "13812345678", "Tongban-2026", None, &here).await.unwrap();
    for _ in 0..2 {
        let _ = identity::login(&app, "13812345678", "wrong-2026", None, &here).await;
    }
    assert!(matches!(
        identity::login(&app, "13812345678", "Tongban-2026", None, &here).await,
        Err(AppError::Locked { .. })
    ));

    // Unknown accounts get the same answer, and no text.
    identity::request_password_reset(&app, "13900000000", &here).await.unwrap();
    assert!(sms.sms().is_empty());
    identity::request_password_reset(&app, &citizen_id(1), &here).await.unwrap();
    identity::request_password_reset(&app, &citizen_id(1), &here).await.unwrap();
    assert_eq!(sms.sms().len(), 1, "one text a minute, the second request answered alike");
    let code: String = sms.sms()[0].text.chars().filter(char::is_ascii_digit).take(6).collect();

    let weak = identity::reset_password(&app, "13812345678", &code, "short", &here).await.unwrap_err();
    assert_eq!(fields(weak), ["password"]);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = identity::reset_password(&app, "13812345678", wrong, "New-Password-2027", &here).await;
    assert_eq!(fields(refused.unwrap_err()), ["code"]);
    identity::reset_password(&app, "13812345678", &code, "New-Password-2027", &here).await.unwrap();

    assert_eq!(identity::authenticate(&app, &before.token).await.unwrap(), None, "old sessions end");
    assert!(matches!(
        identity::login(&app, "13812345678", "Tongban-2026", None, &here).await,
        Err(AppError::LoginFailed)
    ));
    identity::login(&app, "13812345678", "New-Password-2027", None, &here).await.expect("the lock is lifted");
    let again = identity::reset_password(&app, "13812345678", &code, "Other-Password-2027", &here).await;
    assert_eq!(fields(again.unwrap_err()), ["code"], "a code is used once");
}

#[tokio::test]
async fn with_the_second_factor_on_a_login_needs_a_fresh_authenticator_code() {
    let (app, _t) = app_with(Policy::default()).await;
    identity::register(&app, person(1, "13812345678"), &Client::default()).await.unwrap();
    let here = client("10.0.0.1");
    let who = identity::login(&app, "13812345678", "Tongban-2026", None, &here).await.unwrap().principal;
    let now = || chrono::Utc::now().timestamp() as u64;
    let code = |secret: &str| tongban_crypto::totp::now_code(secret, now()).unwrap();
    // Codes one step before and after now are accepted too (clock drift); each step once.
    let earlier = |secret: &str| tongban_crypto::totp::now_code(secret, now() - 30).unwrap();
    let later = |secret: &str| tongban_crypto::totp::now_code(secret, now() + 30).unwrap();

    let setup = identity::begin_totp(&app, &who).await.unwrap();
    assert!(setup.uri.contains(&setup.secret) && setup.uri.contains("138%2A%2A%2A%2A5678"), "{}", setup.uri);
    let wrong = if code(&setup.secret) == "000000" { "111111" } else { "000000" };
    assert_eq!(fields(identity::confirm_totp(&app, &who, wrong).await.unwrap_err()), ["totp"]);
    // Until confirmed, logins need no code.
    identity::login(&app, "13812345678", "Tongban-2026", None, &here).await.unwrap();
    identity::confirm_totp(&app, &who, &earlier(&setup.secret)).await.unwrap();
    assert!(identity::me(&app, &who).await.unwrap().second_factor);
    let again = identity::begin_totp(&app, &who).await.unwrap_err();
    assert_eq!(fields(again), ["totp"], "a new secret only after turning it off");

    let without = identity::login(&app, "13812345678", "Tongban-2026", None, &here).await.unwrap_err();
    assert!(matches!(without, AppError::SecondFactorRequired), "{without:?}");
    let bad = identity::login(&app, "13812345678", "Tongban-2026", Some(wrong), &here).await.unwrap_err();
    assert_eq!(fields(bad), ["totp"]);
    let good = code(&setup.secret);
    identity::login(&app, "13812345678", "Tongban-2026", Some(&good), &here).await.unwrap();
    let replay = identity::login(&app, "13812345678", "Tongban-2026", Some(&good), &here).await.unwrap_err();
    assert_eq!(fields(replay), ["totp"], "a code is accepted once");
    assert!(matches!(
        identity::login(&app, "13812345678", "wrong-2026", Some(&good), &here).await,
        Err(AppError::LoginFailed)
    ));

    for row in raw_rows(&app.store, "persons").await {
        assert!(!row.contains(&setup.secret), "the secret is sealed: {row}");
    }
    identity::disable_totp(&app, &who, &later(&setup.secret)).await.unwrap();
    identity::login(&app, "13812345678", "Tongban-2026", None, &here).await.expect("no code needed any more");
}

#[tokio::test]
async fn wrong_authenticator_codes_count_toward_the_lock() {
    let policy = Policy { lockout: Lockout { max_failures: 3, lock_minutes: 15 }, ..Policy::default() };
    let (app, _t) = app_with(policy).await;
    identity::register(&app, person(1, "13812345678"), &Client::default()).await.unwrap();
    let here = client("10.0.0.1");
    let who = identity::login(&app, "13812345678", "Tongban-2026", None, &here).await.unwrap().principal;
    let setup = identity::begin_totp(&app, &who).await.unwrap();
    let now = chrono::Utc::now().timestamp() as u64;
    let current = tongban_crypto::totp::now_code(&setup.secret, now).unwrap();
    identity::confirm_totp(&app, &who, &current).await.unwrap();
    let wrong = if current == "000000" { "111111" } else { "000000" };
    for _ in 0..2 {
        let e = identity::login(&app, "13812345678", "Tongban-2026", Some(wrong), &here).await.unwrap_err();
        assert_eq!(fields(e), ["totp"]);
    }
    let third = identity::login(&app, "13812345678", "Tongban-2026", Some(wrong), &here).await.unwrap_err();
    assert_eq!(fields(third), ["totp"], "the third locks, answering as the others");
    let now = chrono::Utc::now().timestamp() as u64;
    let right = tongban_crypto::totp::now_code(&setup.secret, now).unwrap();
    let locked = identity::login(&app, "13812345678", "Tongban-2026", Some(&right), &here).await.unwrap_err();
    assert!(matches!(locked, AppError::Locked { .. }), "{locked:?}");
}

#[tokio::test]
async fn parallel_wrong_passwords_all_count() {
    let policy = Policy { lockout: Lockout { max_failures: 4, lock_minutes: 15 }, ..Policy::default() };
    let (app, _t) = app_with(policy).await;
    identity::register(&app, person(1, "13812345678"), &Client::default()).await.unwrap();
    let tries = (0..4).map(|i| {
        let app = app.clone();
        async move { identity::login(&app, "13812345678", "wrong-2026", None, &client(&format!("10.0.1.{i}"))).await }
    });
    let outcomes = futures_join_all(tries).await;
    assert!(outcomes.iter().all(Result::is_err));
    let after = identity::login(&app, "13812345678", "Tongban-2026", None, &client("10.0.2.1")).await.unwrap_err();
    assert!(matches!(after, AppError::Locked { .. }), "four parallel failures lock: {after:?}");
}

/// Runs the futures concurrently on the test's runtime.
async fn futures_join_all<T: Send + 'static>(
    futures: impl Iterator<Item = impl std::future::Future<Output = T> + Send + 'static>,
) -> Vec<T> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn demo_identities_come_only_with_the_demo_and_go_with_demo_remove() {
    let (app, _t) = app_with(Policy::default()).await;
    // 张三 of datasets/registry/demo.csv.
    let zhang = NewPerson {
        name: "张三".into(),
        citizen_id: "110101199003070011".into(),
        phone: "13812345678".into(),
        email: None,
        password: "Tongban-2026".into(),
    };
    identity::register(&app, zhang, &Client::default()).await.unwrap();
    let who = identity::login(&app, "13812345678", "Tongban-2026", None, &client("a")).await.unwrap().principal;
    assert!(identity::verify_real_name(&app, &who).await.is_err(), "no demo registry without the demo");
    let seeded = tongban_app::demo::seed(&app).await.unwrap();
    assert!(seeded.people > 0 && seeded.organizations > 0 && seeded.offerings > 0, "{seeded:?}");
    assert_eq!(tongban_app::demo::seed(&app).await.unwrap(), Default::default(), "loaded once");
    let (people, organizations) = tongban_app::demo::remove(&app).await.unwrap();
    assert_eq!((people, organizations), (seeded.people as u64, seeded.organizations as u64));
    assert!(identity::verify_real_name(&app, &who).await.is_err(), "the demo identity is gone");
    // A registry replaced whole keeps only the file's entries; a file with a bad line changes nothing.
    identity::import_registry(&app, &format!("王五,{}", citizen_id(5))).await.unwrap();
    let bad = identity::replace_registry(&app, "张三,110101199003070011\n赵六,not-an-id").await.unwrap();
    assert_eq!((bad.loaded, bad.rejected.len()), (0, 1));
    let report = identity::replace_registry(&app, "张三,110101199003070011").await.unwrap();
    assert_eq!(report.loaded, 1);
    assert_eq!(app.store.registry_count().await.unwrap(), 1, "王五 replaced");
    identity::verify_real_name(&app, &who).await.unwrap();
}
