//! The HTTP interface of Tongban: the JSON API under `/api/v1`, server-rendered pages,
//! operations endpoints, and the middleware every request passes (request id, logging with
//! masking, metrics, limits, timeouts).

mod account_labels;
mod api;
mod case_labels;
mod catalog_labels;
mod error;
mod extract;
mod i18n;
mod licence_labels;
mod licence_pdf;
mod middleware;
mod oauth;
mod ops;
mod pages;
mod session;

pub use api::openapi;
pub use error::ApiError;

use axum::Router;
use std::sync::Arc;
use tongban_app::{App, Config};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<Config>,
}

/// The platform's public base URL: the configured `public_url`, else this request's host over
/// plain HTTP. The OpenID Connect issuer and the addresses licences' QR codes carry.
pub(crate) fn public_url(s: &AppState, headers: &axum::http::HeaderMap) -> String {
    match &s.config.public_url {
        Some(url) => url.clone(),
        None => format!(
            "http://{}",
            headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1")
        ),
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

/// Serves until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
