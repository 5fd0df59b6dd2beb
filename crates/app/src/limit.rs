//! Allowances per address and minute, counted in this process (a node counts the requests it
//! serves): login attempts, public licence verifications. An IPv6 address counts by its /64 (one
//! customer's network), so a flood from one network is one address. The map is swept of ended
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
        Self { limit: limit.max(1), capacity: capacity.max(1), state: Mutex::new(state) }
    }

    /// Counts a request from `address`; false once it has made its minute's allowance.
    pub fn admit(&self, address: &str) -> bool {
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
        assert!(l.admit("a") && l.admit("a"));
        assert!(!l.admit("a"), "the third in the minute");
        assert!(l.admit("b"));
    }

    #[test]
    fn an_ipv6_network_is_one_address() {
        let l = PerMinute::new(2);
        assert!(l.admit("2400:3200:1:2::1") && l.admit("2400:3200:1:2:ffff::9"));
        assert!(!l.admit("2400:3200:1:2:abcd::7"), "the same /64");
        assert!(l.admit("2400:3200:1:3::1"), "another /64");
    }

    #[test]
    fn a_flood_of_addresses_stays_bounded() {
        let l = PerMinute::with_capacity(3, 100);
        for i in 0..100 {
            assert!(l.admit(&format!("10.0.{}.{}", i / 250, i % 250)));
        }
        // Full: new addresses share one allowance; the ones counted keep theirs.
        assert!(l.admit("192.0.2.1") && l.admit("192.0.2.2") && l.admit("192.0.2.3"));
        assert!(!l.admit("192.0.2.4"), "the shared allowance is spent");
        assert!(l.admit("10.0.0.1"), "a counted address keeps its own");
        assert_eq!(l.state.lock().unwrap().counts.len(), 100);
    }
}
