//! Allowances per address and minute: login attempts, public licence verifications. An IPv6
//! address counts by its /64 (one customer's network), so a flood from one network is one
//! address. Counted in Redis when one is configured (`redis_url`), so every node behind the load
//! balancer spends one allowance — a counter per address and clock minute, `INCR` and `EXPIRE` in
//! one round trip; else, and while Redis does not answer, in this process. (Why Redis and not the
//! database: docs/decisions/0004-leases-and-shared-allowances.md.) The process's map is swept of ended
//! minutes once a minute, not on every request, and holds at most `capacity` addresses: past
//! that, during a flood of addresses, new ones share one allowance until the next sweep.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MINUTE: Duration = Duration::from_secs(60);
/// Addresses counted at most (about 100 bytes each).
const CAPACITY: usize = 200_000;

/// Requests one address may make in a minute.
pub struct PerMinute {
    limit: u32,
    capacity: usize,
    state: Mutex<State>,
    shared: Option<Shared>,
}

/// The counters every node shares.
struct Shared {
    redis: redis::aio::ConnectionManager,
    /// What is counted (`login`, `verify`): part of each counter's key.
    name: &'static str,
    /// When an outage was last logged (once a minute, not once a request).
    warned: Mutex<Option<Instant>>,
}

/// Connects to the Redis at `url` that nodes count allowances in; refused at start rather than
/// found missing under load.
pub async fn redis(url: &str) -> Result<redis::aio::ConnectionManager, String> {
    let client = redis::Client::open(url).map_err(|e| format!("redis_url: {e}"))?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        // A reconnection is tried at most twice, a call at a time: meanwhile the process counts.
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_millis(500))
        .set_response_timeout(Some(Duration::from_millis(500)));
    client.get_connection_manager_with_config(config).await.map_err(|e| format!("redis_url {url}: {e}"))
}

struct State {
    counts: HashMap<String, (Instant, u32)>,
    swept: Instant,
    /// The allowance new addresses share while the map is full.
    overflow: (Instant, u32),
}

/// What an address counts as: itself, or an IPv6 address's /64.
fn key(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => address.to_owned(),
    }
}

/// Counts one request in a minute that started at `start`; the count now.
fn count(entry: &mut (Instant, u32), now: Instant) -> u32 {
    if now.duration_since(entry.0) >= MINUTE {
        *entry = (now, 0);
    }
    entry.1 = entry.1.saturating_add(1);
    entry.1
}

impl PerMinute {
    pub fn new(limit: u32) -> Self {
        Self::with_capacity(limit, CAPACITY)
    }

    pub fn with_capacity(limit: u32, capacity: usize) -> Self {
        let now = Instant::now();
        let state = State { counts: HashMap::new(), swept: now, overflow: (now, 0) };
        Self { limit: limit.max(1), capacity: capacity.max(1), state: Mutex::new(state), shared: None }
    }

    /// Counted in `redis`, shared with every node, under `name`.
    pub fn shared(self, redis: redis::aio::ConnectionManager, name: &'static str) -> Self {
        Self { shared: Some(Shared { redis, name, warned: Mutex::new(None) }), ..self }
    }

    /// Counts a request from `address`; false once it has made its minute's allowance.
    pub async fn admit(&self, address: &str) -> bool {
        if let Some(s) = &self.shared {
            let minute = chrono::Utc::now().timestamp() / 60;
            let counter = format!("tongban:allowance:{}:{}:{minute}", s.name, key(address));
            let counted = redis::pipe()
                .atomic()
                .incr(&counter, 1u32)
                .expire(&counter, 120)
                .ignore()
                .query_async::<(u32,)>(&mut s.redis.clone())
                .await;
            match counted {
                Ok((n,)) => return n <= self.limit,
                // Counted here meanwhile: each node then allows the allowance on its own.
                Err(e) => {
                    let mut warned = s.warned.lock().unwrap_or_else(|p| p.into_inner());
                    if warned.is_none_or(|at| at.elapsed() >= MINUTE) {
                        tracing::warn!(error = %e, "shared allowances unavailable: counting in this process");
                        *warned = Some(Instant::now());
                    }
                }
            }
        }
        self.admit_here(address)
    }

    /// Counts a request from `address` in this process.
    fn admit_here(&self, address: &str) -> bool {
        let Ok(mut s) = self.state.lock() else { return true };
        let now = Instant::now();
        if now.duration_since(s.swept) >= MINUTE {
            s.counts.retain(|_, (start, _)| now.duration_since(*start) < MINUTE);
            s.swept = now;
        }
        let key = key(address);
        let n = if s.counts.contains_key(&key) || s.counts.len() < self.capacity {
            count(s.counts.entry(key).or_insert((now, 0)), now)
        } else {
            count(&mut s.overflow, now)
        };
        n <= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_allowance() {
        let l = PerMinute::new(2);
        assert!(l.admit_here("a") && l.admit_here("a"));
        assert!(!l.admit_here("a"), "the third in the minute");
        assert!(l.admit_here("b"));
    }

    #[test]
    fn an_ipv6_network_is_one_address() {
        let l = PerMinute::new(2);
        assert!(l.admit_here("2400:3200:1:2::1") && l.admit_here("2400:3200:1:2:ffff::9"));
        assert!(!l.admit_here("2400:3200:1:2:abcd::7"), "the same /64");
        assert!(l.admit_here("2400:3200:1:3::1"), "another /64");
    }

    #[test]
    fn a_flood_of_addresses_stays_bounded() {
        let l = PerMinute::with_capacity(3, 100);
        for i in 0..100 {
            assert!(l.admit_here(&format!("10.0.{}.{}", i / 250, i % 250)));
        }
        // Full: new addresses share one allowance; the ones counted keep theirs.
        assert!(l.admit_here("192.0.2.1") && l.admit_here("192.0.2.2") && l.admit_here("192.0.2.3"));
        assert!(!l.admit_here("192.0.2.4"), "the shared allowance is spent");
        assert!(l.admit_here("10.0.0.1"), "a counted address keeps its own");
        assert_eq!(l.state.lock().unwrap().counts.len(), 100);
    }
}
