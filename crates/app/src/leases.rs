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

/// How often a serving node renews the lease on its node number.
pub const NODE_EVERY: Duration = Duration::from_secs(5);

/// The lease on node number `n` (`node_id`): case numbers and the call log stay unique only while
/// no two live nodes share one.
pub fn node_lease(n: u8) -> String {
    format!("node-{n}")
}

/// Takes the lease on this process's node number for `term` before it serves (renewed then by
/// `every`). Held by another process: waits once for that lease to lapse (a node killed before
/// it could give it up), then tries again; a holder that renewed it meanwhile is alive, and this
/// process must not serve.
pub async fn claim_node(app: &App, n: u8, term: Duration) -> Result<(), AppError> {
    let name = node_lease(n);
    if take(app, &name, Utc::now(), term).await? {
        return Ok(());
    }
    if let Some(l) = list(app).await?.into_iter().find(|l| l.name == name) {
        let wait = (l.until - Utc::now()).to_std().unwrap_or_default().min(term) + Duration::from_secs(1);
        tracing::warn!(node = n, holder = %l.holder, ?wait, "the node number is held: waiting for its lease to lapse");
        tokio::time::sleep(wait).await;
    }
    if take(app, &name, Utc::now(), term).await? {
        return Ok(());
    }
    Err(AppError::Conflict {
        field: "node_id",
        message: format!(
            "节点编号 {n} 正由另一个运行中的节点使用：请为每个节点设置不同的 node_id \
             (node number {n} is held by another running node: give each node its own node_id)"
        ),
    })
}

/// Runs `job` every `every` in the background while this process holds the lease `name`.
pub fn every<F, Fut>(app: &App, name: impl Into<String>, every: Duration, job: F) -> tokio::task::JoinHandle<()>
where
    F: Fn(App) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let (app, name) = (app.clone(), name.into());
    tokio::spawn(async move {
        let term = term(every);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut held_until: Option<DateTime<Utc>> = None;
        loop {
            tick.tick().await;
            let now = Utc::now();
            if held_until.is_none_or(|until| (until - now).to_std().unwrap_or_default() < term / 2) {
                let held = match take(&app, &name, now, term).await {
                    Ok(held) => held,
                    Err(e) => {
                        tracing::warn!(job = %name, error = %e, "taking a job's lease failed");
                        false
                    }
                };
                match (held, held_until.is_some()) {
                    (true, false) => {
                        tracing::info!(job = %name, instance = %app.instance, "this process runs the job now")
                    }
                    (false, true) => tracing::warn!(job = %name, "the job's lease lapsed and another process took it"),
                    _ => {}
                }
                held_until = held.then(|| now + chrono::Duration::from_std(term).unwrap_or_default());
                metrics::gauge!("background_job_held", "job" => name.clone()).set(if held { 1.0 } else { 0.0 });
            }
            if held_until.is_some() {
                job(app.clone()).await;
                metrics::counter!("background_job_rounds_total", "job" => name.clone()).increment(1);
            }
        }
    })
}
