//! The layers every request passes through, outermost first: request id, tracing span (with
//! citizen ids masked), panic guard, timeout, body limit; per route: metrics; around all of it
//! the security headers of every answer.

use crate::ApiError;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::{Duration, Instant};
use tongban_app::Config;
use tongban_domain::mask::mask_citizen_ids_in;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Pages load only what the platform serves — scripts from files, never inline — and no other
/// site may frame them (the one-click consent page and the account pages would otherwise be
/// open to clickjacking).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The headers every answer carries: the content security policy, no framing, no content
/// sniffing, no address leaked to other sites; over HTTPS (a `public_url` of `https://`), HSTS;
/// on a 429 or 503, `Retry-After`.
fn security_headers<S: Clone + Send + Sync + 'static>(routes: Router<S>, config: &Config) -> Router<S> {
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    ];
    let mut routes = routes;
    for (name, value) in fixed {
        routes = routes.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    // A limited caller learns when to come back (the allowances are per minute), and so does one
    // turned away while a service is down.
    routes = routes.layer(axum::middleware::map_response(|mut res: Response| async move {
        let wait = match res.status() {
            StatusCode::TOO_MANY_REQUESTS => Some("60"),
            StatusCode::SERVICE_UNAVAILABLE => Some("30"),
            _ => None,
        };
        if let Some(wait) = wait.filter(|_| !res.headers().contains_key(header::RETRY_AFTER)) {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(wait));
        }
        res
    }));
    if config.public_url.as_deref().is_some_and(|u| u.starts_with("https://")) {
        let hsts = HeaderValue::from_static("max-age=31536000; includeSubDomains");
        routes = routes.layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, hsts));
    }
    routes
}

/// An address as the log keeps it: citizen id numbers masked, and the value of a `code`
/// parameter withheld — an inquiry's tracking code opens it to whoever holds it — also inside
/// the address a `next` parameter carries.
fn loggable(uri: &axum::http::Uri) -> String {
    fn query(q: &str) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            match k.as_ref() {
                "code" => out.append_pair(&k, "***"),
                "next" => {
                    out.append_pair(&k, &v.split_once('?').map_or(v.to_string(), |(p, q)| format!("{p}?{}", query(q))))
                }
                _ => out.append_pair(&k, &v),
            };
        }
        out.finish()
    }
    let s = match uri.query() {
        Some(q) => format!("{}?{}", uri.path(), query(q)),
        None => uri.path().to_owned(),
    };
    mask_citizen_ids_in(&s)
}

pub fn wrap<S: Clone + Send + Sync + 'static>(routes: Router<S>, config: &Config) -> Router<S> {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            let id = req.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("-");
            tracing::info_span!(
                "request",
                request_id = %id,
                method = %req.method(),
                uri = %loggable(req.uri()),
            )
        })
        .on_request(|_: &Request, _: &tracing::Span| {})
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    let routes = routes.route_layer(axum::middleware::from_fn(track_metrics)).layer(
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
    );
    // Outermost: the answers of the layers above (413, 408, a caught panic) carry them too.
    security_headers(routes, config)
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_log_keeps_no_tracking_code_and_no_id_number() {
        let uri: axum::http::Uri = "/inquiries/Q1?code=s3cret&lang=en&x=110101199003070011".parse().unwrap();
        assert_eq!(super::loggable(&uri), "/inquiries/Q1?code=***&lang=en&x=1101**********0011");
        let uri: axum::http::Uri = "/logout?next=%2Finquiries%2FQ1%3Fcode%3Ds3cret&%63ode=s3cret".parse().unwrap();
        let logged = super::loggable(&uri);
        assert!(!logged.contains("s3cret"), "{logged}");
        assert_eq!(super::loggable(&"/healthz".parse().unwrap()), "/healthz");
    }
}
