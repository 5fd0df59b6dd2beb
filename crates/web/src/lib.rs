//! The HTTP interface of Tongban: the JSON API under `/api/v1`, server-rendered pages,
//! operations endpoints, and the middleware every request passes (request id, logging with
//! masking, metrics, limits, timeouts).

mod account_labels;
mod api;
mod case_labels;
mod catalog_labels;
mod data_labels;
mod error;
mod extract;
mod hall_labels;
mod i18n;
mod inquiry_labels;
mod licence_labels;
mod licence_pdf;
mod middleware;
mod oauth;
mod ops;
mod pages;
mod rating_labels;
mod session;

pub use api::openapi;
pub use error::ApiError;

use axum::Router;
use std::sync::Arc;
use tongban_app::{App, Config};

/// What every handler can reach. One `Arc`: extractors and middleware clone the state for each
/// request, and the application is a score of shared parts.
#[derive(Clone)]
pub struct AppState(Arc<State>);

pub struct State {
    pub app: App,
    pub config: Arc<Config>,
    pub cookies: session::Cookies,
    /// `config.trusted_proxies`, parsed (checked when the configuration was loaded).
    pub trusted_proxies: Vec<tongban_app::outbound::Network>,
    /// Set on SIGTERM: `/readyz` answers 503 so that the load balancer stops sending new
    /// requests, while the node still serves for `shutdown_drain_secs` before it stops.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}

impl std::ops::Deref for AppState {
    type Target = State;
    fn deref(&self) -> &State {
        &self.0
    }
}

impl AppState {
    pub fn new(app: App, config: Config) -> Self {
        let trusted_proxies = tongban_app::config::networks(&config.trusted_proxies).unwrap_or_default();
        Self(Arc::new(State {
            cookies: session::Cookies::of(&config),
            app,
            trusted_proxies,
            config: Arc::new(config),
            draining: Arc::default(),
        }))
    }

    /// The platform's public base URL, from the configuration (never from a request's `Host`,
    /// which the client chooses): the OpenID Connect issuer and the addresses licences' QR codes
    /// carry. `serve` sets it to the listener's address when the configuration has none.
    pub(crate) fn public_url(&self) -> &str {
        self.config.public_url.as_deref().unwrap_or("http://127.0.0.1").trim_end_matches('/')
    }
}

/// The whole application router with its middleware.
pub fn router(state: AppState) -> Router {
    // Installed before the first request so that no request goes uncounted.
    ops::handle();
    let routes = Router::new()
        .merge(ops::routes())
        .merge(api::routes())
        .merge(oauth::routes())
        .merge(pages::routes())
        // After the merge, so that it covers every route, not only the pages'.
        .method_not_allowed_fallback(pages::method_not_allowed);
    middleware::wrap(routes, &state.config).with_state(state)
}

/// The metrics endpoint (`GET /metrics`, Prometheus text), for a listener of its own: request
/// counts and latencies by route, the database pool — operators' figures, not the public's.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    ops::handle();
    let app = ops::metrics_routes().with_state(state);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Serves until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = match state.config.public_url {
        Some(_) => state,
        None => {
            let url = format!("http://{}", listener.local_addr()?);
            let mut with_url =
                AppState::new(state.app.clone(), Config { public_url: Some(url), ..(*state.config).clone() });
            // The caller's drain flag, which its signal handler sets.
            if let Some(s) = Arc::get_mut(&mut with_url.0) {
                s.draining = state.draining.clone();
            }
            with_url
        }
    };
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
