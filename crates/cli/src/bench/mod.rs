//! `tongban bench …`: each benchmark measures its baseline in the same run (docs/benchmarks.md).

pub mod cases;
pub mod exchange;
pub mod hall;
pub mod identity;
pub mod ratings;
mod raw;
pub mod seal;
pub mod search;
pub mod verify;

use clap::Subcommand;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// `tongban bench …`: each benchmark's options are its arguments.
#[derive(Subcommand)]
pub enum BenchCommand {
    /// Catalog search: index build, latency and throughput, memory; PostgreSQL ILIKE and pg_trgm
    /// over the same rows as the baseline.
    Search(search::Options),
    /// Submissions per second over HTTP (authenticated, validated, durable, audited, with a
    /// webhook, a text and an e-mail each) on SQLite, SQLite with synchronous=FULL and PostgreSQL,
    /// each against bare one-row commits on the same database; the workbench queue at a million
    /// cases.
    Cases(cases::Options),
    /// SM2 seal signatures and verifications per second on one core, against `openssl speed sm2`
    /// in the same run.
    Seal(seal::Options),
    /// Public licence verifications per second over HTTP against a bare HTTP round trip to the same
    /// server in the same run.
    Verify(verify::Options),
    /// Password logins and client-credential grants per second over HTTP, against the Argon2id
    /// bound and oidc-provider (npm) on this machine; Keycloak's published sizing quoted.
    Identity(identity::Options),
    /// Authorized, logged calls per second through the exchange gateway to a department system on
    /// this machine, against the system called directly and through nginx in the same run; the
    /// call log's verification rate.
    Exchange(exchange::Options),
    /// The public rating figures (好差评公示) with ten million ratings, against a scan of the
    /// ratings in the same run.
    Ratings(ratings::Options),
    /// The service hall: a booking rush (exactly the places booked, none twice) against bare
    /// conditional updates; tickets issued and called per second over many halls and windows
    /// against bare commits; call-to-display latency with hundreds of displays connected, from this
    /// node and from another, against a bare HTTP round trip.
    Hall(hall::Options),
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Search(o) => search::run(o).await,
        BenchCommand::Cases(o) => cases::run(o).await,
        BenchCommand::Seal(o) => seal::run(o),
        BenchCommand::Verify(o) => verify::run(o).await,
        BenchCommand::Identity(o) => identity::run(o).await,
        BenchCommand::Exchange(o) => exchange::run(o).await,
        BenchCommand::Ratings(o) => ratings::run(o).await,
        BenchCommand::Hall(o) => hall::run(o).await,
    }
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub fn summary(name: &str, mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    format!(
        "{name}: n={} p50={:.2} ms p95={:.2} ms p99={:.2} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        percentile(&ms, 0.99)
    )
}

pub fn rss_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
    };
    (kb("VmRSS:").unwrap_or(0.0) / 1024.0, kb("VmHWM:").unwrap_or(0.0) / 1024.0)
}

/// Runs `f` from `clients` threads for `time`: successful calls per second. A call that fails
/// fails the run, once the time is up, with how many failed and the first error.
pub fn throughput(
    clients: usize,
    time: Duration,
    f: impl Fn(usize) -> Result<(), String> + Send + Sync + 'static,
) -> anyhow::Result<f64> {
    let f = Arc::new(f);
    let start = Instant::now();
    let handles: Vec<_> = (0..clients.max(1))
        .map(|c| {
            let f = f.clone();
            std::thread::spawn(move || {
                let (mut n, mut failed, mut first) = (0usize, 0usize, None);
                while start.elapsed() < time {
                    if let Err(e) = f(c * 1_000_003 + n + failed) {
                        failed += 1;
                        first.get_or_insert(e);
                    } else {
                        n += 1;
                    }
                }
                (n, failed, first)
            })
        })
        .collect();
    let (mut total, mut failed, mut first) = (0, 0, None);
    for h in handles {
        let (n, f, e) = h.join().map_err(|_| anyhow::anyhow!("a benchmark thread panicked"))?;
        total += n;
        failed += f;
        first = first.or(e);
    }
    match first {
        Some(e) => anyhow::bail!("{failed} of {} calls failed; the first: {e}", total + failed),
        None => Ok(total as f64 / start.elapsed().as_secs_f64()),
    }
}

/// `clients` tasks send `request(http, i)` for `time`, each answer a success checked by
/// `check(i, body)`: requests per second and each one's ms. A failed request or check fails the
/// run with the first error.
pub async fn over_http(
    clients: usize,
    time: Duration,
    http: reqwest::Client,
    request: impl Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
    check: impl Fn(usize, &[u8]) -> anyhow::Result<()> + Send + Sync + 'static,
) -> anyhow::Result<(f64, Vec<f64>)> {
    let (request, check) = (Arc::new(request), Arc::new(check));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients.max(1))
        .map(|c| {
            let (http, request, check, stop) = (http.clone(), request.clone(), check.clone(), stop.clone());
            tokio::spawn(async move {
                let mut ms = Vec::new();
                let mut i = c * 7919;
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    let res = request(&http, i).send().await?;
                    let status = res.status();
                    let body = res.bytes().await?;
                    ms.push(t.elapsed().as_secs_f64() * 1000.0);
                    anyhow::ensure!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&body));
                    check(i, &body)?;
                    i += 1;
                }
                anyhow::Ok(ms)
            })
        })
        .collect();
    tokio::time::sleep(time).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((all.len() as f64 / start.elapsed().as_secs_f64(), all))
}
