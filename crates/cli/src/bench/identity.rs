//! `tongban bench identity`: password logins per second with the production Argon2id parameters,
//! through the whole login use case (look-up by blind index, verification, lockout bookkeeping,
//! a new session row) on embedded SQLite, set against Keycloak's published sizing.

use super::{summary, throughput};
use std::time::{Duration, Instant};
use tongban_app::App;
use tongban_app::catalog::IndexLocation;
use tongban_app::identity::{self, Client, Identity, NewPerson, Policy};
use tongban_crypto::{KeyRing, PasswordHasher, PasswordParams};
use tongban_domain::codes::citizen_id_check_char;

/// Keycloak's sizing guide: password-based logins and client-credential grants per second one
/// vCPU sustains.
const KEYCLOAK_LOGINS_PER_VCPU: f64 = 15.0;
const KEYCLOAK_GRANTS_PER_VCPU: f64 = 120.0;

pub struct Options {
    pub logins: usize,
    pub clients: usize,
    pub seconds: u64,
}

const PASSWORD: &str = "Bench-2026-password";

fn phone(n: usize) -> String {
    format!("139{n:08}")
}

pub async fn run(o: Options) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let params = PasswordParams::default();
    println!("machine: {cores} cores; Argon2id m={} KiB t={} p={}", params.memory_kib, params.passes, params.lanes);

    // The hash alone, from every core: the ceiling for logins.
    let hasher = PasswordHasher::new(params)?;
    let phc = hasher.hash(PASSWORD)?;
    let verifies = throughput(o.clients, Duration::from_secs(o.seconds), move |_| {
        if hasher.verify(PASSWORD, &phc) { Ok(()) } else { Err("verify failed".into()) }
    });
    println!("Argon2id verifications ({} threads, {} s): {verifies:.1}/s", o.clients, o.seconds);

    let dir = tempfile::tempdir()?;
    let target = tongban_app::Config { data_dir: dir.path().to_path_buf(), ..Default::default() }.db_target()?;
    // Throttling per address is not what is measured: every attempt here comes from one address.
    let policy = Policy { attempts_per_minute: u32::MAX, ..Policy::default() };
    let identity = Identity::new(KeyRing::generate("bench")?, policy, params)?;
    let app = App::open(&target, IndexLocation::None, identity).await.map_err(crate::describe)?;
    let people = 20;
    for n in 0..people {
        let first17 = format!("11010119900307{n:03}");
        let person = NewPerson {
            name: "测试用户".into(),
            citizen_id: format!("{first17}{}", citizen_id_check_char(&first17)),
            phone: phone(n),
            email: None,
            password: PASSWORD.into(),
        };
        identity::register(&app, person, &Client::default()).await.map_err(crate::describe)?;
    }
    let client = Client { address: "127.0.0.1".into(), user_agent: "bench".into() };

    let mut ms = Vec::with_capacity(o.logins);
    for i in 0..o.logins {
        let t = Instant::now();
        identity::login(&app, &phone(i % people), PASSWORD, None, &client).await.map_err(crate::describe)?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("{}", summary("login latency (1 client)", ms));

    let handle = tokio::runtime::Handle::current();
    let (clients, seconds) = (o.clients, o.seconds);
    let machine = tongban_app::oidc::add_client(&app, "bench", &[], &["client_credentials".into()], false)
        .await
        .map_err(crate::describe)?;
    let grants = tokio::task::spawn_blocking({
        let (app, handle) = (app.clone(), handle.clone());
        move || {
            throughput(clients, Duration::from_secs(seconds), move |_| {
                let token = tongban_app::oidc::client_credentials(
                    &app,
                    "http://127.0.0.1:8080",
                    &machine.client_id,
                    &machine.client_secret,
                    None,
                );
                handle.block_on(token).map(|_| ()).map_err(|e| format!("{e:?}"))
            })
        }
    })
    .await?;
    let grants_per_core = grants / cores as f64;
    println!(
        "client-credential grants ({clients} clients, {seconds} s): {grants:.0}/s = {grants_per_core:.0}/s per core; \
         Keycloak's sizing {KEYCLOAK_GRANTS_PER_VCPU}/s per vCPU: {:.1}x",
        grants_per_core / KEYCLOAK_GRANTS_PER_VCPU
    );
    let logins = tokio::task::spawn_blocking(move || {
        throughput(clients, Duration::from_secs(seconds), move |i| {
            handle
                .block_on(identity::login(&app, &phone(i % people), PASSWORD, None, &client))
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    })
    .await?;
    let per_core = logins / cores as f64;
    println!(
        "logins ({clients} clients, {seconds} s): {logins:.1}/s = {per_core:.1}/s per core; \
         Keycloak's sizing {KEYCLOAK_LOGINS_PER_VCPU}/s per vCPU: {:.1}x",
        per_core / KEYCLOAK_LOGINS_PER_VCPU
    );
    Ok(())
}
