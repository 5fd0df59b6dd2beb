//! `tongban bench cases`: end-to-end submissions over HTTP — authenticated by bearer token,
//! validated against the form's JSON Schema, written with the case number, the SM3-chained audit
//! entry and its global anchor, the receipt message and the webhook's delivery in one transaction,
//! then the text and the e-mail to the applicant and the webhook posted — on embedded SQLite (with
//! its default `synchronous=NORMAL` and with `FULL`) and on PostgreSQL; then the workbench queue
//! over HTTP with a million cases in the table. The baseline, measured in the same run on the same
//! database, is the bare durable commit: one row inserted per transaction by as many clients,
//! queued on SQLite as the store queues its writers. With `--nodes`, the PostgreSQL submissions
//! are timed again through several nodes sharing the database.

use super::raw::{Raw, bare_commits, concurrently};
use super::summary;
use anyhow::{Context, anyhow};
use sea_orm::sqlx;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tongban_app::catalog::IndexLocation;
use tongban_app::identity::{self, Client, Identity, NewPerson, Policy};
use tongban_app::staff::{self, NewAssignment};
use tongban_app::{App, Config};
use tongban_crypto::{KeyRing, PasswordParams};
use tongban_domain::codes::citizen_id_check_char;
use tongban_store::DbTarget;

#[derive(clap::Args)]
pub struct Options {
    /// Applications drafted and then submitted.
    #[arg(long, default_value_t = 5000)]
    pub applications: usize,
    /// Requests in flight.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Cases in the table when the queue is timed.
    #[arg(long, default_value_t = 1_000_000)]
    pub queue_cases: usize,
    /// Queue pages timed one after another.
    #[arg(long, default_value_t = 1000)]
    pub queries: usize,
    /// Also run on PostgreSQL (a schema `bench_cases` is created and dropped).
    #[arg(long)]
    pub pg_url: Option<String>,
    /// On PostgreSQL, submissions are timed again with each of these numbers of nodes sharing
    /// the database, the clients spread over them (e.g. `1,2,3`).
    #[arg(long, value_delimiter = ',', default_value = "1")]
    pub nodes: Vec<u8>,
}

/// 个体工商户设立登记 at 北京市东城区市场监督管理局 in the demo catalog: a form of three sections.
const OFFERING: &str = "1111010143783071XP0700105001000";
/// The agency deciding it, whose webhook hears of every submission.
const DECIDING: &str = "1111010143783071XP";
const PASSWORD: &str = "Bench-2026-password";
/// The material the applicant uploads (a small PDF).
const PREMISES: &str = "经营场所使用相关文件（或经营场所申报承诺）";
const APPLICANTS: usize = 20;
/// The agencies of the synthetic queue table; the bench's approver holds a role at the first ten.
const AGENCIES: usize = 200;

fn citizen_id(n: usize) -> String {
    let first17 = format!("11010119900307{n:03}");
    format!("{first17}{}", citizen_id_check_char(&first17))
}

fn phone(n: usize) -> String {
    format!("137{n:08}")
}

fn data(n: usize) -> Value {
    json!({
        "operator_name": format!("测试{n}"), "phone": phone(n % APPLICANTS), "organization_form": "个人经营",
        "address": format!("北京市东城区某某街道 {n} 号"), "business_scope": "小吃服务；食品销售", "employees": 2,
        "capital": 5
    })
}

struct Bench {
    app: App,
    /// Every node's address, the first node's first.
    bases: Vec<String>,
    /// What another node is opened with: the same keys, the same object store.
    ring: KeyRing,
    objects: std::path::PathBuf,
    http: reqwest::Client,
    tokens: Vec<String>,
    staff_token: String,
    /// Webhook posts the receiver answered.
    hooked: Arc<AtomicUsize>,
    /// The receiver and the delivery rounds, stopped with the bench.
    background: Vec<tokio::task::JoinHandle<()>>,
    /// Each node's server stops when its sender is dropped.
    stops: Vec<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Bench {
    fn drop(&mut self) {
        self.background.iter().for_each(tokio::task::JoinHandle::abort);
    }
}

/// The agency's system: a webhook receiver on this machine answering 200 to every post.
async fn receiver() -> anyhow::Result<(String, Arc<AtomicUsize>, tokio::task::JoinHandle<()>)> {
    let hooked = Arc::new(AtomicUsize::new(0));
    let counted = hooked.clone();
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            counted.fetch_add(1, Ordering::Relaxed);
            async { "ok" }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let serving = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((url, hooked, serving))
}

async fn call(
    http: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> anyhow::Result<(u16, Value)> {
    let mut req = http.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await?;
    let status = res.status().as_u16();
    Ok((status, res.json().await.unwrap_or(Value::Null)))
}

async fn setup(target: &DbTarget, objects: &std::path::Path) -> anyhow::Result<Bench> {
    let ring = KeyRing::generate("bench")?;
    let app = open_node(target, &ring, objects, 1).await?;
    tongban_app::demo::seed(&app).await.map_err(crate::describe)?;
    let (hook_url, hooked, serving) = receiver().await?;
    tongban_app::webhooks::add(&app, DECIDING, &hook_url).await.map_err(crate::describe)?;
    // Webhook deliveries and messages not sent at the first attempt, as `serve` makes them: a
    // round of each every two seconds.
    let delivering = app.clone();
    let webhook_rounds = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            if let Err(e) = tongban_app::webhooks::deliver_due(&delivering).await {
                tracing::warn!(error = %e, "webhook delivery round failed");
            }
            if let Err(e) = tongban_app::notify::deliver_due(&delivering).await {
                tracing::warn!(error = %e, "message delivery round failed");
            }
        }
    });
    let registry: Vec<String> = (0..=APPLICANTS).map(|n| format!("测试{n},{}", citizen_id(n))).collect();
    identity::import_registry(&app, &registry.join("\n")).await.map_err(crate::describe)?;
    for n in 0..=APPLICANTS {
        let person = NewPerson {
            name: format!("测试{n}"),
            citizen_id: citizen_id(n),
            phone: phone(n),
            email: Some(format!("applicant{n}@example.cn")),
            password: PASSWORD.into(),
        };
        identity::register(&app, person, &Client::default()).await.map_err(crate::describe)?;
        let who =
            identity::login(&app, &phone(n), PASSWORD, None, &Client::default()).await.map_err(crate::describe)?;
        identity::verify_real_name(&app, &who.principal).await.map_err(crate::describe)?;
    }
    // The last person is the approver of the queue agencies (granted by a platform administrator).
    let staff_phone = phone(APPLICANTS);
    staff::assign(
        &app,
        None,
        NewAssignment {
            person: staff_phone.clone(),
            role: "platform_admin".into(),
            agency_code: String::new(),
            division_code: String::new(),
        },
    )
    .await
    .map_err(crate::describe)?;
    let admin =
        identity::login(&app, &staff_phone, PASSWORD, None, &Client::default()).await.map_err(crate::describe)?;
    for a in 0..10 {
        let form = NewAssignment {
            person: staff_phone.clone(),
            role: "approver".into(),
            agency_code: agency(a),
            division_code: "110000".into(),
        };
        staff::assign(&app, Some(&admin.principal), form).await.map_err(crate::describe)?;
    }

    let (base, stop) = serve_node(&app).await?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
    let mut tokens = Vec::new();
    for n in 0..=APPLICANTS {
        let body = json!({"identifier": phone(n), "password": PASSWORD});
        let res = http.post(format!("{base}/api/v1/sessions")).json(&body).send().await?;
        let v: Value = res.json().await?;
        tokens.push(v["token"].as_str().ok_or_else(|| anyhow!("login failed: {v}"))?.to_owned());
    }
    let staff_token = tokens.pop().unwrap_or_default();
    Ok(Bench {
        app,
        bases: vec![base],
        ring,
        objects: objects.to_path_buf(),
        http,
        tokens,
        staff_token,
        hooked,
        background: vec![serving, webhook_rounds],
        stops: vec![stop],
    })
}

/// A node's `App` on the bench's database: its own connections, caches and anchorer, the keys and
/// object store every node shares, the bench's receiver reachable, its own node number.
async fn open_node(target: &DbTarget, ring: &KeyRing, objects: &std::path::Path, node: u8) -> anyhow::Result<App> {
    let policy = Policy { attempts_per_minute: u32::MAX, ..Policy::default() };
    let id = Identity::new(ring.clone(), policy, PasswordParams::default())?;
    let mut app = App::open(target, IndexLocation::None, id).await.map_err(crate::describe)?;
    app.objects = Arc::new(tongban_app::materials::Objects::local(objects).map_err(crate::describe)?);
    // The receiver is on this machine, which webhooks may reach only when allowed.
    let local = tongban_app::outbound::AddressPolicy::parse(&["127.0.0.1/32".into()]).map_err(|e| anyhow!(e))?;
    app.outbound = Arc::new(tongban_app::outbound::Outbound::new(local).map_err(crate::describe)?);
    Arc::get_mut(&mut app.cases).context("case settings not yet shared")?.node = node;
    Ok(app)
}

/// Serves `app` over HTTP on a free port until the sender is dropped: its address.
async fn serve_node(app: &App) -> anyhow::Result<(String, tokio::sync::oneshot::Sender<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = tongban_web::AppState::new(app.clone(), Config::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(tongban_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    Ok((base, stop))
}

impl Bench {
    /// Adds nodes on `target` until there are `n`. The first node alone runs the delivery rounds
    /// of webhooks and messages, as the one holding those jobs' leases in a cluster (the node
    /// answering a submission makes its messages' first attempt).
    async fn grow(&mut self, target: &DbTarget, n: usize) -> anyhow::Result<()> {
        while self.bases.len() < n {
            let app = open_node(target, &self.ring, &self.objects, self.bases.len() as u8 + 1).await?;
            let (base, stop) = serve_node(&app).await?;
            self.bases.push(base);
            self.stops.push(stop);
        }
        Ok(())
    }
}

/// Drafts made over HTTP (start + save), then submitted with `clients` in flight, spread over the
/// nodes; then waits for what follows each off the request (the webhook's post, the text and the
/// e-mail).
async fn submissions(b: &Bench, raw: &Raw, o: &Options, label: &str) -> anyhow::Result<f64> {
    let (sent, delivered) = (
        "SELECT count(*) FROM outbound_messages WHERE kind = 'case_changed' AND status = 'sent'",
        "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL",
    );
    // What earlier runs on this database left.
    let before =
        (b.hooked.load(Ordering::Relaxed), raw.count(sent).await? as usize, raw.count(delivered).await? as usize);
    let (http, bases) = (b.http.clone(), Arc::new(b.bases.clone()));
    let tokens = Arc::new(b.tokens.clone());
    let (drafts_ms, drafts_time) = {
        let ids = Arc::new(std::sync::Mutex::new(vec![String::new(); o.applications]));
        let out = concurrently(o.applications, o.clients, |i| {
            let (http, bases, tokens, ids) = (http.clone(), bases.clone(), tokens.clone(), ids.clone());
            async move {
                let (token, base) = (&tokens[i % tokens.len()], &bases[i % bases.len()]);
                let url = format!("{base}/api/v1/applications");
                let (s, a) =
                    call(&http, token, reqwest::Method::POST, &url, Some(json!({"offering_code": OFFERING}))).await?;
                anyhow::ensure!(s == 201, "start: {s} {a}");
                let id = a["id"].as_str().context("id")?.to_owned();
                let (s, v) =
                    call(&http, token, reqwest::Method::PUT, &format!("{url}/{id}"), Some(json!({"data": data(i)})))
                        .await?;
                anyhow::ensure!(s == 200, "save: {s} {v}");
                let form = reqwest::multipart::Form::new().text("material", PREMISES).part(
                    "file",
                    reqwest::multipart::Part::bytes(&b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"[..])
                        .file_name("租赁合同.pdf"),
                );
                let res = http.post(format!("{url}/{id}/materials")).bearer_auth(token).multipart(form).send().await?;
                anyhow::ensure!(res.status().as_u16() == 201, "upload: {}", res.text().await?);
                ids.lock().map_err(|_| anyhow!("lock"))?[i] = id;
                Ok(())
            }
        })
        .await?;
        let ids = ids.lock().map_err(|_| anyhow!("lock"))?.clone();
        (out, ids)
    };
    let ((ms, time), ids) = (drafts_ms, drafts_time);
    println!(
        "{label}: {} drafts started, saved and given their file over HTTP ({} clients): {:.0} drafts/s",
        o.applications,
        o.clients,
        o.applications as f64 / time.as_secs_f64()
    );
    drop(ms);
    let ids = Arc::new(ids);
    let (ms, time) = concurrently(o.applications, o.clients, |i| {
        let (http, bases, tokens, ids) = (http.clone(), bases.clone(), tokens.clone(), ids.clone());
        async move {
            // Each submission through another node than its draft's.
            let (token, base) = (&tokens[i % tokens.len()], &bases[(i + 1) % bases.len()]);
            let res = http
                .post(format!("{base}/api/v1/applications/{}/submit", ids[i]))
                .bearer_auth(token)
                .header("idempotency-key", format!("bench-{}", ids[i]))
                .send()
                .await?;
            anyhow::ensure!(res.status().as_u16() == 201, "submit: {} {}", res.status(), res.text().await?);
            Ok(())
        }
    })
    .await?;
    let submitted = Instant::now();
    let rate = o.applications as f64 / time.as_secs_f64();
    println!("{}", summary(&format!("{label}: submission latency ({} clients)", o.clients), ms));
    println!("{label}: submissions over HTTP ({} clients): {rate:.0}/s", o.clients);
    let n = o.applications;
    loop {
        let (messages, recorded) =
            (raw.count(sent).await? as usize - before.1, raw.count(delivered).await? as usize - before.2);
        let hooked = b.hooked.load(Ordering::Relaxed) - before.0;
        if hooked >= n && messages >= 2 * n && recorded >= n {
            // Each delivery posted once and recorded, each message sent once.
            anyhow::ensure!(
                hooked == n && recorded == n && messages == 2 * n,
                "{hooked} posts and {recorded} deliveries recorded for {n} submissions, {messages} messages for {}",
                2 * n
            );
            println!(
                "{label}: every webhook post ({hooked}) and text and e-mail ({messages}) sent {:.1} s after the last \
                 submission",
                submitted.elapsed().as_secs_f64()
            );
            break;
        }
        anyhow::ensure!(
            submitted.elapsed() < Duration::from_secs(300),
            "after 300 s only {hooked} of {n} webhook posts ({recorded} recorded) and {messages} of {} messages were sent",
            2 * n
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Checked once everything is sent, so the time to send it is not the check's.
    let report = tongban_app::cases::verify_audit(&b.app).await?;
    anyhow::ensure!(report.problems.is_empty(), "audit: {:?}", &report.problems[..report.problems.len().min(5)]);
    anyhow::ensure!(report.cases as usize >= o.applications, "only {} cases", report.cases);
    println!(
        "{label}: audit chain verified: {} cases, {} entries, {} links",
        report.cases, report.entries, report.anchors
    );
    Ok(rate)
}

/// An agency of the synthetic queue table: a valid credit code.
pub(super) fn agency(a: usize) -> String {
    let first17 = format!("11110000MB{a:07}");
    format!("{first17}{}", tongban_domain::codes::credit_code_check_char(&first17))
}

/// One row of the synthetic queue table: `AGENCIES` agencies in Beijing's districts, a fifth of
/// the cases open, due dates over two months, one in twenty red and one in ten yellow.
fn case_values(i: usize) -> String {
    let districts = ["110101", "110102", "110105", "110106", "110107", "110108"];
    let division = districts[(i / AGENCIES) % districts.len()];
    let day = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or_default() + chrono::Days::new((i % 60) as u64);
    let state = if i.is_multiple_of(5) {
        ["under_review", "submitted", "supplement_requested"][i / 5 % 3]
    } else {
        "delivered"
    };
    let warning = if i.is_multiple_of(20) {
        "red"
    } else if i.is_multiple_of(10) {
        "yellow"
    } else {
        "green"
    };
    let due = day + chrono::Days::new(28);
    format!(
        "('B{i:022}','bq{i}','{OFFERING}',1,'个体工商户设立登记','p{}','','{ag}','{division}','{ag}','{division}',\
         '{ag}','{division}',\
         'committed','{state}',0,'[\"审核\",\"登记决定\"]',true,20,'{day}',NULL,'[]','{due}','{warning}',NULL,1,\
         '{day} 09:00:00+00:00','{day} 09:00:00+00:00')",
        i % 1000,
        ag = agency(i % AGENCIES)
    )
}

const CASE_COLUMNS: &str = "case_number, application_id, offering_code, offering_version, offering_name, applicant_id, \
    organization, receiving_agency, receiving_division, deciding_agency, deciding_division, handling_agency, \
    handling_division, case_kind, state, step, \
    steps, accepted, limit_days, accepted_on, stopped_on, pauses, due, warning, claimed_by, version, submitted_at, \
    updated_at";

/// Loads the synthetic cases, then times the first page of an agency's queue over HTTP (a tenth
/// filtered to red cases, a tenth the second page).
async fn queue(b: &Bench, raw: &Raw, o: &Options, label: &str) -> anyhow::Result<()> {
    let start = Instant::now();
    let batch = 1000;
    let mut i = 0;
    while i < o.queue_cases {
        let n = batch.min(o.queue_cases - i);
        let values: Vec<String> = (i..i + n).map(case_values).collect();
        raw.exec(&format!("INSERT INTO cases ({CASE_COLUMNS}) VALUES {}", values.join(","))).await?;
        i += n;
    }
    match raw {
        Raw::Sqlite(p, _) => sqlx::raw_sql("ANALYZE").execute(p).await.map(|_| ())?,
        Raw::Postgres(p) => sqlx::raw_sql("ANALYZE").execute(p).await.map(|_| ())?,
    }
    println!("{label}: {} synthetic cases loaded in {:.1} s", o.queue_cases, start.elapsed().as_secs_f64());
    let mut ms = Vec::with_capacity(o.queries);
    let mut rows = 0usize;
    for q in 0..o.queries {
        let mut url =
            format!("{}/api/v1/workbench/queue?agency={}&division=110000&limit=20", b.bases[0], agency(q % 10));
        if q % 10 == 3 {
            url.push_str("&warning=red");
        }
        if q % 10 == 7 {
            let (_, first) = call(&b.http, &b.staff_token, reqwest::Method::GET, &url, None).await?;
            if let Some(last) = first.as_array().and_then(|a| a.last()) {
                url.push_str(&format!("&after={}", last["case_number"].as_str().unwrap_or_default()));
            }
        }
        let t = Instant::now();
        let (status, page) = call(&b.http, &b.staff_token, reqwest::Method::GET, &url, None).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(status == 200, "queue: {status} {page}");
        rows += page.as_array().map_or(0, Vec::len);
    }
    anyhow::ensure!(rows > 0, "the queues were empty");
    println!("{}", summary(&format!("{label}: workbench queue page over HTTP at {} cases", o.queue_cases), ms));
    Ok(())
}

async fn backend(target: DbTarget, o: &Options, label: &str, queue_too: bool) -> anyhow::Result<()> {
    let objects = tempfile::tempdir()?;
    let mut b = setup(&target, objects.path()).await?;
    let raw = Arc::new(Raw::open(&target, o.clients).await?);
    let base = bare_commits(&raw, o.clients, o.applications).await?;
    println!("{label}: baseline, bare one-row commits ({} clients): {base:.0}/s", o.clients);
    // One process serves an embedded database; nodes share PostgreSQL.
    let mut counts = if matches!(target, DbTarget::Postgres { .. }) { o.nodes.clone() } else { vec![1] };
    counts.sort_unstable();
    counts.dedup();
    for nodes in counts.into_iter().filter(|n| *n > 0) {
        b.grow(&target, usize::from(nodes)).await?;
        let label = if nodes == 1 { label.to_owned() } else { format!("{label}, {nodes} nodes") };
        let rate = submissions(&b, &raw, o, &label).await?;
        println!("{label}: a submission costs {:.1} bare commits", base / rate);
    }
    if o.queue_cases == 0 || !queue_too {
        return Ok(());
    }
    queue(&b, &raw, o, label).await
}

pub async fn run(o: Options) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("machine: {cores} cores; client and server share them");
    for full_sync in [false, true] {
        let dir = tempfile::tempdir()?;
        let label = if full_sync { "sqlite (synchronous=FULL)" } else { "sqlite" };
        backend(DbTarget::Sqlite { data_dir: dir.path().to_path_buf(), full_sync }, &o, label, !full_sync).await?;
    }
    if let Some(url) = &o.pg_url {
        let schema = "bench_cases";
        let admin = sqlx::PgPool::connect(url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await?;
        let target = DbTarget::Postgres { url: url.clone(), schema: Some(schema.into()) };
        let result = backend(target, &o, "postgres", true).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))).execute(&admin).await?;
        result?;
    }
    Ok(())
}
