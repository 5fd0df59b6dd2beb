//! Background jobs run once among processes sharing a database: a lease is held by one process
//! until it lapses or is given up, racing processes take it once, and `leases::every` runs a job
//! only where its lease is held — and elsewhere once the holder gives it up; a node number is
//! served by one live process.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tongban_app::catalog::IndexLocation;
use tongban_app::identity::{Identity, Policy};
use tongban_app::{App, AppError, leases};
use tongban_crypto::{KeyRing, PasswordParams};
use tongban_store::testing::{TestStore, fresh_store};

/// Two processes' applications on one database (each with its own pool and instance).
async fn two() -> (TestStore, App, App) {
    let t = fresh_store().await;
    let open = || async {
        let params = PasswordParams { memory_kib: 64, passes: 1, lanes: 1 };
        let id = Identity::new(KeyRing::generate("t").unwrap(), Policy::default(), params).unwrap();
        App::open(&t.target, IndexLocation::None, id).await.unwrap()
    };
    let (a, b) = (open().await, open().await);
    assert_ne!(a.instance, b.instance);
    (t, a, b)
}

fn at(s: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
}

#[tokio::test]
async fn a_lease_is_held_by_one_process_until_it_lapses_or_is_given_up() {
    let (_t, a, b) = two().await;
    let term = Duration::from_secs(30);
    assert!(leases::take(&a, "sweep", at(0), term).await.unwrap());
    assert!(!leases::take(&b, "sweep", at(1), term).await.unwrap(), "held by a");
    assert!(leases::take(&a, "sweep", at(10), term).await.unwrap(), "a renews: until 40");
    assert!(!leases::take(&b, "sweep", at(35), term).await.unwrap(), "renewed, not lapsed");
    assert!(leases::take(&b, "other", at(35), term).await.unwrap(), "another job is free");
    assert!(leases::take(&b, "sweep", at(40), term).await.unwrap(), "lapsed at 40: b takes it");
    assert!(!leases::take(&a, "sweep", at(41), term).await.unwrap(), "a lost it");
    let held: Vec<(String, String)> = leases::list(&a).await.unwrap().into_iter().map(|l| (l.name, l.holder)).collect();
    let b_is = b.instance.to_string();
    assert_eq!(held, [("other".to_owned(), b_is.clone()), ("sweep".to_owned(), b_is)]);
    // b stops: a takes both at once, not when they lapse.
    assert_eq!(leases::give_up(&b).await.unwrap(), 2);
    assert!(leases::take(&a, "sweep", chrono::Utc::now(), term).await.unwrap());
    assert!(leases::take(&a, "other", chrono::Utc::now(), term).await.unwrap());
}

#[tokio::test]
async fn racing_processes_take_a_lease_once() {
    let (_t, a, b) = two().await;
    for round in 0..5 {
        let name = format!("job-{round}");
        let racers = (0..8).map(|i| {
            let mut app = if i % 2 == 0 { a.clone() } else { b.clone() };
            app.instance = format!("racer-{i}").into();
            let name = name.clone();
            tokio::spawn(async move { leases::take(&app, &name, at(0), Duration::from_secs(30)).await.unwrap() })
        });
        let mut won = 0;
        for r in racers.collect::<Vec<_>>() {
            won += u32::from(r.await.unwrap());
        }
        assert_eq!(won, 1, "round {round}: exactly one racer holds the lease");
    }
}

#[tokio::test]
async fn a_job_runs_only_where_its_lease_is_held_and_moves_when_given_up() {
    let (_t, a, b) = two().await;
    let counter = || Arc::new(AtomicU32::new(0));
    let (ran_a, ran_b) = (counter(), counter());
    let job = |n: Arc<AtomicU32>| {
        move |_app: App| {
            let n = n.clone();
            async move {
                n.fetch_add(1, Ordering::SeqCst);
            }
        }
    };
    let every = Duration::from_millis(50);
    let on_a = leases::every(&a, "tick", every, job(ran_a.clone()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let on_b = leases::every(&b, "tick", every, job(ran_b.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(ran_a.load(Ordering::SeqCst) >= 5, "a holds the lease and runs the job");
    assert_eq!(ran_b.load(Ordering::SeqCst), 0, "b never runs it while a holds the lease");
    // a stops (as `serve` does on SIGTERM): b runs the job from its next round on.
    on_a.abort();
    let _ = on_a.await;
    leases::give_up(&a).await.unwrap();
    let stopped_at = ran_a.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(ran_b.load(Ordering::SeqCst) >= 5, "b took the job over");
    assert_eq!(ran_a.load(Ordering::SeqCst), stopped_at);
    on_b.abort();
}

#[tokio::test]
async fn a_node_number_held_by_a_live_process_is_refused_and_a_dead_ones_taken_over() {
    let (_t, a, b) = two().await;
    let term = Duration::from_secs(2);
    leases::claim_node(&a, 7, term).await.unwrap();
    // a lives: it renews its lease while b waits for it to lapse.
    let renewing = {
        let a = a.clone();
        tokio::spawn(async move {
            loop {
                assert!(leases::take(&a, &leases::node_lease(7), chrono::Utc::now(), term).await.unwrap());
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        })
    };
    match leases::claim_node(&b, 7, term).await {
        Err(AppError::Conflict { field: "node_id", message }) => assert!(message.contains("节点编号 7"), "{message}"),
        other => panic!("a live node's number was taken: {other:?}"),
    }
    leases::claim_node(&b, 8, term).await.unwrap();
    // a is killed (no giving up): b serves as node 7 once a's lease lapses.
    renewing.abort();
    let _ = renewing.await;
    leases::claim_node(&b, 7, term).await.unwrap();
    assert!(!leases::take(&a, &leases::node_lease(7), chrono::Utc::now(), term).await.unwrap());
}
