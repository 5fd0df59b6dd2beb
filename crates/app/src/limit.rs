//! Allowances per address and minute, counted in this process (a node counts the requests it
//! serves): login attempts, public licence verifications.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Requests one address may make in a minute.
pub struct PerMinute {
    limit: u32,
    counts: Mutex<HashMap<String, (Instant, u32)>>,
}

impl PerMinute {
    pub fn new(limit: u32) -> Self {
        Self { limit: limit.max(1), counts: Mutex::new(HashMap::new()) }
    }

    /// Counts a request from `address`; false once it has made its minute's allowance.
    pub fn admit(&self, address: &str) -> bool {
        let Ok(mut counts) = self.counts.lock() else { return true };
        let now = Instant::now();
        // Bounded: a flood of addresses drops the minutes that are over.
        if counts.len() > 100_000 {
            counts.retain(|_, (start, _)| now.duration_since(*start).as_secs() < 60);
        }
        let entry = counts.entry(address.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0).as_secs() >= 60 {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= self.limit
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
}
