//! Cookies of the signed-in web: the session cookie (HttpOnly, SameSite=Lax, Secure except on a
//! loopback host, where development runs over plain HTTP) and the CSRF token every form carries
//! (double submit: a SameSite=Strict cookie and a hidden field that must be equal).

use axum::http::header::{COOKIE, HOST, SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use std::net::SocketAddr;
use tongban_app::access::Principal;
use tongban_app::identity::{self, Client};
use tongban_app::{App, AppError};

pub const SESSION_COOKIE: &str = "tb_session";
pub const CSRF_COOKIE: &str = "tb_csrf";

/// The value of cookie `name`, if the request has it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Whether cookies get the Secure flag: always, except for a loopback host.
fn secure(headers: &HeaderMap) -> bool {
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let name =
        host.rsplit_once(':').map_or(host, |(h, port)| if port.chars().all(|c| c.is_ascii_digit()) { h } else { host });
    !(name == "localhost" || name.starts_with("127.") || name == "[::1]")
}

/// Adds a `Set-Cookie`; `max_age` 0 deletes the cookie, `None` makes it last the browser session.
pub fn set_cookie(
    res: &mut Response,
    headers: &HeaderMap,
    name: &str,
    value: &str,
    same_site: &str,
    max_age: Option<i64>,
) {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure(headers) {
        c.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&c) {
        res.headers_mut().append(SET_COOKIE, v);
    }
}

/// Starts the browser side of a session (after login or a rotation).
pub fn set_session(res: &mut Response, headers: &HeaderMap, token: &str) {
    set_cookie(res, headers, SESSION_COOKIE, token, "Lax", None);
}

pub fn clear_session(res: &mut Response, headers: &HeaderMap) {
    set_cookie(res, headers, SESSION_COOKIE, "", "Lax", Some(0));
}

/// The person signed in on this request, if any.
pub async fn current(app: &App, headers: &HeaderMap) -> Result<Option<Principal>, AppError> {
    match cookie(headers, SESSION_COOKIE) {
        Some(token) if !token.is_empty() => identity::authenticate(app, &token).await,
        _ => Ok(None),
    }
}

/// The CSRF token of this browser: the cookie's, or a new one that `remember` then sets.
pub struct Csrf {
    pub token: String,
    fresh: bool,
}

impl Csrf {
    pub fn of(headers: &HeaderMap) -> Result<Self, AppError> {
        match cookie(headers, CSRF_COOKIE).filter(|t| t.len() >= 32) {
            Some(token) => Ok(Self { token, fresh: false }),
            None => Ok(Self { token: identity::csrf_token()?, fresh: true }),
        }
    }

    pub fn remember(&self, res: &mut Response, headers: &HeaderMap) {
        if self.fresh {
            set_cookie(res, headers, CSRF_COOKIE, &self.token, "Strict", None);
        }
    }
}

/// Whether a form post carries this browser's CSRF token (compared in constant time).
pub fn csrf_ok(headers: &HeaderMap, submitted: Option<&str>) -> bool {
    let (Some(expected), Some(got)) = (cookie(headers, CSRF_COOKIE), submitted) else { return false };
    expected.len() >= 32
        && expected.len() == got.len()
        && expected.bytes().zip(got.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// The peer address of the connection, when the server records it.
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0)))
    }
}

/// Where the request comes from, for the sessions list and throttling.
pub fn client(headers: &HeaderMap, peer: &Peer) -> Client {
    Client {
        address: peer.0.map(|p| p.ip().to_string()).unwrap_or_default(),
        user_agent: headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn cookies_are_found_among_several() {
        let h = headers(&[("cookie", "lang=en; tb_csrf=abc"), ("cookie", "tb_session=xyz")]);
        assert_eq!(cookie(&h, "tb_csrf").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "tb_session").as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "tb"), None);
    }

    #[test]
    fn secure_except_on_loopback() {
        assert!(!secure(&headers(&[("host", "127.0.0.1:8080")])));
        assert!(!secure(&headers(&[("host", "localhost")])));
        assert!(secure(&headers(&[("host", "zwfw.example.gov.cn")])));
        assert!(secure(&headers(&[])));
    }

    #[test]
    fn csrf_needs_the_cookie_and_the_same_field() {
        let token = "a".repeat(43);
        let h = headers(&[("cookie", &format!("tb_csrf={token}"))]);
        assert!(csrf_ok(&h, Some(&token)));
        assert!(!csrf_ok(&h, Some(&"b".repeat(43))));
        assert!(!csrf_ok(&h, None));
        assert!(!csrf_ok(&headers(&[]), Some(&token)));
        let short = headers(&[("cookie", "tb_csrf=x")]);
        assert!(!csrf_ok(&short, Some("x")), "a token too short to be ours");
    }
}
