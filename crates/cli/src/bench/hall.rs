//! `tongban bench hall`: the service hall on embedded SQLite, through the application layer.
//! A booking rush — `people` at once for `places` places of one slot — must give exactly
//! `places` bookings, one per person; its baseline is the same number of bare conditional
//! updates of a slot row on the same database. Tickets issued and called per second across
//! `halls` × `windows`, against bare one-row commits. Call-to-display latency with `displays`
//! connected over HTTP (server-sent events): calls made on this node, and calls made by a second
//! application on the same database (what another node's calls take: the poll), against a bare
//! HTTP round trip.

use super::raw::{Raw, bare_commits, concurrently};
use super::{percentile, summary};
use chrono::Duration as Days;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tongban_app::access::Principal;
use tongban_app::catalog::IndexLocation;
use tongban_app::hall::booking::{self, NewAppointment};
use tongban_app::hall::queue::{self, Step, TicketRequest};
use tongban_app::hall::{self, GroupSpec, HallSpec, WindowSpec};
use tongban_app::identity::{self, Client, Identity, NewPerson, Policy};
use tongban_app::staff::{self, NewAssignment};
use tongban_app::{App, AppError, Config};
use tongban_crypto::{KeyRing, PasswordParams};
use tongban_domain::identity::Assurance;
use tongban_store::DbTarget;
use tongban_store::hall::{HallRow, WindowRow};

#[derive(clap::Args)]
pub struct Options {
    /// People booking at once.
    #[arg(long, default_value_t = 10_000)]
    pub people: usize,
    /// Places of the one slot they race for.
    #[arg(long, default_value_t = 500)]
    pub places: usize,
    #[arg(long, default_value_t = 1_000)]
    pub halls: usize,
    #[arg(long, default_value_t = 50)]
    pub windows: usize,
    /// Tickets issued (and then called) in the throughput measurement.
    #[arg(long, default_value_t = 20_000)]
    pub tickets: usize,
    /// Displays connected (server-sent events), spread over 50 halls.
    #[arg(long, default_value_t = 500)]
    pub displays: usize,
    /// Calls made while they listen, each way.
    #[arg(long, default_value_t = 200)]
    pub calls: usize,
    /// Tasks issuing tickets at once.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
}

/// The demo's 个体工商户设立登记 and its agency (the halls' agency and windows).
const OFFERING: &str = "1111010143783071XP0700105001000";
const AGENCY: &str = "1111010143783071XP";

fn e(e: AppError) -> anyhow::Error {
    crate::describe(e)
}

fn spec(name: &str, hours: &str, capacity: i32, windows: usize) -> HallSpec {
    HallSpec {
        name: name.into(),
        division_code: "110101".into(),
        agency_code: AGENCY.into(),
        address: String::new(),
        hours: hours.into(),
        slot_minutes: 30,
        days_ahead: 60,
        release_at: "00:00".into(),
        appointment_ahead_minutes: 10,
        max_recalls: 2,
        default_service_secs: 300,
        groups: vec![GroupSpec { code: "g".into(), name: "综合".into(), offerings: vec![OFFERING.into()], capacity }],
        windows: (1..=windows)
            .map(|n| WindowSpec { number: n.to_string(), agency_code: AGENCY.into(), groups: vec!["g".into()] })
            .collect(),
    }
}

fn phone(n: usize) -> String {
    format!("1370010{n:04}")
}

/// A registered person at `n`, logged in.
async fn person(app: &App, n: usize) -> anyhow::Result<Principal> {
    let first17 = format!("11010119900307{n:03}");
    let phone = phone(n);
    let new = NewPerson {
        name: format!("窗口{n}"),
        citizen_id: format!("{first17}{}", tongban_domain::codes::citizen_id_check_char(&first17)),
        phone: phone.clone(),
        email: None,
        password: "Bench-2026-password".into(),
    };
    let client = Client { address: format!("198.51.100.{}", n % 250), ..Default::default() };
    identity::register(app, new, &client).await.map_err(e)?;
    Ok(identity::login(app, &phone, "Bench-2026-password", None, &client).await.map_err(e)?.principal)
}

pub async fn run(o: Options) -> anyhow::Result<()> {
    anyhow::ensure!(o.places <= 500 && o.places <= o.people, "--places: at most 500 and at most --people");
    anyhow::ensure!(o.windows >= 1 && o.halls >= 50, "--windows at least 1, --halls at least 50");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir()?;
    let target = DbTarget::Sqlite { data_dir: dir.path().join("data"), full_sync: false };
    let id = || -> anyhow::Result<Identity> {
        Ok(Identity::new(KeyRing::generate("bench")?, Policy::default(), PasswordParams::default())?)
    };
    let mut app = App::open(&target, IndexLocation::None, id()?).await.map_err(e)?;
    // Unlimited kiosks for the measurement (the default allows 60 tickets a minute per address).
    app.hall = Arc::new(hall::Settings { tickets: tongban_app::limit::PerMinute::new(u32::MAX), ..Default::default() });
    tongban_app::demo::seed(&app).await.map_err(e)?;
    let raw = Arc::new(Raw::open(&target, o.clients).await?);
    println!("machine: {cores} cores; SQLite; the application layer in process (the displays over HTTP)");

    // The platform administrator, and window staff of the agency (one per window number).
    let admin = person(&app, 900).await?;
    let platform = NewAssignment {
        person: phone(900),
        role: "platform_admin".into(),
        agency_code: String::new(),
        division_code: String::new(),
    };
    staff::assign(&app, None, platform).await.map_err(e)?;
    let admin = identity::rotate_session(&app, &admin, &Client::default()).await.map_err(e)?.principal;

    // 1. The booking rush.
    let rush = hall::save(&app, &admin, None, spec("抢号", "09:00-09:30", o.places as i32, 1)).await.map_err(e)?.id;
    let today = tongban_domain::calendar::china_today();
    let day = app
        .calendar
        .with(&app.store, |c| (3..60).map(|i| today + Days::days(i)).find(|d| c.is_working_day(*d)))
        .await
        .map_err(e)?
        .ok_or_else(|| anyhow::anyhow!("no working day within 60 days"))?;
    let people: Vec<Principal> = (0..o.people)
        .map(|i| Principal {
            person_id: format!("rush-{i}"),
            session_id: String::new(),
            name: format!("抢号{i}"),
            assurance: Assurance::L3,
            acting: None,
        })
        .collect();
    let started = Instant::now();
    let tasks: Vec<_> = people
        .into_iter()
        .map(|who| {
            let (app, rush) = (app.clone(), rush.clone());
            tokio::spawn(async move {
                let new = NewAppointment {
                    offering_code: OFFERING.into(),
                    day,
                    start: "09:00".into(),
                    application_id: String::new(),
                };
                booking::book(&app, &who, &rush, new).await
            })
        })
        .collect();
    let (mut made, mut full) = (0usize, 0usize);
    for t in tasks {
        match t.await? {
            Ok(_) => made += 1,
            Err(AppError::Conflict { field: "start", .. }) => full += 1,
            Err(other) => anyhow::bail!("a booking failed otherwise: {other}"),
        }
    }
    let rush_time = started.elapsed();
    let kept = raw.count(&format!("SELECT count(*) FROM appointments WHERE hall_id = '{rush}'")).await?;
    let persons =
        raw.count(&format!("SELECT count(DISTINCT person_id) FROM appointments WHERE hall_id = '{rush}'")).await?;
    let booked = raw.count(&format!("SELECT sum(booked) FROM hall_slots WHERE hall_id = '{rush}'")).await?;
    anyhow::ensure!(
        made == o.places && full == o.people - o.places && kept == o.places as i64 && persons == kept && booked == kept,
        "the rush gave {made} bookings ({full} full), {kept} kept for {persons} people, {booked} places taken"
    );
    raw.exec(&format!("INSERT INTO hall_slots VALUES ('bare', 'g', '{day}', '09:00', {}, 0)", o.places)).await?;
    let (_, bare_time) = concurrently(o.people, o.clients, |_| {
        let raw = raw.clone();
        async move {
            raw.exec("UPDATE hall_slots SET booked = booked + 1 WHERE hall_id = 'bare' AND booked < capacity").await
        }
    })
    .await?;
    println!(
        "booking rush: {} people for {} places: {made} booked, {full} told it is full, one place each, none twice — \
         in {:.2} s ({:.0} attempts/s)",
        o.people,
        o.places,
        rush_time.as_secs_f64(),
        o.people as f64 / rush_time.as_secs_f64()
    );
    println!(
        "baseline: {} bare conditional updates of one slot row, {} at once: {:.2} s ({:.0}/s); ratio booking/bare {:.2}",
        o.people,
        o.clients,
        bare_time.as_secs_f64(),
        o.people as f64 / bare_time.as_secs_f64(),
        bare_time.as_secs_f64() / rush_time.as_secs_f64()
    );

    // 2. Tickets and calls across halls × windows.
    let building = Instant::now();
    let mut halls = Vec::with_capacity(o.halls);
    for h in 0..o.halls {
        let id = format!("h_bench_{h:05}");
        let row = HallRow {
            id: id.clone(),
            name: format!("大厅{h}"),
            division_code: "110101".into(),
            agency_code: AGENCY.into(),
            address: String::new(),
            hours: "09:00-12:00,13:30-17:00".into(),
            slot_minutes: 30,
            days_ahead: 7,
            release_at: "08:00".into(),
            appointment_ahead_minutes: 10,
            max_recalls: 2,
            default_service_secs: 300,
            created_at: chrono::Utc::now(),
        };
        let group = tongban_store::hall::GroupRow {
            hall_id: id.clone(),
            code: "g".into(),
            name: "综合".into(),
            offerings: OFFERING.into(),
            capacity: 0,
        };
        let windows = (1..=o.windows)
            .map(|n| WindowRow {
                hall_id: id.clone(),
                number: n.to_string(),
                agency_code: AGENCY.into(),
                groups: "g".into(),
                staff_id: None,
            })
            .collect();
        app.store.save_hall(row, vec![group], windows).await?;
        halls.push(id);
    }
    // Window staff k works window k of every hall.
    let mut staff_at = Vec::with_capacity(o.windows);
    for k in 1..=o.windows {
        let who = person(&app, k).await?;
        let role = NewAssignment {
            person: phone(k),
            role: "window_staff".into(),
            agency_code: AGENCY.into(),
            division_code: "110101".into(),
        };
        staff::assign(&app, Some(&admin), role).await.map_err(e)?;
        raw.exec(&format!(
            "UPDATE hall_windows SET staff_id = '{}' WHERE number = '{k}' AND hall_id LIKE 'h_bench_%'",
            who.person_id
        ))
        .await?;
        staff_at.push(who);
    }
    println!(
        "{} halls × {} windows and their staff made in {:.1} s",
        o.halls,
        o.windows,
        building.elapsed().as_secs_f64()
    );
    let halls = Arc::new(halls);
    let (issue_ms, issue_time) = concurrently(o.tickets, o.clients, |i| {
        let (app, halls) = (app.clone(), halls.clone());
        async move {
            let r = TicketRequest { offering_code: OFFERING.into(), card_number: String::new(), green: i % 10 == 0 };
            queue::take(&app, &halls[i % halls.len()], r, "192.0.2.1").await.map(|_| ()).map_err(e)
        }
    })
    .await?;
    let issued = o.tickets as f64 / issue_time.as_secs_f64();
    // Each window works its share of the halls until their queues are empty.
    let calling = Instant::now();
    let tasks: Vec<_> = staff_at
        .iter()
        .cloned()
        .enumerate()
        .map(|(k, who)| {
            let (app, halls, windows) = (app.clone(), halls.clone(), o.windows);
            tokio::spawn(async move {
                let mut ms = Vec::new();
                for h in (k..halls.len()).step_by(windows) {
                    loop {
                        let t = Instant::now();
                        let Some(ticket) = queue::call_next(&app, &who, &halls[h]).await.map_err(e)? else { break };
                        queue::step(&app, &who, &ticket.id, ticket.version, Step::Finish).await.map_err(e)?;
                        ms.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                }
                anyhow::Ok(ms)
            })
        })
        .collect();
    let mut call_ms = Vec::new();
    for t in tasks {
        call_ms.extend(t.await??);
    }
    let called = call_ms.len() as f64 / calling.elapsed().as_secs_f64();
    anyhow::ensure!(call_ms.len() == o.tickets, "{} of {} tickets called", call_ms.len(), o.tickets);
    let bare = bare_commits(&raw, o.clients, 5_000).await?;
    println!("baseline: bare one-row commits, {} at once: {bare:.0}/s", o.clients);
    println!("tickets issued: {issued:.0}/s ({:.2} of bare); {}", issued / bare, summary("issue", issue_ms));
    println!(
        "tickets called and finished by {} windows at once: {called:.0}/s ({:.2} of bare); {}",
        o.windows,
        called / bare,
        summary("call + finish", call_ms)
    );

    // 3. Call-to-display latency over HTTP.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = tongban_web::AppState::new(app.clone(), Config::default());
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(tongban_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::builder().pool_max_idle_per_host(1024).build()?;
    let mut bare_rtt = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        http.get(format!("{base}/healthz")).send().await?.bytes().await?;
        bare_rtt.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let shown: Arc<Mutex<HashMap<(String, String), Instant>>> = Arc::default();
    let seen: Arc<Mutex<Vec<(String, String, Instant)>>> = Arc::default();
    let screens = 50.min(o.halls);
    let mut displays = Vec::new();
    for d in 0..o.displays {
        let hall_id = halls[d % screens].clone();
        let res = http.get(format!("{base}/halls/{hall_id}/display/events")).send().await?;
        anyhow::ensure!(res.status().is_success(), "display {d}: {}", res.status());
        let seen = seen.clone();
        displays.push(tokio::spawn(async move {
            let mut res = res;
            let mut buf = String::new();
            while let Ok(Some(chunk)) = res.chunk().await {
                let at = Instant::now();
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let event: String = buf.drain(..end + 2).collect();
                    if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ").or(l.strip_prefix("data:")))
                    {
                        let v: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
                        let number = v["number"].as_str().unwrap_or("").to_owned();
                        seen.lock().unwrap_or_else(|p| p.into_inner()).push((hall_id.clone(), number, at));
                    }
                }
            }
        }));
    }
    // A second application on the same database: its calls reach these displays as another
    // node's would, through the database.
    let mut other = App::open(&target, IndexLocation::None, id()?).await.map_err(e)?;
    other.hall =
        Arc::new(hall::Settings { tickets: tongban_app::limit::PerMinute::new(u32::MAX), ..Default::default() });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let per_display = o.displays as f64 / screens as f64;
    for (way, node) in [("this node", &app), ("another node", &other)] {
        seen.lock().unwrap_or_else(|p| p.into_inner()).clear();
        shown.lock().unwrap_or_else(|p| p.into_inner()).clear();
        for c in 0..o.calls {
            let hall_id = &halls[c % screens];
            let who = &staff_at[0];
            let r = TicketRequest { offering_code: OFFERING.into(), ..Default::default() };
            queue::take(node, hall_id, r, "192.0.2.2").await.map_err(e)?;
            let t = Instant::now();
            let ticket =
                queue::call_next(node, who, hall_id).await.map_err(e)?.ok_or_else(|| anyhow::anyhow!("no ticket"))?;
            shown.lock().unwrap_or_else(|p| p.into_inner()).insert((hall_id.clone(), ticket.number.clone()), t);
            queue::step(node, who, &ticket.id, ticket.version, Step::Finish).await.map_err(e)?;
            // Calls spread over time, as in a hall (20 a second across the 50 screens).
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let shown = shown.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut ms: Vec<f64> = seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter_map(|(h, n, at)| {
                shown.get(&(h.clone(), n.clone())).map(|t| at.duration_since(*t).as_secs_f64() * 1000.0)
            })
            .collect();
        let expected = (o.calls as f64 * per_display).round() as usize;
        anyhow::ensure!(ms.len() >= expected, "{way}: {} of {expected} deliveries", ms.len());
        ms.sort_by(f64::total_cmp);
        let p99 = percentile(&ms, 0.99);
        println!(
            "call to display ({way}'s calls, {} displays on {screens} halls): {}; target p99 ≤ 200 ms: {}",
            o.displays,
            summary("latency", ms),
            if p99 <= 200.0 { "met" } else { "not met" }
        );
    }
    println!("baseline: {}", summary("bare HTTP round trip GET /healthz", bare_rtt));
    for d in displays {
        d.abort();
    }
    Ok(())
}
