//! `tongban bench identity`: password logins (`POST /api/v1/sessions`) and client-credential
//! grants (`POST /oauth/token`) per second over HTTP, with the production Argon2id parameters, on
//! embedded SQLite. Baselines in the same run: the Argon2id verification rate alone (the bound a
//! password login cannot pass) and a peer, panva's `oidc-provider` (OpenID Certified, from npm,
//! `bench/oidc-provider`), serving the same grants on this machine. Keycloak's sizing guide is
//! quoted, labelled as published.

use super::{over_http, summary, throughput};
use anyhow::Context;
use serde_json::{Value, json};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tongban_app::catalog::IndexLocation;
use tongban_app::identity::{self, Client, Identity, NewPerson, Policy};
use tongban_app::{App, Config};
use tongban_crypto::{KeyRing, PasswordHasher, PasswordParams};
use tongban_domain::codes::citizen_id_check_char;

/// Keycloak's sizing guide (published, not measured here): password-based logins and
/// client-credential grants per second one vCPU sustains.
const KEYCLOAK_LOGINS_PER_VCPU: f64 = 15.0;
const KEYCLOAK_GRANTS_PER_VCPU: f64 = 120.0;

#[derive(clap::Args)]
pub struct Options {
    /// Logins timed one after another for the latency percentiles.
    #[arg(long, default_value_t = 200)]
    pub logins: usize,
    /// Concurrent clients for the throughput figure.
    #[arg(long, default_value_t = 2)]
    pub clients: usize,
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// The peer's directory (`npm ci --prefix bench/oidc-provider` installs it).
    #[arg(long, default_value = "bench/oidc-provider")]
    pub peer: PathBuf,
}

const PASSWORD: &str = "Bench-2026-password";
const PEOPLE: usize = 20;

fn phone(n: usize) -> String {
    format!("139{n:08}")
}

/// A server's Ed25519 signing key, found from its discovery document.
async fn signing_key(http: &reqwest::Client, issuer: &str) -> anyhow::Result<Value> {
    let discovery: Value = http.get(format!("{issuer}/.well-known/openid-configuration")).send().await?.json().await?;
    let uri = discovery["jwks_uri"].as_str().context("no jwks_uri")?;
    let jwks: Value = http.get(uri).send().await?.json().await?;
    let keys = jwks["keys"].as_array().context("no keys")?;
    keys.iter().find(|k| k["crv"] == "Ed25519").cloned().context("no Ed25519 key")
}

/// A grant's answer: a bearer access token signed by the server's Ed25519 key, for the client.
fn token_answer(body: &[u8], jwk: &Value, client_id: &str) -> anyhow::Result<()> {
    let v: Value = serde_json::from_slice(body)?;
    let token = v["access_token"].as_str().unwrap_or_default();
    let claims = tongban_crypto::jws::verify(token, jwk).context("the access token's signature does not hold")?;
    anyhow::ensure!(v["token_type"] == "Bearer" && claims["sub"] == client_id, "not the client's token: {v}");
    Ok(())
}

/// Client-credential grants from `clients` tasks for `time` against the issuer's token endpoint,
/// client_secret_basic; each token's signature checked with the issuer's key.
async fn grants(
    http: &reqwest::Client,
    (url, jwk): (String, Value),
    (id, secret): (String, String),
    clients: usize,
    time: Duration,
) -> anyhow::Result<(f64, Vec<f64>)> {
    let client_id = id.clone();
    let request = move |h: &reqwest::Client, _| {
        h.post(&url)
            .basic_auth(&id, Some(&secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&scope=cases")
    };
    over_http(clients, time, http.clone(), request, move |_, body| token_answer(body, &jwk, &client_id)).await
}

/// The peer, started from `dir`; stopped when dropped.
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the peer and waits (30 s at most) until it listens; its warnings go to stderr.
async fn start_peer(dir: &std::path::Path, port: u16, id: &str, secret: &str) -> anyhow::Result<Peer> {
    anyhow::ensure!(
        dir.join("node_modules/oidc-provider").is_dir(),
        "the peer is not installed: run `npm ci --prefix {}` (oidc-provider from npm)",
        dir.display()
    );
    let mut child = Command::new("node")
        .arg(dir.join("server.mjs"))
        .args([port.to_string().as_str(), id, secret])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("node (Node.js ≥ 20.19) is needed for the peer")?;
    let stdout = child.stdout.take().context("peer stdout")?;
    let peer = Peer(child);
    let ready = tokio::task::spawn_blocking(move || {
        std::io::BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l == "listening")
    });
    match tokio::time::timeout(Duration::from_secs(30), ready).await {
        Ok(Ok(true)) => Ok(peer),
        Ok(_) => anyhow::bail!("the peer stopped before listening"),
        Err(_) => anyhow::bail!("the peer did not listen within 30 s"),
    }
}

pub async fn run(o: Options) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let params = PasswordParams::default();
    let time = Duration::from_secs(o.seconds.max(1));
    println!(
        "machine: {cores} cores, client and server share them; Argon2id m={} KiB t={} p={}; {} clients",
        params.memory_kib, params.passes, params.lanes, o.clients
    );

    // The hash alone, from every client thread: the ceiling for logins.
    let hasher = PasswordHasher::new(params)?;
    let phc = hasher.hash(PASSWORD)?;
    let verifies =
        throughput(
            o.clients,
            time,
            move |_| {
                if hasher.verify(PASSWORD, &phc) { Ok(()) } else { Err("verify failed".into()) }
            },
        )?;
    println!("baseline: Argon2id verifications ({} threads): {verifies:.1}/s", o.clients);

    let dir = tempfile::tempdir()?;
    let target = Config { data_dir: dir.path().to_path_buf(), ..Default::default() }.db_target()?;
    // Throttling per address is not what is measured: every attempt here comes from one address.
    let policy = Policy { attempts_per_minute: u32::MAX, ..Policy::default() };
    let identity = Identity::new(KeyRing::generate("bench")?, policy, params)?;
    let app = App::open(&target, IndexLocation::None, identity).await.map_err(crate::describe)?;
    for n in 0..PEOPLE {
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
    let machine = tongban_app::oidc::add_client(&app, "bench", &[], &["client_credentials".into()], false)
        .await
        .map_err(crate::describe)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = tongban_web::AppState::new(app, Config { public_url: Some(base.clone()), ..Config::default() });
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(tongban_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;

    let sessions = format!("{base}/api/v1/sessions");
    let login = move |h: &reqwest::Client, i: usize| {
        h.post(&sessions).json(&json!({"identifier": phone(i % PEOPLE), "password": PASSWORD}))
    };
    let session_answer = |_, body: &[u8]| {
        let v: Value = serde_json::from_slice(body)?;
        anyhow::ensure!(v["token"].as_str().is_some_and(|t| !t.is_empty()), "no session: {v}");
        Ok(())
    };
    let mut ms = Vec::with_capacity(o.logins);
    for i in 0..o.logins {
        let t = Instant::now();
        let res = login(&http, i).send().await?;
        let (status, body) = (res.status(), res.bytes().await?);
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(status.is_success(), "login: {status} {}", String::from_utf8_lossy(&body));
        session_answer(i, &body)?;
    }
    println!("{}", summary("password login over HTTP, latency (1 client)", ms));
    let (logins, _) = over_http(o.clients, time, http.clone(), login, session_answer).await?;
    println!(
        "password logins over HTTP ({} clients): {logins:.1}/s = {:.0}% of the Argon2id bound; {:.1}/s per core, \
         Keycloak's published sizing {KEYCLOAK_LOGINS_PER_VCPU}/s per vCPU",
        o.clients,
        100.0 * logins / verifies,
        logins / cores as f64
    );

    // Each server is warmed by a second of grants before it is timed.
    let ours = (machine.client_id.clone(), machine.client_secret.clone());
    let endpoint = (format!("{base}/oauth/token"), signing_key(&http, &base).await?);
    grants(&http, endpoint.clone(), ours.clone(), o.clients, Duration::from_secs(1)).await?;
    let (granted, granted_ms) = grants(&http, endpoint, ours, o.clients, time).await?;
    println!("client-credential grants over HTTP, ours ({} clients): {granted:.0}/s", o.clients);
    println!("  {}", summary("latency", granted_ms));

    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let peer_client = ("bench".to_owned(), tongban_crypto::token()?);
    let peer = start_peer(&o.peer, port, "bench", &peer_client.1).await?;
    let issuer = format!("http://127.0.0.1:{port}");
    let endpoint = (format!("{issuer}/token"), signing_key(&http, &issuer).await?);
    grants(&http, endpoint.clone(), peer_client.clone(), o.clients, Duration::from_secs(1)).await?;
    let (peered, peered_ms) = grants(&http, endpoint, peer_client, o.clients, time).await?;
    drop(peer);
    println!("client-credential grants over HTTP, oidc-provider ({} clients): {peered:.0}/s", o.clients);
    println!("  {}", summary("latency", peered_ms));
    println!(
        "grants: ours / oidc-provider {:.2}x; {:.0}/s per core, Keycloak's published sizing \
         {KEYCLOAK_GRANTS_PER_VCPU}/s per vCPU",
        granted / peered.max(1e-9),
        granted / cores as f64
    );
    Ok(())
}
