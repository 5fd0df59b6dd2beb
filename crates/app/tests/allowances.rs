//! Allowances per address across nodes: with Redis (`TEST_REDIS_URL`, as CI sets it) two nodes
//! spend one allowance; without, each process counts its own. A Redis that does not answer is
//! refused at start.

use std::time::Duration;
use tongban_app::limit::{self, PerMinute};

/// An address no other test run counts (its /64 is the key).
fn fresh_address() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("2001:db8:{:x}:{:x}::1", std::process::id() & 0xffff, nanos & 0xffff)
}

/// Counters live for a clock minute: start a test early in one.
async fn early_in_a_minute() {
    let second = chrono::Utc::now().timestamp() % 60;
    if second > 50 {
        tokio::time::sleep(Duration::from_secs((61 - second) as u64)).await;
    }
}

#[tokio::test]
async fn two_nodes_spend_one_allowance_when_it_is_counted_in_redis() {
    early_in_a_minute().await;
    let address = fresh_address();
    let other = address.replacen("2001:db8:", "2001:db9:", 1);
    match std::env::var("TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => {
            let redis = limit::redis(&url).await.unwrap();
            let a = PerMinute::new(3).shared(redis.clone(), "test");
            let b = PerMinute::new(3).shared(redis, "test");
            assert!(a.admit(&address).await && b.admit(&address).await && a.admit(&address).await);
            assert!(!b.admit(&address).await, "the fourth in the minute, whichever node it reaches");
            assert!(!a.admit(&address).await);
            assert!(!a.admit(&address.replace("::1", "::2")).await, "the same /64 is one address");
            assert!(a.admit(&other).await);
        }
        _ => {
            let (a, b) = (PerMinute::new(3), PerMinute::new(3));
            for _ in 0..3 {
                assert!(a.admit(&address).await);
            }
            assert!(!a.admit(&address).await);
            assert!(b.admit(&address).await, "each process counts its own");
            assert!(a.admit(&other).await);
        }
    }
}

#[tokio::test]
async fn a_redis_that_does_not_answer_is_refused_at_start() {
    let Err(e) = limit::redis("redis://127.0.0.1:1").await else { panic!("nothing listens on port 1") };
    assert!(e.contains("redis_url"), "{e}");
}
