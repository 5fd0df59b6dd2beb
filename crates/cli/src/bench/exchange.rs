//! `tongban bench exchange`: authorized, logged calls per second through the exchange gateway to
//! a department system on this machine, against the same system called directly and through
//! nginx (Debian's package) as a plain reverse proxy, in the same run; the latency each adds; and
//! how fast the call log verifies. Client, gateway, nginx and the system share the machine's cores.

use super::{over_http, percentile, summary};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tongban_app::catalog::IndexLocation;
use tongban_app::exchange::{self, catalog, log, requests};
use tongban_app::identity::{self, Client, Identity, NewPerson, Policy};
use tongban_app::staff::{self, NewAssignment};
use tongban_app::{App, Config};
use tongban_crypto::{KeyRing, PasswordParams};
use tongban_domain::exchange::{DataItem, Decision, Provider, Resource, Sensitivity, SharingClass};
use tongban_store::DbTarget;

#[derive(clap::Args)]
pub struct Options {
    /// Requests in flight.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Seconds each measurement lasts.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// The nginx binary (Debian: `apt-get install nginx`).
    #[arg(long, default_value = "/usr/sbin/nginx")]
    pub nginx: String,
}

const RESOURCE: &str = "BENCH-SC-ZT-0001";
/// nginx and the gateway take turns this many times.
const ROUNDS: u32 = 5;
const ANSWER: &str = r#"{"status":"在营","capital":100,"address":"北京市东城区东华门街道 1 号"}"#;

/// The department system: a fixed answer to every query.
async fn upstream() -> anyhow::Result<String> {
    let app = axum::Router::new().route(
        "/q",
        axum::routing::post(|| async { ([(axum::http::header::CONTENT_TYPE, "application/json")], ANSWER) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr.to_string())
}

/// nginx as a plain reverse proxy (keep-alive to the system), one worker per core; stopped when
/// dropped.
struct Nginx {
    master: std::process::Child,
    bin: String,
    conf: std::path::PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // The master stops its workers; killing it would leave them running.
        let dir = self.conf.parent().unwrap_or(std::path::Path::new("."));
        let _ = std::process::Command::new(&self.bin)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&self.conf)
            .args(["-s", "stop"])
            .stderr(std::process::Stdio::null())
            .status();
        let _ = self.master.wait();
    }
}

fn nginx(bin: &str, dir: &std::path::Path, upstream: &str) -> anyhow::Result<(Nginx, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let conf = format!(
        "worker_processes auto; daemon off; pid {dir}/nginx.pid; error_log {dir}/error.log;\n\
         events {{ worker_connections 4096; }}\n\
         http {{ access_log off; upstream up {{ server {upstream}; keepalive 256; }}\n\
           server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://up; proxy_http_version 1.1;\n\
             proxy_set_header Connection \"\"; }} }} }}\n",
        dir = dir.display()
    );
    let file = dir.join("nginx.conf");
    std::fs::write(&file, conf)?;
    let master = std::process::Command::new(bin)
        .args(["-e", &format!("{}/error.log", dir.display()), "-p", &dir.display().to_string(), "-c"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start {bin} ({e}): install Debian's nginx (apt-get install nginx)"))?;
    Ok((Nginx { master, bin: bin.to_owned(), conf: file }, format!("127.0.0.1:{port}")))
}

async fn wait_for(addr: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        anyhow::ensure!(Instant::now() < deadline, "{addr} does not answer");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// The gateway's platform: an administrator (the data authority) registers the resource, grants
/// it and registers the consuming agency's system; the system's access token.
async fn platform(app: &App, url: String) -> anyhow::Result<String> {
    let first17 = "11010119900307999";
    let person = NewPerson {
        name: "管理员".into(),
        citizen_id: format!("{first17}{}", tongban_domain::codes::citizen_id_check_char(first17)),
        phone: "13700099999".into(),
        email: None,
        password: "Bench-2026-password".into(),
    };
    identity::register(app, person, &Client::default()).await.map_err(crate::describe)?;
    let a = NewAssignment {
        person: "13700099999".into(),
        role: "platform_admin".into(),
        agency_code: String::new(),
        division_code: String::new(),
    };
    staff::assign(app, None, a).await.map_err(crate::describe)?;
    let admin = identity::login(app, "13700099999", "Bench-2026-password", None, &Client::default())
        .await
        .map_err(crate::describe)?
        .principal;
    let item = |name: &str, label: &str, kind: &str| DataItem {
        name: name.into(),
        label: label.into(),
        kind: kind.into(),
        sensitivity: Sensitivity::General,
    };
    let r = Resource {
        identifier: RESOURCE.into(),
        name: "市场主体登记状态".into(),
        summary: "市场主体的登记状态、注册资本与住所".into(),
        agency_code: "111101015425293395".into(),
        classification: "基础信息资源/法人".into(),
        items: vec![
            item("status", "登记状态", "string"),
            item("capital", "注册资本", "number"),
            item("address", "住所", "string"),
        ],
        sharing: SharingClass::Unconditional,
        sharing_condition: String::new(),
        open_class: "conditional".into(),
        update_cycle: "实时".into(),
        format: "JSON".into(),
        provider: Some(Provider::Upstream { url }),
        subject: None,
    };
    catalog::save(app, &admin, r, None).await.map_err(crate::describe)?;
    catalog::publish(app, &admin, RESOURCE, 1).await.map_err(crate::describe)?;
    let new = requests::NewRequest {
        resource: RESOURCE.into(),
        consumer_agency: "1111010143783071XP".into(),
        purpose: "性能测试".into(),
        legal_basis: "性能测试".into(),
        offerings: vec!["1111010143783071XP0700105001000".into()],
        items: vec!["status".into(), "capital".into()],
        quota_per_day: 1_000_000,
        expires_on: tongban_domain::calendar::china_today() + chrono::Days::new(30),
    };
    let req = requests::request(app, &admin, new, "bench").await.map_err(crate::describe)?;
    let v = requests::Verdict {
        decision: Decision::Approve,
        reasons: String::new(),
        quota_per_day: None,
        expected_version: None,
    };
    requests::decide(app, &admin, &req.id, v, "bench").await.map_err(crate::describe)?;
    let sys = exchange::add_system(app, "1111010143783071XP", "性能测试系统").await.map_err(crate::describe)?;
    let t = tongban_app::oidc::client_credentials(app, "http://bench", &sys.client_id, &sys.client_secret, None)
        .await
        .map_err(|_| anyhow::anyhow!("no token"))?;
    Ok(t.access_token)
}

pub async fn run(o: Options) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("machine: {cores} cores shared by client, gateway, nginx and the system; {} clients", o.clients);
    let dir = tempfile::tempdir()?;
    let system = upstream().await?;
    let (proxy, proxied) = nginx(&o.nginx, dir.path(), &system)?;
    wait_for(&proxied).await?;

    let id = Identity::new(KeyRing::generate("bench")?, Policy::default(), PasswordParams::default())?;
    let target = DbTarget::Sqlite { data_dir: dir.path().join("data"), full_sync: false };
    let mut app = App::open(&target, IndexLocation::None, id).await.map_err(crate::describe)?;
    let policy = tongban_app::outbound::AddressPolicy::parse(&["127.0.0.1/32".into()]).map_err(anyhow::Error::msg)?;
    app.outbound = Arc::new(tongban_app::outbound::Outbound::new(policy).map_err(crate::describe)?);
    let token = platform(&app, format!("http://{system}/q")).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = tongban_web::AppState::new(app.clone(), Config::default());
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(tongban_web::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    let time = Duration::from_secs(o.seconds.max(1));
    let body = r#"{"params":{"credit_code":"91110101MA01TB014X"}}"#;
    let plain =
        |url: String| move |h: &reqwest::Client, _| h.post(&url).header("content-type", "application/json").body(body);
    let same = |_: usize, b: &[u8]| {
        anyhow::ensure!(b == ANSWER.as_bytes(), "unexpected answer {}", String::from_utf8_lossy(b));
        Ok(())
    };
    let (direct, direct_ms) =
        over_http(o.clients, time, http.clone(), plain(format!("http://{system}/q")), same).await?;
    // nginx and the gateway in alternating slices, so that a machine whose speed drifts during
    // the run weighs on both alike; the ratio is the median of the slices' ratios.
    let url = format!("{base}/exchange/v1/resources/{RESOURCE}/query");
    let before = app.store.last_call(1).await?.map_or(0, |c| c.seq);
    let slice = (time / ROUNDS).max(Duration::from_secs(1));
    let (mut nginx_ms, mut gateway_ms, mut rates) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (n, ms) = over_http(o.clients, slice, http.clone(), plain(format!("http://{proxied}/q")), same).await?;
        nginx_ms.extend(ms);
        let (url, token) = (url.clone(), token.clone());
        let (g, ms) = over_http(
            o.clients,
            slice,
            http.clone(),
            move |h, _| h.post(&url).bearer_auth(&token).header("content-type", "application/json").body(body),
            |_, b| {
                let v: serde_json::Value = serde_json::from_slice(b)?;
                anyhow::ensure!(
                    v["data"] == serde_json::json!({"status": "在营", "capital": 100}),
                    "not only the granted items: {v}"
                );
                Ok(())
            },
        )
        .await?;
        gateway_ms.extend(ms);
        rates.push((n, g));
    }
    let nginx_rate = rates.iter().map(|r| r.0).sum::<f64>() / ROUNDS as f64;
    let gateway = rates.iter().map(|r| r.1).sum::<f64>() / ROUNDS as f64;
    let mut ratios: Vec<f64> = rates.iter().map(|(n, g)| g / n).collect();
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    let logged = app.store.last_call(1).await?.map_or(0, |c| c.seq) - before;
    drop(proxy);

    let p = |ms: &[f64], q: f64| {
        let mut v = ms.to_vec();
        v.sort_by(f64::total_cmp);
        percentile(&v, q)
    };
    let (d50, d99) = (p(&direct_ms, 0.5), p(&direct_ms, 0.99));
    let (n50, n99) = (p(&nginx_ms, 0.5), p(&nginx_ms, 0.99));
    let (g50, g99) = (p(&gateway_ms, 0.5), p(&gateway_ms, 0.99));
    println!("the system called directly: {direct:.0}/s; {}", summary("latency", direct_ms));
    println!("through nginx (plain reverse proxy): {nginx_rate:.0}/s; {}", summary("latency", nginx_ms));
    println!(
        "through the gateway (token, grant, quota, only granted items, logged): {gateway:.0}/s; {}",
        summary("latency", gateway_ms)
    );
    println!("calls logged during the gateway run: {logged} (every answered call)");
    println!(
        "added to the direct call: nginx p50 {:.2} ms p99 {:.2} ms; gateway p50 {:.2} ms p99 {:.2} ms",
        n50 - d50,
        n99 - d99,
        g50 - d50,
        g99 - d99
    );
    let each: Vec<String> = rates.iter().map(|(n, g)| format!("{:.2}", g / n)).collect();
    println!(
        "gateway/nginx: {ratio:.2} (median of {ROUNDS} alternating slices: {}); targets on 2 cores: ≥ 5,000 calls/s {}, \
         ≥ 0.5× nginx {}, p99 added ≤ 10 ms {}",
        each.join(" "),
        if gateway >= 5000.0 { "met" } else { "not met" },
        if ratio >= 0.5 { "met" } else { "not met" },
        if g99 - d99 <= 10.0 { "met" } else { "not met" }
    );
    let t = Instant::now();
    let sealed = log::seal_due(&app).await.map_err(crate::describe)?;
    let sealing = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let report = log::verify(&app).await.map_err(crate::describe)?;
    let verifying = t.elapsed().as_secs_f64();
    anyhow::ensure!(report.ok(), "the call log does not verify: {:?}", report.problems);
    println!(
        "call log: {} calls sealed in {sealed} batches in {sealing:.2} s; verified (chain and seals) in {verifying:.2} s: {:.0} calls/s",
        report.calls,
        report.calls as f64 / verifying
    );
    Ok(())
}
