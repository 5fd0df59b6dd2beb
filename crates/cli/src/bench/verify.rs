//! `tongban bench verify`: public licence verifications per second over HTTP (no login: the
//! identifier parsed, the licence read, its seal checked with SM2 against its issuer's key, its
//! status today), on embedded SQLite, against the same server answering `/healthz` (a bare HTTP
//! round trip) in the same run. Client and server share the machine's cores.

use super::{over_http, summary};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tongban_app::catalog::IndexLocation;
use tongban_app::identity::{self, Client, Identity, NewPerson, Policy};
use tongban_app::staff::{self, NewAssignment};
use tongban_app::{App, Config};
use tongban_crypto::{KeyRing, PasswordParams};
use tongban_domain::codes::citizen_id_check_char;
use tongban_domain::licences::NewLicence;
use tongban_store::DbTarget;

#[derive(clap::Args)]
pub struct Options {
    /// Licences issued before the run (verified in turn).
    #[arg(long, default_value_t = 1000)]
    pub licences: usize,
    /// Requests in flight.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Seconds each measurement lasts.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
}

const ISSUER: &str = "1111010143783071XP";

fn citizen_id(n: usize) -> String {
    let first17 = format!("11010119900307{:03}", n % 1000);
    format!("{first17}{}", citizen_id_check_char(&first17))
}

pub async fn run(o: Options) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("machine: {cores} cores; client and server share them; {} clients", o.clients);
    let dir = tempfile::tempdir()?;
    let id = Identity::new(KeyRing::generate("bench")?, Policy::default(), PasswordParams::default())?;
    let target = DbTarget::Sqlite { data_dir: dir.path().to_path_buf(), full_sync: false };
    let mut app = App::open(&target, IndexLocation::None, id).await.map_err(crate::describe)?;
    // Unlimited for the measurement (the default allows 300 a minute from one address).
    app.verifications = Arc::new(tongban_app::limit::PerMinute::new(u32::MAX));
    // The issuing agency is one of the demo catalog's.
    tongban_app::demo::seed(&app).await.map_err(crate::describe)?;
    let admin = NewPerson {
        name: "管理员".into(),
        citizen_id: citizen_id(999),
        phone: "13700099999".into(),
        email: None,
        password: "Bench-2026-password".into(),
    };
    identity::register(&app, admin, &Client::default()).await.map_err(crate::describe)?;
    let assignment = NewAssignment {
        person: "13700099999".into(),
        role: "platform_admin".into(),
        agency_code: String::new(),
        division_code: String::new(),
    };
    staff::assign(&app, None, assignment).await.map_err(crate::describe)?;
    let admin = identity::login(&app, "13700099999", "Bench-2026-password", None, &Client::default())
        .await
        .map_err(crate::describe)?
        .principal;
    let issuing = Instant::now();
    let mut ids = Vec::with_capacity(o.licences);
    for n in 0..o.licences.max(1) {
        let new = NewLicence {
            type_name: "营业执照".into(),
            issuer_code: ISSUER.into(),
            issuer_name: "北京市东城区市场监督管理局".into(),
            number: format!("B{n:08}"),
            holder_name: format!("测试{n}"),
            holder_code: citizen_id(n),
            division_code: "110101".into(),
            issued_on: None,
            valid_from: None,
            // A validity of its own, so an answer about another licence cannot pass for this one.
            valid_to: chrono::NaiveDate::from_ymd_opt(2030, 1, 1).map(|d| d + chrono::Days::new(n as u64)),
            item_name: "个体工商户设立登记".into(),
            item_code: "000105001000".into(),
            extension: serde_json::json!({"经营场所": format!("东华门街道 {n} 号"), "经营范围": "小吃服务"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        };
        ids.push(tongban_app::licences::issue::issue(&app, &admin, new).await.map_err(crate::describe)?);
    }
    println!(
        "issued {} licences (sealed, stored) in {:.1} s: {:.0}/s",
        ids.len(),
        issuing.elapsed().as_secs_f64(),
        ids.len() as f64 / issuing.elapsed().as_secs_f64()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = tongban_web::AppState::new(app.clone(), Config::default());
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(tongban_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    let time = Duration::from_secs(o.seconds.max(1));
    // The answer each verification must give, worked out in the process: authentic, valid, this
    // licence's own validity.
    let mut expected = Vec::with_capacity(ids.len());
    for id in &ids {
        let v = tongban_app::licences::verification(&app, id).await.map_err(crate::describe)?;
        anyhow::ensure!(v.authentic && v.status == "01", "licence {id} does not verify: {v:?}");
        expected.push(serde_json::to_value(v)?);
    }
    let expected = Arc::new(expected);

    let healthz = format!("{base}/healthz");
    let (bare, bare_ms) = over_http(
        o.clients,
        time,
        http.clone(),
        move |h, _| h.get(&healthz),
        |_, body| {
            anyhow::ensure!(!body.is_empty(), "empty health answer");
            Ok(())
        },
    )
    .await?;
    let ids = Arc::new(ids);
    let n = ids.len();
    let (verified, verify_ms) = over_http(
        o.clients,
        time,
        http,
        move |h, i| h.get(format!("{base}/api/v1/licences/{}/verification", ids[i % n])),
        move |i, body| {
            let answer: serde_json::Value = serde_json::from_slice(body)?;
            anyhow::ensure!(answer == expected[i % n], "licence {}: {answer} is not {}", i % n, expected[i % n]);
            Ok(())
        },
    )
    .await?;
    println!("baseline GET /healthz: {bare:.0}/s; {}", summary("latency", bare_ms));
    println!("public verifications over HTTP: {verified:.0}/s; {}", summary("latency", verify_ms));
    println!(
        "ratio verification/bare round trip: {:.2}; target ≥ 3,000 verifications/s on 2 cores: {}",
        verified / bare,
        if verified >= 3000.0 { "met" } else { "not met" }
    );
    Ok(())
}
