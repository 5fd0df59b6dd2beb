//! `tongban serve`: logging, the listener and graceful shutdown.

use std::time::Duration;
use tongban_app::config::LogFormat;
use tongban_app::leases;
use tongban_app::{App, Config};
use tracing_subscriber::EnvFilter;

pub fn init_logging(format: LogFormat) {
    let filter =
        EnvFilter::try_from_env(tongban_app::config::LOG_FILTER_ENV).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).init(),
        LogFormat::Human => builder.init(),
    }
}

/// Refuses, before any storage is opened, a configuration that lacks what serving at its listen
/// address needs.
pub fn check(config: &Config) -> anyhow::Result<()> {
    use std::net::ToSocketAddrs;
    let addrs =
        config.listen.to_socket_addrs().map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let problems: Vec<String> = addrs.flat_map(|a| config.serving_problems(a)).collect();
    if let Some(first) = problems.first() {
        anyhow::bail!("不能启动 (not serving): {first}");
    }
    Ok(())
}

pub async fn run(app: App, config: Config) -> anyhow::Result<()> {
    // The node number claimed at start stays this process's while it lives.
    leases::every(&app, leases::node_lease(config.node_id), leases::NODE_EVERY, |_| async {});
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = ?app.store.backend(), "tongban listening on http://{addr}/");
    // Offerings published by other processes (e.g. `tongban catalog import`) or nodes reach this
    // process's index (every node keeps its own).
    let syncing = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            if let Err(e) = tongban_app::catalog::sync(&syncing).await {
                tracing::warn!(error = %e, "search index catch-up failed");
            }
        }
    });
    // The platform's jobs, each run by one node at a time (`leases`). Supervision: due dates and
    // colours kept current, red cases escalated, licences due issued (a failed issue is retried),
    // licences past their validity marked expired.
    leases::every(&app, "supervision", Duration::from_secs(60), |app| async move {
        // Every round logged with when it began: once a minute in the whole cluster, as the HA
        // pass checks.
        let started = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        match tongban_app::supervision::sweep(&app).await {
            Ok(s) => {
                tracing::info!(%started, checked = s.checked, changed = s.changed, red = s.turned_red, "supervision sweep")
            }
            Err(e) => tracing::warn!(%started, error = %e, "supervision sweep failed"),
        }
        match tongban_app::licences::issue_all_due(&app).await {
            Ok((0, 0)) => {}
            Ok((issued, failed)) => tracing::info!(issued, failed, "licences due issued"),
            Err(e) => tracing::warn!(error = %e, "issuing licences due failed"),
        }
        match tongban_app::licences::expire_ended(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "licences past their validity marked 05"),
            Err(e) => tracing::warn!(error = %e, "licence expiry failed"),
        }
    });
    // Webhook deliveries from the outbox.
    leases::every(&app, "webhooks", Duration::from_secs(2), |app| async move {
        match tongban_app::webhooks::deliver_due(&app).await {
            Ok(r) if r.failed > 0 => tracing::warn!(delivered = r.delivered, failed = r.failed, "webhook deliveries"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook delivery round failed"),
        }
    });
    // Text messages and e-mails not sent at the first attempt.
    leases::every(&app, "messages", Duration::from_secs(2), |app| async move {
        if let Err(e) = tongban_app::notify::deliver_due(&app).await {
            tracing::warn!(error = %e, "message delivery round failed");
        }
    });
    // The exchange call log sealed in batches, off the request path.
    leases::every(&app, "call-log-sealing", Duration::from_secs(5), |app| async move {
        match tongban_app::exchange::log::seal_due(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(batches = n, "call log sealed"),
            Err(e) => tracing::warn!(error = %e, "sealing the call log failed"),
        }
    });
    // The audit chain's head signed with the platform's key, off the request path.
    leases::every(&app, "audit-sealing", Duration::from_secs(10), |app| async move {
        if let Err(e) = tongban_app::cases::seal_audit_head(&app).await {
            tracing::warn!(error = %e, "signing the audit chain's head failed");
        }
    });
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    let drain = Duration::from_secs(config.shutdown_drain_secs);
    let state = tongban_web::AppState::new(app.clone(), config);
    // One signal listener; both the server and the grace timer wait on this flag. Behind a load
    // balancer the node first drains: /readyz fails, so the balancer takes it out of rotation
    // while it still answers what is sent, and only then stops accepting connections.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let draining = state.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        if !drain.is_zero() {
            draining.draining.store(true, std::sync::atomic::Ordering::Relaxed);
            tracing::info!(seconds = drain.as_secs(), "draining: /readyz answers 503 before the listener closes");
            tokio::time::sleep(drain).await;
        }
        let _ = stop_tx.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    if let Some(at) = &state.config.metrics_listen {
        let metrics =
            tokio::net::TcpListener::bind(at).await.map_err(|e| anyhow::anyhow!("cannot listen on {at}: {e}"))?;
        tracing::info!(addr = %metrics.local_addr()?, "metrics at /metrics");
        tokio::spawn(tongban_web::serve_metrics(metrics, state.clone(), stopped(stop_rx.clone())));
    }
    let mut server = tokio::spawn(tongban_web::serve(listener, state, stopped(stop_rx.clone())));
    // After the signal, in-flight requests get `grace` to finish.
    tokio::select! {
        res = &mut server => res??,
        _ = async { stopped(stop_rx).await; tokio::time::sleep(grace).await } => {
            tracing::warn!("grace period over; stopping with requests still running");
        }
    }
    // Another node takes the jobs over at its next round instead of when the leases lapse.
    if let Err(e) = leases::give_up(&app).await {
        tracing::warn!(error = %e, "giving up the jobs' leases failed");
    }
    app.store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
