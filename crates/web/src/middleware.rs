//! The layers every request passes through, outermost first: request id, tracing span (with
//! citizen ids masked), panic guard, timeout, body limit; per route: metrics.

use crate::ApiError;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::{Duration, Instant};
use tongban_app::Config;
use tongban_domain::mask::mask_citizen_ids_in;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn wrap<S: Clone + Send + Sync + 'static>(routes: Router<S>, config: &Config) -> Router<S> {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            let id = req.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("-");
            tracing::info_span!(
                "request",
                request_id = %id,
                method = %req.method(),
                uri = %mask_citizen_ids_in(&req.uri().to_string()),
            )
        })
        .on_request(|_: &Request, _: &tracing::Span| {})
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    routes.route_layer(axum::middleware::from_fn(track_metrics)).layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(trace)
            .layer(CatchPanicLayer::custom(|_| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务器内部错误 (internal error)")
                    .into_response()
            }))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                Duration::from_secs(config.request_timeout_secs),
            ))
            .layer(DefaultBodyLimit::max(config.body_limit_bytes)),
    )
}

/// Counts requests by route and status and records their latency.
async fn track_metrics(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().to_string();
    let start = Instant::now();
    let response = next.run(req).await;
    record(route, method, response.status(), start);
    response
}

pub fn record(route: String, method: String, status: StatusCode, start: Instant) {
    let status = status.as_u16().to_string();
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route).record(start.elapsed().as_secs_f64());
}
