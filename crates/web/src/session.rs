//! Cookies of the signed-in web: the session cookie (HttpOnly, SameSite=Lax) and the CSRF token
//! every form carries. Over HTTPS (a `public_url` of `https://`, as every deployment has) both
//! are `Secure` and named with the `__Host-` prefix, so no other host — a sibling subdomain
//! included — can set or overwrite them; over plain HTTP (development on this machine) neither,
//! since browsers refuse them there. The CSRF token of a signed-in browser is bound to its
//! session (a keyed digest of it): a token planted by another site is never the one expected.

use crate::AppState;
use axum::http::header::{COOKIE, SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use tongban_app::access::Principal;
use tongban_app::identity::{self, Client};
use tongban_app::outbound::Network;
use tongban_app::{AppError, Config};

/// The names and flags of this deployment's cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cookies {
    secure: bool,
}

impl Cookies {
    pub fn of(config: &Config) -> Self {
        Self { secure: config.public_url.as_deref().is_some_and(|u| u.starts_with("https://")) }
    }

    pub fn session(&self) -> &'static str {
        if self.secure { "__Host-tb_session" } else { "tb_session" }
    }

    pub fn csrf(&self) -> &'static str {
        if self.secure { "__Host-tb_csrf" } else { "tb_csrf" }
    }
}

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

/// Adds a `Set-Cookie`; `max_age` 0 deletes the cookie, `None` makes it last the browser session.
fn set_cookie(res: &mut Response, c: Cookies, name: &str, value: &str, same_site: &str, max_age: Option<i64>) {
    let mut v = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(age) = max_age {
        v.push_str(&format!("; Max-Age={age}"));
    }
    if c.secure {
        v.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&v) {
        res.headers_mut().append(SET_COOKIE, v);
    }
}

/// The session token the browser sent, if any.
pub fn session_token(s: &AppState, headers: &HeaderMap) -> Option<String> {
    cookie(headers, s.cookies.session()).filter(|t| !t.is_empty())
}

/// Starts the browser side of a session (after login or a rotation), with the CSRF token bound
/// to it.
pub fn set_session(s: &AppState, res: &mut Response, token: &str) {
    set_cookie(res, s.cookies, s.cookies.session(), token, "Lax", None);
    set_cookie(res, s.cookies, s.cookies.csrf(), &identity::session_csrf(&s.app, token), "Strict", None);
}

pub fn clear_session(s: &AppState, res: &mut Response) {
    set_cookie(res, s.cookies, s.cookies.session(), "", "Lax", Some(0));
}

/// The person signed in on this request, if any.
pub async fn current(s: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, AppError> {
    match session_token(s, headers) {
        Some(token) => identity::authenticate(&s.app, &token).await,
        None => Ok(None),
    }
}

/// The CSRF token a form of this browser carries: bound to its session when it has one, else the
/// cookie's (double submit), or a new one that `remember` then sets.
pub struct Csrf {
    pub token: String,
    fresh: bool,
}

impl Csrf {
    pub fn of(s: &AppState, headers: &HeaderMap) -> Result<Self, AppError> {
        let cookie = cookie(headers, s.cookies.csrf());
        let token = match session_token(s, headers) {
            Some(session) => identity::session_csrf(&s.app, &session),
            None => match cookie.clone().filter(|t| t.len() >= 32) {
                Some(t) => t,
                None => identity::csrf_token()?,
            },
        };
        Ok(Self { fresh: cookie.as_deref() != Some(token.as_str()), token })
    }

    pub fn remember(&self, s: &AppState, res: &mut Response) {
        if self.fresh {
            set_cookie(res, s.cookies, s.cookies.csrf(), &self.token, "Strict", None);
        }
    }
}

/// Whether a post carries the CSRF token expected of this browser: the one bound to its session
/// when it sends one, else its cookie's (compared in constant time).
pub fn csrf_ok(s: &AppState, headers: &HeaderMap, submitted: Option<&str>) -> bool {
    let expected = match session_token(s, headers) {
        Some(session) => Some(identity::session_csrf(&s.app, &session)),
        None => cookie(headers, s.cookies.csrf()),
    };
    let (Some(expected), Some(got)) = (expected, submitted) else { return false };
    expected.len() >= 32
        && expected.len() == got.len()
        && expected.bytes().zip(got.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Where the request comes from: the connection's peer or, when the peer is a trusted proxy
/// (`trusted_proxies`), the address the proxies say it forwarded for (`forwarded_client`).
pub struct Peer(pub Option<IpAddr>);

impl axum::extract::FromRequestParts<AppState> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(Self(peer.map(|p| forwarded_client(p, &parts.headers, &s.trusted_proxies))))
    }
}

/// The client behind `peer`: walking `X-Forwarded-For` from the right (each proxy appends the
/// address it was reached from), the first address that is not a trusted proxy. The addresses
/// left of it are whatever the client wrote, so none is believed; a peer that is not a trusted
/// proxy is the client itself, whatever it sends.
pub fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &[Network]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer;
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        if !is_trusted(client) {
            break;
        }
        // A hop that is not an address ends the walk at the last proxy that wrote one.
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = ip;
    }
    client
}

/// Where the request comes from, for the sessions list and throttling.
pub fn client(headers: &HeaderMap, peer: &Peer) -> Client {
    Client {
        address: peer.0.map(|p| p.to_string()).unwrap_or_default(),
        user_agent: headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        let trusted: Vec<Network> = ["10.0.0.0/24", "127.0.0.1"].iter().map(|n| Network::parse(n).unwrap()).collect();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let with = |xff: &[&str]| {
            let mut h = HeaderMap::new();
            for v in xff {
                h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
            }
            h
        };
        let proxy = ip("10.0.0.5");
        // Behind one proxy; behind two (the inner one trusted); a forged entry left of the real one.
        assert_eq!(forwarded_client(proxy, &with(&["203.0.113.7"]), &trusted), ip("203.0.113.7"));
        assert_eq!(forwarded_client(proxy, &with(&["203.0.113.7, 10.0.0.9"]), &trusted), ip("203.0.113.7"));
        assert_eq!(forwarded_client(proxy, &with(&["1.1.1.1", "203.0.113.7"]), &trusted), ip("203.0.113.7"));
        assert_eq!(forwarded_client(proxy, &with(&["1.1.1.1, 203.0.113.7"]), &trusted), ip("203.0.113.7"));
        // Not from a trusted proxy: the header is the sender's own text.
        assert_eq!(forwarded_client(ip("198.51.100.2"), &with(&["203.0.113.7"]), &trusted), ip("198.51.100.2"));
        // No header, or garbage: the proxy itself.
        assert_eq!(forwarded_client(proxy, &HeaderMap::new(), &trusted), proxy);
        assert_eq!(forwarded_client(proxy, &with(&["unknown"]), &trusted), proxy);
        assert_eq!(forwarded_client(proxy, &with(&["203.0.113.7, unknown, 10.0.0.9"]), &trusted), ip("10.0.0.9"));
    }

    #[test]
    fn cookies_are_found_among_several() {
        let mut h = HeaderMap::new();
        h.append("cookie", HeaderValue::from_static("lang=en; tb_csrf=abc"));
        h.append("cookie", HeaderValue::from_static("tb_session=xyz"));
        assert_eq!(cookie(&h, "tb_csrf").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "tb_session").as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "tb"), None);
    }

    #[test]
    fn secure_and_host_bound_over_https_only() {
        let https =
            Cookies::of(&Config { public_url: Some("https://zwfw.example.gov.cn".into()), ..Config::default() });
        assert_eq!((https.session(), https.csrf()), ("__Host-tb_session", "__Host-tb_csrf"));
        assert!(https.secure);
        let http = Cookies::of(&Config { public_url: Some("http://127.0.0.1:8080".into()), ..Config::default() });
        assert_eq!((http.session(), http.secure), ("tb_session", false));
    }
}
