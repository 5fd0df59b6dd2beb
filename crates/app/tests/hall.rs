//! The service hall: booking a released slot (a race for the last place has one winner), the
//! per-person limit and the no-show rule; the kiosk's tickets in the order of the queue; calling
//! (two windows calling at once never take the same ticket), recalls, no-shows, the window
//! acceptance recorded on the case, the visit's rating and the hall's figures — on the backend
//! `TEST_DATABASE_URL` selects.

mod support;

use chrono::{Duration, NaiveDate};
use std::sync::Arc;
use support::*;
use tongban_app::AppError;
use tongban_app::access::Principal;
use tongban_app::hall::booking::{self, NewAppointment};
use tongban_app::hall::queue::{self, Step, TicketRequest};
use tongban_app::hall::{self, GroupSpec, HallSpec, WindowSpec};
use tongban_app::identity::{self, Client, NewPerson};
use tongban_app::ratings::NewRating;
use tongban_app::staff::{self, NewAssignment};
use tongban_domain::identity::Assurance;

const KIOSK: &str = "192.0.2.9";

fn spec(code: &str, agency: &str, capacity: i32) -> HallSpec {
    HallSpec {
        name: "东城区政务服务中心".into(),
        division_code: "110101".into(),
        agency_code: agency.into(),
        address: "东城区某路 1 号".into(),
        hours: "09:00-12:00,13:30-17:00".into(),
        slot_minutes: 30,
        days_ahead: 60,
        release_at: "00:00".into(),
        appointment_ahead_minutes: 10,
        max_recalls: 2,
        default_service_secs: 300,
        groups: vec![
            GroupSpec {
                code: "market".into(), name: "市场监管专窗".into(), offerings: vec![code.into()], capacity
            },
            GroupSpec { code: "general".into(), name: "综合窗口".into(), offerings: vec![], capacity: 0 },
        ],
        windows: vec![
            WindowSpec { number: "1".into(), agency_code: agency.into(), groups: vec!["market".into()] },
            WindowSpec {
                number: "2".into(),
                agency_code: agency.into(),
                groups: vec!["market".into(), "general".into()],
            },
        ],
    }
}

/// The next working day after today (China time).
async fn next_working_day(w: &World) -> NaiveDate {
    let today = tongban_domain::calendar::china_today();
    w.app
        .calendar
        .with(&w.app.store, |c| (1..30).map(|i| today + Duration::days(i)).find(|d| c.is_working_day(*d)).unwrap())
        .await
        .unwrap()
}

async fn hall_of(w: &World, capacity: i32) -> String {
    let agency = offering().agency.credit_code;
    hall::save(&w.app, &w.admin, None, spec(&w.code, &agency, capacity)).await.unwrap().id
}

fn at(code: &str, day: NaiveDate, start: &str) -> NewAppointment {
    NewAppointment { offering_code: code.into(), day, start: start.into(), application_id: String::new() }
}

/// A second window staff member of the agency.
async fn second_window(w: &World) -> Principal {
    let p = person(&w.app, 6, "窗口二", "13700000006").await;
    let a = NewAssignment {
        person: "13700000006".into(),
        role: "window_staff".into(),
        agency_code: offering().agency.credit_code,
        division_code: "110101".into(),
    };
    staff::assign(&w.app, Some(&w.admin), a).await.unwrap();
    p
}

#[tokio::test]
async fn a_hall_is_checked_and_managed_only_by_its_agency_or_the_platform() {
    let w = world().await;
    let agency = offering().agency.credit_code;
    assert!(matches!(hall::save(&w.app, &w.window, None, spec(&w.code, &agency, 2)).await, Err(AppError::Forbidden)));
    let mut bad = spec(&w.code, &agency, 2);
    bad.hours = "12:00-09:00".into();
    assert_eq!(fields(hall::save(&w.app, &w.admin, None, bad).await.unwrap_err()), ["hours"]);
    let mut bad = spec(&w.code, &agency, 2);
    bad.windows[0].groups = vec!["nosuch".into()];
    assert_eq!(fields(hall::save(&w.app, &w.admin, None, bad).await.unwrap_err()), ["windows"]);
    let mut bad = spec(&w.code, &agency, 2);
    bad.groups[0].offerings = vec!["NOSUCHOFFERING".into()];
    assert_eq!(fields(hall::save(&w.app, &w.admin, None, bad).await.unwrap_err()), ["groups"]);
    let h = hall::save(&w.app, &w.admin, None, spec(&w.code, &agency, 2)).await.unwrap();
    assert_eq!(h.offering_names.get(&w.code).map(String::as_str), Some("个体工商户设立登记"));
    assert_eq!(hall::list_halls(&w.app, "110000").await.unwrap().len(), 1, "in Beijing's subtree");
    assert!(hall::list_halls(&w.app, "310000").await.unwrap().is_empty());
}

#[tokio::test]
async fn of_many_racing_for_the_last_places_exactly_capacity_get_one() {
    let w = world().await;
    let id = hall_of(&w, 3).await;
    let day = next_working_day(&w).await;
    // Distinct people, each verified by real name.
    let registry: String = (10..34).map(|i| format!("用户{i},{}\n", citizen_id(i))).collect();
    identity::import_registry(&w.app, &registry).await.unwrap();
    let mut racers: Vec<Principal> = Vec::new();
    for i in 10..34 {
        // Each from an address of its own: registration is limited per address and minute.
        let client = Client { address: format!("192.0.2.{i}"), ..Default::default() };
        let phone = format!("137000001{i}");
        let form = NewPerson {
            name: format!("用户{i}"),
            citizen_id: citizen_id(i),
            phone: phone.clone(),
            email: None,
            password: "Tongban-2026".into(),
        };
        identity::register(&w.app, form, &client).await.unwrap();
        let who = identity::login(&w.app, &phone, "Tongban-2026", None, &client).await.unwrap().principal;
        racers.push(verified(&w.app, &who).await);
    }
    let app = Arc::new(w.app.clone());
    let tasks: Vec<_> = racers
        .into_iter()
        .map(|who| {
            let (app, id, code) = (app.clone(), id.clone(), w.code.clone());
            tokio::spawn(async move { booking::book(&app, &who, &id, at(&code, day, "09:00")).await })
        })
        .collect();
    let (mut made, mut full) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => made += 1,
            Err(AppError::Conflict { field: "start", .. }) => full += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((made, full), (3, 21));
    let s = booking::slots(&w.app, &id, &w.code, day).await.unwrap();
    assert_eq!(s.slots.iter().find(|x| x.start == "09:00").map(|x| x.left), Some(0));
}

#[tokio::test]
async fn a_person_books_moves_and_cancels_within_the_rules() {
    let w = world().await;
    let id = hall_of(&w, 2).await;
    let day = next_working_day(&w).await;
    let low = Principal { assurance: Assurance::L1, ..w.zhang.clone() };
    assert!(matches!(
        booking::book(&w.app, &low, &id, at(&w.code, day, "09:00")).await,
        Err(AppError::AssuranceRequired { .. })
    ));
    assert_eq!(fields(booking::book(&w.app, &w.zhang, &id, at(&w.code, day, "08:00")).await.unwrap_err()), ["start"]);
    let far = day + Duration::days(90);
    assert_eq!(fields(booking::book(&w.app, &w.zhang, &id, at(&w.code, far, "09:00")).await.unwrap_err()), ["day"]);

    let a = booking::book(&w.app, &w.zhang, &id, at(&w.code, day, "09:00")).await.unwrap();
    assert_eq!((a.state.as_str(), a.changeable), ("booked", true));
    let twice = booking::book(&w.app, &w.zhang, &id, at(&w.code, day, "10:00")).await;
    assert!(matches!(twice, Err(AppError::Conflict { field: "day", .. })), "one a day for a service");
    assert!(booking::get(&w.app, &w.li, &a.id).await.is_err(), "another's appointment is not found");

    // Moved: the old place is free again, the new one taken.
    let m = booking::move_to(&w.app, &w.zhang, &a.id, day, "10:00", a.version).await.unwrap();
    let stale = booking::move_to(&w.app, &w.zhang, &a.id, day, "10:30", a.version).await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })));
    let s = booking::slots(&w.app, &id, &w.code, day).await.unwrap();
    let left = |t: &str| s.slots.iter().find(|x| x.start == t).unwrap().left;
    assert_eq!((left("09:00"), left("10:00")), (2, 1));
    let c = booking::cancel(&w.app, &w.zhang, &m.id, m.version).await.unwrap();
    assert_eq!(c.state, "cancelled");
    let s = booking::slots(&w.app, &id, &w.code, day).await.unwrap();
    assert_eq!(s.slots.iter().find(|x| x.start == "10:00").unwrap().left, 2);

    // Three no-shows within 30 days suspend booking.
    for (i, t) in ["09:00", "09:30", "10:00"].iter().enumerate() {
        let d = day + Duration::days(7 * (i as i64 + 1));
        let d = w
            .app
            .calendar
            .with(&w.app.store, |c| (0..7).map(|k| d + Duration::days(k)).find(|x| c.is_working_day(*x)).unwrap())
            .await
            .unwrap();
        let mut x = w
            .app
            .store
            .appointment(&booking::book(&w.app, &w.li, &id, at(&w.code, d, t)).await.unwrap().id)
            .await
            .unwrap()
            .unwrap();
        let v = x.version;
        (x.state, x.version) = ("no_show".into(), v + 1);
        assert!(w.app.store.update_appointment(x, v).await.unwrap());
    }
    let suspended = booking::book(&w.app, &w.li, &id, at(&w.code, day, "11:00")).await;
    assert!(
        matches!(&suspended, Err(AppError::Conflict { field: "day", message }) if message.contains("3 次")),
        "{suspended:?}"
    );
}

#[tokio::test]
async fn the_queue_calls_green_then_appointments_then_walk_ins_and_the_visit_lands_in_the_case() {
    let w = world().await;
    let id = hall_of(&w, 2).await;
    let today = tongban_domain::hall::hall_day(chrono::Utc::now());
    // An appointment for today, made directly (today's slots may have begun).
    let appointment = tongban_store::hall::AppointmentRow {
        id: "yy_today".into(),
        hall_id: id.clone(),
        group_code: "market".into(),
        offering_code: w.code.clone(),
        person_id: w.zhang.person_id.clone(),
        day: today,
        start: "09:00".into(),
        state: "booked".into(),
        application_id: String::new(),
        reminded: true,
        ticket_id: String::new(),
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
        version: 1,
    };
    w.app.store.book(appointment, 2, None).await.unwrap();

    let walk =
        |card: &str, green: bool| TicketRequest { offering_code: w.code.clone(), card_number: card.into(), green };
    let a1 = queue::take(&w.app, &id, walk("", false), KIOSK).await.unwrap();
    let a2 = queue::take(&w.app, &id, walk(&citizen_id(2), false), KIOSK).await.unwrap();
    assert_eq!((a1.number.as_str(), a2.number.as_str()), ("A001", "A002"));
    assert!(!a1.person_known && a2.person_known);
    assert_eq!(fields(queue::take(&w.app, &id, walk("123", false), KIOSK).await.unwrap_err()), ["card_number"]);
    let other = TicketRequest { offering_code: "NOSUCH".into(), ..walk("", false) };
    assert_eq!(fields(queue::take(&w.app, &id, other, KIOSK).await.unwrap_err()), ["offering_code"]);
    assert_eq!(fields(queue::check_in(&w.app, &id, &citizen_id(3), KIOSK).await.unwrap_err()), ["card_number"]);
    let p = queue::check_in(&w.app, &id, &citizen_id(1), KIOSK).await.unwrap();
    assert_eq!((p.number.as_str(), p.line.as_str()), ("P001", "appointment"));
    assert!(queue::check_in(&w.app, &id, &citizen_id(1), KIOSK).await.is_err(), "checked in once");
    let g = queue::take(&w.app, &id, walk("", true), KIOSK).await.unwrap();
    assert_eq!(g.number, "G001");
    assert_eq!(queue::ticket(&w.app, &a2.id).await.unwrap().ahead, 3, "green and the appointment before it");
    assert!(queue::ticket(&w.app, &a2.id).await.unwrap().wait_minutes >= 1, "never empty");

    // Only window staff of the window's agency, signed in at a window, call.
    assert!(matches!(queue::sign_in(&w.app, &w.li, &id, Some("1")).await, Err(AppError::Forbidden)));
    assert!(matches!(queue::call_next(&w.app, &w.window, &id).await, Err(AppError::Conflict { .. })));
    queue::sign_in(&w.app, &w.window, &id, Some("1")).await.unwrap();
    let mut calls = tongban_app::hall::display::subscribe(&w.app);
    let first = queue::call_next(&w.app, &w.window, &id).await.unwrap().unwrap();
    assert_eq!(first.number, "G001");
    let shown = tokio::time::timeout(std::time::Duration::from_secs(5), calls.recv()).await.unwrap().unwrap();
    assert_eq!((shown.number.as_str(), shown.window.as_str()), ("G001", "1"));
    assert!(matches!(queue::call_next(&w.app, &w.window, &id).await, Err(AppError::Conflict { .. })), "serve first");

    // Recalled at most twice, then a no-show.
    let mut t = first;
    for _ in 0..2 {
        t = queue::step(&w.app, &w.window, &t.id, t.version, Step::Recall).await.unwrap();
    }
    assert_eq!(t.calls, 3);
    assert!(matches!(
        queue::step(&w.app, &w.window, &t.id, t.version, Step::Recall).await,
        Err(AppError::Conflict { .. })
    ));
    let recalled = tokio::time::timeout(std::time::Duration::from_secs(5), calls.recv()).await.unwrap().unwrap();
    assert_eq!(recalled.kind, "recall", "each call goes to the display, none overwritten");
    queue::step(&w.app, &w.window, &t.id, t.version, Step::NoShow).await.unwrap();

    // The appointment next; accepted at the window, submitted, finished: the case records it.
    let t = queue::call_next(&w.app, &w.window, &id).await.unwrap().unwrap();
    assert_eq!(t.number, "P001");
    let ap = tongban_app::cases::start_for(&w.app, &w.window, "13812345678", &citizen_id(1), &w.code).await.unwrap();
    queue::link_application(&w.app, &w.window, &id, &ap.id).await.unwrap();
    tongban_app::cases::save(&w.app, &w.window, &ap.id, complete()).await.unwrap();
    upload_premises(&w, &w.window, &ap.id).await;
    let case = tongban_app::cases::submit(&w.app, &w.window, &ap.id, None, "r").await.unwrap().case_number;
    let t = queue::ticket(&w.app, &t.id).await.unwrap();
    let done = queue::step(&w.app, &w.window, &t.id, t.version, Step::Finish).await.unwrap();
    assert_eq!(done.case_number, case);
    let trail = tongban_app::cases::trail(&w.app, &w.zhang, &case).await.unwrap();
    assert!(trail.iter().any(|e| e.action == "hall_visit" && e.detail.to_string().contains("P001")), "{trail:?}");
    let appointment = w.app.store.appointment("yy_today").await.unwrap().unwrap();
    assert_eq!(appointment.state, "checked_in");

    // The visit is rated once on the window's device.
    let desk = queue::desk(&w.app, &w.window, &id).await.unwrap();
    assert_eq!(desk.to_rate.as_ref().map(|t| t.number.as_str()), Some("P001"));
    let rate = |level| NewRating { level, ..Default::default() };
    assert_eq!(fields(queue::rate(&w.app, &w.window, &done.id, rate(9)).await.unwrap_err()), ["level"]);
    queue::rate(&w.app, &w.window, &done.id, rate(5)).await.unwrap();
    assert!(matches!(queue::rate(&w.app, &w.window, &done.id, rate(4)).await, Err(AppError::Conflict { .. })));
    assert!(queue::desk(&w.app, &w.window, &id).await.unwrap().to_rate.is_none());

    // Transferred to another group keeps its place; the walk-ins follow.
    let t = queue::call_next(&w.app, &w.window, &id).await.unwrap().unwrap();
    assert_eq!(t.number, "A001");
    let moved = queue::step(&w.app, &w.window, &t.id, t.version, Step::Transfer("general")).await.unwrap();
    assert_eq!((moved.state.as_str(), moved.group.as_str()), ("waiting", "general"));
    let t = queue::call_next(&w.app, &w.window, &id).await.unwrap().unwrap();
    assert_eq!(t.number, "A002", "window 1 calls only its group");

    let f = tongban_app::hall::figures::figures(&w.app, &w.admin, &id, today, today).await.unwrap();
    assert_eq!(
        (f.total.tickets, f.total.served, f.total.no_shows, f.total.appointments, f.total.rated),
        (4, 1, 1, 1, 1)
    );
    assert!(matches!(
        tongban_app::hall::figures::figures(&w.app, &w.window, &id, today, today).await,
        Err(AppError::Forbidden)
    ));
    let report = tongban_app::cases::verify_audit(&w.app).await.unwrap();
    assert!(report.problems.iter().all(|p| p.contains("等待")), "{:?}", report.problems);
}

#[tokio::test]
async fn an_appointment_within_the_reminder_days_is_reminded_once_and_a_missed_one_counts() {
    let mut w = world().await;
    let id = hall_of(&w, 2).await;
    let day = next_working_day(&w).await;
    // Reminded a fortnight ahead here, so the next working day is always inside.
    w.app.hall = Arc::new(hall::Settings { remind_days: 14, ..Default::default() });
    let a = booking::book(&w.app, &w.zhang, &id, at(&w.code, day, "09:00")).await.unwrap();
    let told = w.app.store.messages_of(&w.zhang.person_id, 20).await.unwrap();
    assert_eq!(told.iter().filter(|m| m.title.starts_with("预约提醒")).count(), 1, "reminded at once");
    // The text goes off the request: waited for.
    let sent = || w.outbox.sms().iter().any(|t| t.text.contains("预约提醒") && t.text.contains(&day.to_string()));
    for _ in 0..50 {
        if sent() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(sent(), "{:?}", w.outbox.sms());
    let s = tongban_app::supervision::sweep(&w.app).await.unwrap();
    assert_eq!(s.reminded, 0, "once");
    // Moved inside the window: reminded again of the new time.
    booking::move_to(&w.app, &w.zhang, &a.id, day, "10:00", a.version).await.unwrap();
    let told = w.app.store.messages_of(&w.zhang.person_id, 20).await.unwrap();
    assert_eq!(told.iter().filter(|m| m.title.starts_with("预约提醒")).count(), 2);
    // A past day's booked appointment becomes a no-show in the sweep.
    let mut x = w.app.store.appointment(&a.id).await.unwrap().unwrap();
    x.day = day - Duration::days(30);
    let v = x.version;
    x.version += 1;
    assert!(w.app.store.update_appointment(x, v).await.unwrap());
    assert_eq!(tongban_app::supervision::sweep(&w.app).await.unwrap().no_shows, 1);
    assert_eq!(w.app.store.appointment(&a.id).await.unwrap().unwrap().state, "no_show");
}

#[tokio::test]
async fn two_windows_calling_at_once_never_take_the_same_ticket() {
    let w = world().await;
    let id = hall_of(&w, 2).await;
    let other = second_window(&w).await;
    queue::sign_in(&w.app, &w.window, &id, Some("1")).await.unwrap();
    queue::sign_in(&w.app, &other, &id, Some("2")).await.unwrap();
    assert!(matches!(queue::sign_in(&w.app, &other, &id, Some("1")).await, Err(AppError::Conflict { .. })), "taken");
    let n = 12;
    for _ in 0..n {
        queue::take(&w.app, &id, TicketRequest { offering_code: w.code.clone(), ..Default::default() }, KIOSK)
            .await
            .unwrap();
    }
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..n {
        let (a, b) = tokio::join!(
            async {
                let t = queue::call_next(&w.app, &w.window, &id).await.unwrap();
                if let Some(t) = &t {
                    queue::step(&w.app, &w.window, &t.id, t.version, Step::Finish).await.unwrap();
                }
                t
            },
            async {
                let t = queue::call_next(&w.app, &other, &id).await.unwrap();
                if let Some(t) = &t {
                    queue::step(&w.app, &other, &t.id, t.version, Step::Finish).await.unwrap();
                }
                t
            }
        );
        for t in [a, b].into_iter().flatten() {
            assert!(seen.insert(t.number.clone()), "{} called twice", t.number);
        }
    }
    assert_eq!(seen.len(), n, "every ticket called once");
}

/// A finished walk-in visit of a known person (their card read at the kiosk) and one of nobody.
async fn finished_visit(w: &World, hall: &str, card: &str) -> queue::TicketView {
    let r = TicketRequest { offering_code: w.code.clone(), card_number: card.into(), green: false };
    queue::take(&w.app, hall, r, KIOSK).await.unwrap();
    let t = queue::call_next(&w.app, &w.window, hall).await.unwrap().unwrap();
    queue::step(&w.app, &w.window, &t.id, t.version, Step::Finish).await.unwrap()
}

#[tokio::test]
async fn a_bad_visit_rating_opens_a_rectification_the_visitor_judges_from_my_ratings() {
    use tongban_app::ratings::{self, FigureQuery};
    let w = world().await;
    let id = hall_of(&w, 2).await;
    queue::sign_in(&w.app, &w.window, &id, Some("1")).await.unwrap();
    let bad = |comment: &str| NewRating { level: 2, comment: comment.into(), ..Default::default() };

    // 李四's card was read: a real-name bad review, called back and rectified like a case's.
    let known = finished_visit(&w, &id, &citizen_id(2)).await;
    assert_eq!(fields(queue::rate(&w.app, &w.window, &known.id, bad("")).await.unwrap_err()), ["comment"]);
    queue::rate(&w.app, &w.window, &known.id, bad("排队太久，窗口人员态度<b>冷淡</b>")).await.unwrap();
    let q = ratings::queue(&w.app, &w.window, true).await.unwrap();
    let x = q.iter().find(|x| x.case_number == known.id).expect("on the window agency's queue");
    assert!(x.visit.as_deref().is_some_and(|v| v.contains("1 号窗口") && v.contains(&known.number)), "{x:?}");
    assert_eq!((x.state.as_str(), x.rater.contains("李")), ("open", true));
    assert!(matches!(ratings::queue(&w.app, &w.li, true).await, Err(AppError::Forbidden)));
    let contact = ratings::rater_contact(&w.app, &w.window, &x.rating_id).await.unwrap();
    assert_eq!(contact.phone, "13912345678");
    let step = |s| ratings::work(&w.app, &w.window, &x.rating_id, s, x.version);
    let x = step(ratings::Step::Callback { outcome: "已电话致歉".into() }).await.unwrap();
    let x = ratings::work(
        &w.app,
        &w.window,
        &x.rating_id,
        ratings::Step::Answer { answer: "增开窗口并培训".into() },
        x.version,
    )
    .await
    .unwrap();
    assert_eq!(x.state, "answered");

    // The visitor finds it under their ratings and judges it; nobody else can.
    let mine = ratings::mine(&w.app, &w.li).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert!(mine[0].visit.is_some() && !mine[0].changeable);
    assert_eq!(mine[0].rectification.as_ref().map(|x| x.state.as_str()), Some("answered"));
    assert!(ratings::mine(&w.app, &w.zhang).await.unwrap().is_empty());
    assert!(matches!(
        ratings::judge_rating(&w.app, &w.zhang, &x.rating_id, true).await,
        Err(AppError::NotFound { .. })
    ));
    let judged = ratings::judge_rating(&w.app, &w.li, &x.rating_id, true).await.unwrap();
    assert_eq!(judged.rectification.map(|x| (x.state, x.satisfied)), Some(("closed".into(), Some(true))));
    assert!(matches!(ratings::judge_rating(&w.app, &w.li, &x.rating_id, false).await, Err(AppError::Conflict { .. })));

    // A walk-in who gave no card: anonymous, answered without a callback.
    let nobody = finished_visit(&w, &id, "").await;
    queue::rate(&w.app, &w.window, &nobody.id, bad("等候区太吵")).await.unwrap();
    let q = ratings::queue(&w.app, &w.window, true).await.unwrap();
    let y = q.iter().find(|x| x.case_number == nobody.id).unwrap();
    assert!(y.rater.starts_with("匿名"));
    assert!(matches!(ratings::rater_contact(&w.app, &w.window, &y.rating_id).await, Err(AppError::Conflict { .. })));
    // A known person who keeps their name back (the device's default) is anonymous too.
    let shy = finished_visit(&w, &id, &citizen_id(1)).await;
    let kept_back = NewRating { anonymous: true, ..bad("窗口人员不耐烦") };
    queue::rate(&w.app, &w.window, &shy.id, kept_back).await.unwrap();
    let q = ratings::queue(&w.app, &w.window, true).await.unwrap();
    assert!(q.iter().find(|x| x.case_number == shy.id).unwrap().rater.starts_with("匿名"));
    assert!(ratings::mine(&w.app, &w.zhang).await.unwrap().iter().all(|r| r.anonymous));

    // The window agency's figures count all three, one answered, called back and judged satisfied.
    let f =
        ratings::figures(&w.app, &FigureQuery { agency: Some(offering().agency.credit_code), ..Default::default() })
            .await
            .unwrap();
    assert_eq!((f.total.rated, f.total.bad), (3, 3));
    assert!(f.total.bad_answered_rate.is_some_and(|r| (r - 1.0 / 3.0).abs() < 1e-9), "{:?}", f.total);
    assert_eq!(f.total.satisfied_rate, Some(1.0));
    let report = tongban_app::cases::verify_audit(&w.app).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}
