//! `tongban bench …`: each benchmark measures its baseline in the same run (docs/benchmarks.md).

pub mod cases;
pub mod identity;
pub mod seal;
pub mod search;
pub mod verify;

use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// Runs `f` from `clients` threads for `time`; queries per second.
pub fn throughput(
    clients: usize,
    time: Duration,
    f: impl Fn(usize) -> Result<(), String> + Send + Sync + 'static,
) -> f64 {
    let f = Arc::new(f);
    let start = Instant::now();
    let handles: Vec<_> = (0..clients.max(1))
        .map(|c| {
            let f = f.clone();
            std::thread::spawn(move || {
                let mut n = 0usize;
                while start.elapsed() < time {
                    if f(c * 1_000_003 + n).is_err() {
                        break;
                    }
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: usize = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    total as f64 / start.elapsed().as_secs_f64()
}
