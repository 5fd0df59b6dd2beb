//! Outbound HTTP (出站请求): the one client every request the platform makes to another system
//! goes through — webhooks today, gateway upstreams and other nodes next. Timeouts, no redirects,
//! and addresses checked: a URL whose host is, or resolves to, a loopback, private, link-local
//! (the cloud metadata address among them), shared or otherwise non-public address is refused,
//! unless the address is in the configured allow-list (`outbound_allow`). The check runs in the
//! client's own resolver, at every connection, so a name that resolves to a public address when
//! registered and to an internal one later (DNS rebinding) is still refused.

use crate::AppError;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// The header of a signed post (a webhook delivery, a text to an SMS gateway) carrying the
/// signature: `hmac-sm3=` and the hex HMAC-SM3 of `TIMESTAMP.BODY` under the shared secret.
pub const SIGNATURE_HEADER: &str = "x-tongban-signature";
/// The header carrying the time of sending (Unix seconds), signed with the body so that a
/// receiver can refuse an old delivery replayed.
pub const TIMESTAMP_HEADER: &str = "x-tongban-timestamp";

/// The signature of a post sent at `timestamp`: what a receiver recomputes.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    format!("hmac-sm3={}", tongban_crypto::hmac_sm3_hex(secret.as_bytes(), format!("{timestamp}.{body}").as_bytes()))
}

/// A network written as `ADDRESS/PREFIX` (an address alone is itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(s: &str) -> Result<Self, String> {
        let (addr, prefix) = s.trim().split_once('/').unwrap_or((s.trim(), ""));
        let addr: IpAddr = addr.parse().map_err(|_| format!("not an IP address: {s}"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() { max } else { prefix.parse().map_err(|_| format!("not a prefix: {s}"))? };
        if prefix > max {
            return Err(format!("prefix over {max}: {s}"));
        }
        Ok(Self { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| match ip {
            IpAddr::V4(v) => (u128::from(u32::from(v)), 32u32),
            IpAddr::V6(v) => (u128::from(v), 128),
        };
        let ((net, width), (ip, ip_width)) = (bits(self.addr), bits(ip));
        if width != ip_width {
            return false;
        }
        let shift = width - u32::from(self.prefix);
        shift >= width || (net >> shift) == (ip >> shift)
    }
}

/// Whether `ip` is an address of the public internet: not loopback, private (RFC 1918, unique
/// local), link-local, shared (100.64/10), unspecified, broadcast, multicast, documentation or
/// benchmarking — and an IPv4-mapped IPv6 address as its IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v) => public_v4(v),
        IpAddr::V6(v) => match v.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v),
        },
    }
}

fn public_v4(v: Ipv4Addr) -> bool {
    let [a, b, ..] = v.octets();
    !(v.is_private()
        || v.is_loopback()
        || v.is_link_local()
        || v.is_unspecified()
        || v.is_broadcast()
        || v.is_multicast()
        || v.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn public_v6(v: Ipv6Addr) -> bool {
    let first = v.segments()[0];
    !(v.is_loopback()
        || v.is_unspecified()
        || v.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && v.segments()[1] == 0x0db8)
}

/// Which addresses requests may go to.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    /// Non-public networks allowed all the same (a department system on the government network).
    pub allowed: Vec<Network>,
}

impl AddressPolicy {
    pub fn parse(allowed: &[String]) -> Result<Self, String> {
        Ok(Self { allowed: allowed.iter().map(|n| Network::parse(n)).collect::<Result<_, _>>()? })
    }

    pub fn permits(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.allowed.iter().any(|n| n.contains(ip))
    }
}

/// The resolver of the outbound client: the system's, keeping only permitted addresses.
struct CheckedResolver(Arc<AddressPolicy>);

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let permitted: Vec<SocketAddr> = found.into_iter().filter(|a| policy.permits(a.ip())).collect();
            if permitted.is_empty() {
                return Err(format!("{host}: no permitted address (internal addresses need outbound_allow)").into());
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

/// The outbound client.
#[derive(Clone)]
pub struct Outbound {
    pub http: reqwest::Client,
    policy: Arc<AddressPolicy>,
}

impl Outbound {
    pub fn new(policy: AddressPolicy) -> Result<Self, AppError> {
        let policy = Arc::new(policy);
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(CheckedResolver(policy.clone())))
            .build()
            .map_err(AppError::internal)?;
        Ok(Self { http, policy })
    }

    /// Whether `url` may be called: http or https, and its host — an address, or a name resolved
    /// now — permitted. The field-named error says why not. Called when a URL is registered; the
    /// resolver checks again at every connection.
    pub async fn check_url(&self, field: &str, url: &str) -> Result<(), AppError> {
        let bad = |m: String| AppError::field(field, m);
        let parsed = reqwest::Url::parse(url)
            .map_err(|_| bad("应为 http:// 或 https:// 地址 (an http:// or https:// URL)".into()))?;
        if !matches!(parsed.scheme(), "http" | "https") || url.len() > 500 {
            return Err(bad("应为 http:// 或 https:// 地址 (an http:// or https:// URL)".into()));
        }
        let refused = |host: &str| {
            bad(format!(
                "{host} 是内部地址，不能作为推送地址；确需使用请由运维在 outbound_allow 中放行 \
                 ({host} is an internal address: allow it in outbound_allow if it must be called)"
            ))
        };
        let port = parsed.port_or_known_default().unwrap_or(80);
        let ips: Vec<IpAddr> = match parsed.host() {
            Some(url::Host::Ipv4(v)) => vec![IpAddr::V4(v)],
            Some(url::Host::Ipv6(v)) => vec![IpAddr::V6(v)],
            Some(url::Host::Domain(d)) => tokio::net::lookup_host((d, port))
                .await
                .map_err(|_| bad(format!("无法解析 {d} (cannot resolve {d})")))?
                .map(|a| a.ip())
                .collect(),
            None => return Err(bad("缺少主机名 (no host)".into())),
        };
        if ips.is_empty() || ips.iter().any(|ip| !self.policy.permits(*ip)) {
            return Err(refused(parsed.host_str().unwrap_or_default()));
        }
        Ok(())
    }

    /// Whether a URL given as an address (no name to resolve) is permitted: the resolver never sees
    /// those, so every request checks them here.
    pub fn literal_permitted(&self, url: &str) -> bool {
        reqwest::Url::parse(url).is_ok_and(|u| self.url_permitted(&u))
    }

    /// `literal_permitted` of a URL parsed already.
    pub fn url_permitted(&self, url: &reqwest::Url) -> bool {
        match url.host() {
            Some(url::Host::Ipv4(v)) => self.policy.permits(IpAddr::V4(v)),
            Some(url::Host::Ipv6(v)) => self.policy.permits(IpAddr::V6(v)),
            Some(url::Host::Domain(_)) => true,
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip(internal)), "{internal}");
        }
        for public in ["1.1.1.1", "203.119.29.1", "2400:3200::1", "::ffff:8.8.8.8"] {
            assert!(is_public(ip(public)), "{public}");
        }
    }

    #[test]
    fn the_allow_list_opens_its_networks_only() {
        let p = AddressPolicy::parse(&["10.1.0.0/16".into(), "127.0.0.1".into()]).unwrap();
        assert!(p.permits(ip("10.1.200.3")) && p.permits(ip("127.0.0.1")) && p.permits(ip("8.8.8.8")));
        assert!(!p.permits(ip("10.2.0.1")) && !p.permits(ip("127.0.0.2")) && !p.permits(ip("169.254.169.254")));
        assert!(AddressPolicy::parse(&["10.0.0.0/33".into()]).is_err());
        assert!(AddressPolicy::parse(&["intranet".into()]).is_err());
        assert!(Network::parse("0.0.0.0/0").unwrap().contains(ip("10.0.0.1")));
    }
}
