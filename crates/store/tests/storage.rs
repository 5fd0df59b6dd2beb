//! The storage test suite. It runs on SQLite by default and on PostgreSQL when
//! `TEST_DATABASE_URL` is a postgres:// URL (see `tongban_store::testing`).

use chrono::NaiveDate;
use tongban_domain::DivisionLevel;
use tongban_domain::calendar::{CalendarYear, SpecialDay};
use tongban_store::divisions::DivisionRecord;
use tongban_store::testing::fresh_store;

fn div(code: &str, name: &str, level: DivisionLevel, parent: Option<&str>) -> DivisionRecord {
    DivisionRecord { code: code.into(), name: name.into(), level, parent_code: parent.map(Into::into) }
}

fn sample_divisions() -> Vec<DivisionRecord> {
    vec![
        div("110000", "北京市", DivisionLevel::Province, None),
        div("110100", "市辖区", DivisionLevel::Prefecture, Some("110000")),
        div("110101", "东城区", DivisionLevel::County, Some("110100")),
        div("110102", "西城区", DivisionLevel::County, Some("110100")),
        div("110101001", "东华门街道", DivisionLevel::Township, Some("110101")),
    ]
}

#[tokio::test]
async fn migrations_are_idempotent_and_ping_works() {
    let t = fresh_store().await;
    t.store.migrate().await.unwrap();
    t.store.ping().await.unwrap();
    assert!(t.store.pool_stats().size >= 1);
}

#[tokio::test]
async fn divisions_replace_lookup_children_and_path() {
    let t = fresh_store().await;
    let s = &t.store;
    assert_eq!(s.divisions_version().await.unwrap(), None);
    s.replace_divisions("test-1", &sample_divisions()).await.unwrap();
    assert_eq!(s.divisions_version().await.unwrap().as_deref(), Some("test-1"));

    let d = s.division("110101").await.unwrap().unwrap();
    assert_eq!(d.name, "东城区");
    assert_eq!(d.level, DivisionLevel::County);
    assert_eq!(s.division("999999").await.unwrap(), None);

    let children: Vec<_> = s.division_children("110100").await.unwrap().into_iter().map(|d| d.code).collect();
    assert_eq!(children, ["110101", "110102"]);
    assert!(s.division_children("110102").await.unwrap().is_empty());

    let roots: Vec<_> = s.division_roots().await.unwrap().into_iter().map(|d| d.code).collect();
    assert_eq!(roots, ["110000"]);

    let path: Vec<_> = s.division_path("110101001").await.unwrap().into_iter().map(|d| d.name).collect();
    assert_eq!(path, ["北京市", "市辖区", "东城区", "东华门街道"]);

    // A second load replaces the first entirely.
    s.replace_divisions("test-2", &sample_divisions()[..1]).await.unwrap();
    assert_eq!(s.division("110101").await.unwrap(), None);
    assert_eq!(s.divisions_version().await.unwrap().as_deref(), Some("test-2"));
}

#[tokio::test]
async fn failed_division_load_writes_nothing() {
    let t = fresh_store().await;
    let s = &t.store;
    s.replace_divisions("good", &sample_divisions()).await.unwrap();
    let mut dup = sample_divisions();
    dup.push(dup[0].clone());
    assert!(s.replace_divisions("bad", &dup).await.is_err());
    assert_eq!(s.divisions_version().await.unwrap().as_deref(), Some("good"));
    assert!(s.division("110102").await.unwrap().is_some());
}

fn year(y: i32, days: &[(&str, bool)]) -> CalendarYear {
    CalendarYear {
        year: y,
        papers: vec![format!("notice {y}")],
        days: days
            .iter()
            .map(|(d, off)| SpecialDay {
                name: "节".into(),
                date: NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap(),
                is_off_day: *off,
            })
            .collect(),
        schema: None,
        id: None,
    }
}

#[tokio::test]
async fn calendar_years_round_trip_and_replace() {
    let t = fresh_store().await;
    let s = &t.store;
    assert_eq!(s.calendar_revision().await.unwrap(), 0);
    let y26 = year(2026, &[("2026-01-01", true), ("2026-01-04", false)]);
    let r1 = s.put_calendar_year(&y26, "vendored").await.unwrap();
    let y27 = year(2027, &[("2026-12-31", true), ("2027-01-01", true)]);
    let r2 = s.put_calendar_year(&y27, "2027.json").await.unwrap();
    assert!(r2 > r1);
    let (rev, years) = s.calendar_years().await.unwrap();
    assert_eq!(rev, r2);
    assert_eq!(years, vec![y26.clone(), y27]);

    // Reloading a year replaces its days.
    let y26b = year(2026, &[("2026-01-01", true)]);
    s.put_calendar_year(&y26b, "fix.json").await.unwrap();
    let (_, years) = s.calendar_years().await.unwrap();
    assert_eq!(years[0], y26b);
    let summary = s.calendar_summary().await.unwrap();
    assert_eq!(summary.len(), 2);
    assert_eq!((summary[0].year, summary[0].days, summary[0].source.as_str()), (2026, 1, "fix.json"));
}

#[tokio::test]
async fn failed_calendar_load_keeps_the_previous_year() {
    let t = fresh_store().await;
    let s = &t.store;
    let good = year(2026, &[("2026-01-01", true)]);
    s.put_calendar_year(&good, "good").await.unwrap();
    // The same date twice violates the primary key: the whole load must roll back.
    let bad = year(2026, &[("2026-05-01", true), ("2026-05-01", true)]);
    assert!(s.put_calendar_year(&bad, "bad").await.is_err());
    let (_, years) = s.calendar_years().await.unwrap();
    assert_eq!(years, vec![good]);
}

#[tokio::test]
async fn a_message_is_taken_by_one_sender_only() {
    use chrono::{SubsecRound, Utc};
    let t = fresh_store().await;
    let now = Utc::now().trunc_subsecs(6);
    let row = |id: &str| tongban_store::outbound::OutboundRow {
        id: id.into(),
        person_id: "p1".into(),
        channel: "sms".into(),
        kind: "case_changed".into(),
        payload_sealed: "sealed".into(),
        status: "pending".into(),
        attempts: 0,
        next_at: now,
        expires_at: now + chrono::Duration::hours(1),
        last_error: None,
        receipt: None,
        created_at: now,
        sent_at: None,
        topic: None,
    };
    let rows = vec![row("o1"), row("o2")];
    t.store.insert_outbound(rows.clone()).await.unwrap();
    let hold = now + chrono::Duration::seconds(60);
    let taken = t.store.take_outbound(&rows, hold).await.unwrap();
    assert_eq!(taken.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["o1", "o2"]);
    assert!(taken.iter().all(|r| r.next_at == hold), "held");
    assert!(t.store.take_outbound(&rows, hold).await.unwrap().is_empty(), "a second sender finds them taken");
    assert!(t.store.take_due_outbound(now, chrono::Duration::seconds(60), 10).await.unwrap().is_empty(), "held");
    let later = hold + chrono::Duration::seconds(1);
    assert_eq!(t.store.take_due_outbound(later, chrono::Duration::seconds(60), 10).await.unwrap().len(), 2);
}

/// What `/readyz` asks. A PostgreSQL session whose transactions are read-only by default stands in
/// for a standby.
#[tokio::test]
async fn a_read_only_database_is_not_writable() {
    let t = fresh_store().await;
    assert!(t.store.writable().await.unwrap());
    if let tongban_store::DbTarget::Postgres { url, .. } = &t.target {
        let sep = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{sep}options=-c%20default_transaction_read_only%3Don");
        let target = tongban_store::DbTarget::Postgres { url, schema: None };
        let standby = tongban_store::Store::connect(&target).await.unwrap();
        assert!(!standby.writable().await.unwrap());
    }
}

/// Two nodes issuing one licence identifier, or two licences for one case, at once: one writes
/// it, the other is told it is taken (the application answers 409) — never a database error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_licence_is_written_once_when_two_nodes_race() {
    use tongban_store::licences::{LicenceEventRow, LicenceRow};
    let t = fresh_store().await;
    let other = tongban_store::Store::connect(&t.target).await.unwrap();
    let licence = |id: &str, case: &str| LicenceRow {
        id: id.into(),
        type_code: "11100000000013338W011".into(),
        issuer_code: "11110000000021135M".into(),
        holder_person: None,
        holder_organization: String::new(),
        status: "01".into(),
        sealed: "{}".into(),
        case_number: Some(case.into()),
        valid_to: None,
        issued_at: chrono::Utc::now(),
        holder_index: None,
    };
    let event = |id: &str| LicenceEventRow {
        licence_id: id.into(),
        seq: 1,
        operation: "issue".into(),
        status: "01".into(),
        actor_id: "test".into(),
        reason: String::new(),
        at: chrono::Utc::now(),
    };
    for round in 0..10 {
        // The same identifier; then another identifier for the same case.
        for (a_id, b_id) in [(format!("L{round}"), format!("L{round}")), (format!("M{round}a"), format!("M{round}b"))] {
            let case = format!("{a_id}-case");
            let (s1, s2) = (t.store.clone(), other.clone());
            let (l1, l2) = (licence(&a_id, &case), licence(&b_id, &case));
            let (e1, e2) = (event(&a_id), event(&b_id));
            let one = tokio::spawn(async move { s1.insert_licence(l1, e1, None, None).await });
            let two = tokio::spawn(async move { s2.insert_licence(l2, e2, None, None).await });
            let (one, two) = (one.await.unwrap().unwrap(), two.await.unwrap().unwrap());
            assert!(one ^ two, "round {round} ({a_id}, {b_id}): exactly one written, got {one} and {two}");
        }
    }
}

/// The call log's batches: read back as written (on SQLite they go through the log's own
/// connection), all or none when one call of a batch cannot be kept, and found by day and grant.
#[tokio::test]
async fn call_log_batches_are_kept_whole_or_not_at_all() {
    use tongban_store::exchange::CallRow;
    let t = fresh_store().await;
    let s = &t.store;
    let call = |seq: i64, at: &str, grant: Option<&str>| CallRow {
        node: 2,
        seq,
        at: at.parse().unwrap(),
        day: "2026-12-08".into(),
        client_id: "sys-1".into(),
        consumer_agency: "1111010143783071XP".into(),
        resource: "市场主体/状态".into(),
        grant_id: grant.map(Into::into),
        case_number: (seq == 2).then(|| "110101-20261208-000002".into()),
        status: if seq == 3 { 403 } else { 200 },
        code: "ok".into(),
        upstream_ms: 3,
        total_ms: 5,
        request_sm3: format!("{seq:064x}"),
        response_sm3: "cd".repeat(32),
        body_sealed: (seq == 1).then(|| "sealed\nbody".into()),
        prev_hash: if seq == 1 { String::new() } else { format!("h{}", seq - 1) },
        hash: format!("h{seq}"),
    };
    let first = vec![
        call(1, "2026-12-08T01:02:03.456789Z", Some("g1")),
        call(2, "2026-12-08T01:02:04Z", Some("g1")),
        call(3, "2026-12-08T01:02:05.5Z", Some("g1")),
    ];
    s.append_calls(first.clone()).await.unwrap();
    assert_eq!(s.calls(2, 1, 10).await.unwrap(), first);
    assert_eq!(s.last_call(2).await.unwrap().map(|c| c.seq), Some(3));
    // Call 4 is new, call 3 again is not: neither is kept.
    let clash = vec![call(4, "2026-12-08T01:02:06Z", None), call(3, "2026-12-08T01:02:07Z", None)];
    assert!(s.append_calls(clash).await.is_err());
    assert_eq!(s.calls(2, 1, 10).await.unwrap(), first);
    // The log goes on after the refused batch.
    s.append_calls(vec![call(4, "2026-12-08T01:02:08Z", Some("g2"))]).await.unwrap();
    let latest: Vec<i64> = s.calls_on("2026-12-08", 10).await.unwrap().iter().map(|c| c.seq).collect();
    assert_eq!(latest, [4, 3, 2, 1]);
    assert!(s.calls_on("2026-12-07", 10).await.unwrap().is_empty());
    // Answered calls count into the quota; the refused one (403) does not.
    assert_eq!(s.grant_calls_on("g1", "2026-12-08").await.unwrap(), 2);
    assert_eq!(s.grant_calls_on("g2", "2026-12-08").await.unwrap(), 1);
    assert_eq!(s.call_nodes().await.unwrap(), [2]);
}
