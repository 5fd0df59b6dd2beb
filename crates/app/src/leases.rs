//! Background work done once among the nodes that share a database: each job runs under a
//! lease, a row naming the process that holds it and until when (no advisory locks and no
//! LISTEN/NOTIFY, so the SQL stays portable to PostgreSQL-compatible distributed engines that
//! lack them). At each tick a process takes the job's lease if it is free or lapsed, renews it
//! once half its term has passed, runs the job only while it holds it, and gives its leases up
//! when it stops, so that another takes over at its next tick — else when the term lapses.
//! The jobs stay safe to run twice (a node whose clock runs far ahead, a round outliving its
//! term): the lease makes them run once, their own writes make their effect once.

use crate::{App, AppError};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::time::Duration;
use tongban_store::leases::LeaseRow;

/// How long a lease lasts without renewal: two rounds and a margin for a slow one.
pub fn term(every: Duration) -> Duration {
    every * 2 + Duration::from_secs(20)
}

/// This process among the nodes: host, process id and a random part (a restarted process is a
/// new holder).
pub fn instance() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let random = tongban_crypto::token().unwrap_or_default();
    format!("{}/{}/{}", host.trim(), std::process::id(), random.get(..8).unwrap_or_default())
}

/// Takes or renews the lease `name` for this process until `now + term`; false when another
/// process holds it.
pub async fn take(app: &App, name: &str, now: DateTime<Utc>, term: Duration) -> Result<bool, AppError> {
    let until = now + chrono::Duration::from_std(term).map_err(AppError::internal)?;
    Ok(app.store.take_lease(name, &app.instance, now, until).await?)
}

/// Gives up this process's leases (it is stopping).
pub async fn give_up(app: &App) -> Result<u64, AppError> {
    Ok(app.store.give_up_leases(&app.instance, Utc::now()).await?)
}

/// Who runs which job.
pub async fn list(app: &App) -> Result<Vec<LeaseRow>, AppError> {
    Ok(app.store.leases().await?)
}

/// Runs `job` every `every` in the background while this process holds the lease `name`.
pub fn every<F, Fut>(app: &App, name: &'static str, every: Duration, job: F) -> tokio::task::JoinHandle<()>
where
    F: Fn(App) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let app = app.clone();
    tokio::spawn(async move {
        let term = term(every);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut held_until: Option<DateTime<Utc>> = None;
        loop {
            tick.tick().await;
            let now = Utc::now();
            if held_until.is_none_or(|until| (until - now).to_std().unwrap_or_default() < term / 2) {
                let held = match take(&app, name, now, term).await {
                    Ok(held) => held,
                    Err(e) => {
                        tracing::warn!(job = name, error = %e, "taking a job's lease failed");
                        false
                    }
                };
                if held && held_until.is_none() {
                    tracing::info!(job = name, instance = %app.instance, "this process runs the job now");
                }
                held_until = held.then(|| now + chrono::Duration::from_std(term).unwrap_or_default());
                metrics::gauge!("background_job_held", "job" => name).set(if held { 1.0 } else { 0.0 });
            }
            if held_until.is_some() {
                job(app.clone()).await;
                metrics::counter!("background_job_rounds_total", "job" => name).increment(1);
            }
        }
    })
}
