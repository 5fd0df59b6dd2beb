//! `tongban bench ratings`: the public figures (好差评公示) with ten million ratings in the table.
//! The figures are read from the counts kept with every change (`rating_figures`, per offering,
//! per agency and per division); the baseline, measured in the same run on the same database, is
//! what a platform without them does: a scan of the ratings grouped by agency.

use super::cases::agency;
use super::raw::Raw;
use super::{percentile, summary};
use std::time::{Duration, Instant};
use tongban_app::catalog::IndexLocation;
use tongban_app::identity::{Identity, Policy};
use tongban_app::{App, Config};
use tongban_crypto::{KeyRing, PasswordParams};
use tongban_store::DbTarget;

#[derive(clap::Args)]
pub struct Options {
    /// Ratings in the table.
    #[arg(long, default_value_t = 10_000_000)]
    pub ratings: usize,
    /// Offerings they are spread over (each of one agency in one district).
    #[arg(long, default_value_t = 5_000)]
    pub offerings: usize,
    /// Requests to each page measured.
    #[arg(long, default_value_t = 200)]
    pub requests: usize,
}

const AGENCIES: usize = 200;
const DISTRICTS: [&str; 16] = [
    "110101", "110102", "110105", "110106", "110107", "110108", "110109", "110111", "110112", "110113", "110114",
    "110115", "110116", "110117", "110118", "110119",
];
/// Ratings loaded in one statement.
const CHUNK: usize = 500_000;

/// Ratings `from..to` in one statement: offering `i % offerings`, its agency and district fixed
/// by it, each offering rated in every month of 2026, the levels evenly.
fn load_sql(from: usize, to: usize, offerings: usize) -> String {
    let agencies: Vec<String> = (0..AGENCIES).map(|a| format!("'{}'", agency(a))).collect();
    let districts: Vec<String> = DISTRICTS.iter().map(|d| format!("'{d}'")).collect();
    format!(
        "WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {last}), \
         agencies(k, code) AS (SELECT column1, column2 FROM (VALUES {a})), \
         districts(k, code) AS (SELECT column1, column2 FROM (VALUES {d})) \
         INSERT INTO ratings (id, case_number, channel, person_id, anonymous, level, indicators, comment, agency_code, \
           offering_code, division_code, month, created_at, updated_at, changes) \
         SELECT 'r' || i, 'B' || i, 'online', 'p' || (i % 100000), 0, 1 + (i * 7) % 5, '{{}}', '', \
           (SELECT code FROM agencies WHERE k = (i % {offerings}) % {AGENCIES}), printf('O%06d', i % {offerings}), \
           (SELECT code FROM districts WHERE k = (i % {offerings}) % 16), printf('2026-%02d', 1 + (i / {offerings}) % 12), \
           '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00', 0 FROM n",
        last = to - 1,
        a = agencies.iter().enumerate().map(|(k, c)| format!("({k}, {c})")).collect::<Vec<_>>().join(","),
        d = districts.iter().enumerate().map(|(k, c)| format!("({k}, {c})")).collect::<Vec<_>>().join(","),
    )
}

/// The counts the platform keeps with each rating, made once from the loaded ratings: per
/// offering, then per agency and per division from those (a tenth of the cases left unrated, every
/// bad review answered and rectified, four in five raters satisfied).
const ROLLUPS: &str = "\
    INSERT INTO rating_figures (month, agency_code, offering_code, division_code, rateable, rated, good, bad, \
      bad_answered, rectified, judged, satisfied) \
    SELECT month, agency_code, offering_code, division_code, count(*) + count(*) / 9, count(*), sum(level >= 4), \
      sum(level <= 2), sum(level <= 2), sum(level <= 2), sum(level <= 2), sum(level <= 2) * 4 / 5 \
    FROM ratings GROUP BY month, agency_code, offering_code, division_code; \
    INSERT INTO rating_figures SELECT month, agency_code, '', division_code, sum(rateable), sum(rated), sum(good), \
      sum(bad), sum(bad_answered), sum(rectified), sum(judged), sum(satisfied) \
    FROM rating_figures WHERE offering_code <> '' GROUP BY month, agency_code, division_code; \
    INSERT INTO rating_figures SELECT month, '', '', division_code, sum(rateable), sum(rated), sum(good), sum(bad), \
      sum(bad_answered), sum(rectified), sum(judged), sum(satisfied) \
    FROM rating_figures WHERE offering_code <> '' GROUP BY month, division_code";

/// The baseline: the figures by agency for the year computed from the ratings themselves.
const SCAN: &str = "SELECT agency_code, count(*), sum(level >= 4), sum(level <= 2) FROM ratings \
    WHERE month BETWEEN '2026-01' AND '2026-12' GROUP BY agency_code";

pub async fn run(o: Options) -> anyhow::Result<()> {
    anyhow::ensure!(o.ratings > 0 && o.offerings > 0, "--ratings and --offerings must be positive");
    let dir = tempfile::tempdir()?;
    let target = DbTarget::Sqlite { data_dir: dir.path().join("data"), full_sync: false };
    let id = Identity::new(KeyRing::generate("bench")?, Policy::default(), PasswordParams::default())?;
    let app = App::open(&target, IndexLocation::None, id).await.map_err(crate::describe)?;
    let raw = Raw::open(&target, 2).await?;

    let loading = Instant::now();
    let mut from = 0;
    while from < o.ratings {
        let to = (from + CHUNK).min(o.ratings);
        raw.exec(&load_sql(from, to, o.offerings)).await?;
        from = to;
    }
    println!(
        "{} ratings over {} offerings of {AGENCIES} agencies in 16 districts loaded in {:.0} s (SQLite)",
        o.ratings,
        o.offerings,
        loading.elapsed().as_secs_f64()
    );
    let building = Instant::now();
    raw.exec(ROLLUPS).await?;
    raw.exec("ANALYZE").await?;
    let rows = raw.count("SELECT count(*) FROM rating_figures").await?;
    let counted = raw.count("SELECT sum(rated) FROM rating_figures WHERE agency_code = ''").await?;
    anyhow::ensure!(counted == o.ratings as i64, "the counts hold {counted} ratings, not {}", o.ratings);
    println!(
        "the counts ({rows} rows: per offering, agency and district and month) made once in {:.1} s; the platform \
         keeps them with every rating",
        building.elapsed().as_secs_f64()
    );

    // The baseline: the same question answered by scanning the ratings (three times, the median).
    let mut scans = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        raw.exec(SCAN).await?;
        scans.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    scans.sort_by(f64::total_cmp);
    let scan = scans[1];
    println!("baseline, the year's figures by agency from a scan of every rating: {scan:.0} ms (median of 3)");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = tongban_web::AppState::new(app.clone(), Config::default());
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(tongban_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    let one_agency = agency(7);
    let pages = [
        ("the public page, by agency (the default)", "/ratings".to_owned()),
        ("the public page, by district", "/ratings?by=division".to_owned()),
        ("the public page, by month", "/ratings?by=month".to_owned()),
        ("the API, by agency", "/api/v1/ratings/figures".to_owned()),
        ("the API, one agency's offerings", format!("/api/v1/ratings/figures?by=offering&agency={one_agency}")),
        ("the CSV, by district", "/ratings.csv?by=division".to_owned()),
    ];
    let mut worst: f64 = 0.0;
    for (name, path) in pages {
        let mut ms = Vec::with_capacity(o.requests);
        for _ in 0..o.requests.max(1) {
            let t = Instant::now();
            let res = http.get(format!("{base}{path}")).timeout(Duration::from_secs(30)).send().await?;
            anyhow::ensure!(res.status().is_success(), "{path}: {}", res.status());
            let body = res.bytes().await?;
            anyhow::ensure!(!body.is_empty(), "{path}: empty");
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        worst = worst.max(percentile(&ms, 0.99));
        println!(
            "{name} ({path}): {}; {:.0}× faster than the scan at p50",
            summary("latency", ms.clone()),
            scan / percentile(&ms, 0.5)
        );
    }
    println!(
        "target: the public page answers in ≤ 50 ms at {} ratings: {} (worst p99 {worst:.1} ms)",
        o.ratings,
        if worst <= 50.0 { "met" } else { "not met" }
    );
    Ok(())
}
