//! Operations endpoints: liveness and readiness on the main listener; Prometheus metrics on a
//! listener of their own (`metrics_listen`), which the proxy does not expose.

use crate::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

/// The metrics listener's routes.
pub fn metrics_routes() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// The process is alive.
async fn healthz() -> &'static str {
    "ok\n"
}

/// The database answers and takes writes (HAProxy's check: a node whose database turned
/// read-only, or is gone, is taken out of the pool).
async fn readyz(State(s): State<AppState>) -> impl IntoResponse {
    if s.draining.load(std::sync::atomic::Ordering::Relaxed) {
        return crate::ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "draining",
            "节点正在停止，请求将由其他节点处理 (the node is stopping: others take new requests)",
        )
        .into_response();
    }
    match s.app.store.writable().await {
        Ok(true) => (StatusCode::OK, axum::Json(serde_json::json!({"status": "ready"}))).into_response(),
        Ok(false) => crate::ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "read_only",
            "数据库只读：不是主库 (the database is read-only: not the primary)",
        )
        .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            crate::ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", "数据库不可用 (database unavailable)")
                .into_response()
        }
    }
}

/// The process-wide recorder, installed once however many servers a process runs (tests).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
            )
            .map(|b| b.build_recorder())
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        // Fails only if another recorder is installed, in which case ours stays empty.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    let pool = s.app.store.pool_stats();
    metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("db_pool_connections", "state" => "in_use").set(f64::from(pool.size.saturating_sub(pool.idle)));
    metrics::gauge!("db_pool_size").set(f64::from(pool.size));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle().render())
}
