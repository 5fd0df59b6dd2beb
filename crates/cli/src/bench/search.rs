//! `tongban bench search`: the catalog index at national scale against the baseline a platform
//! would otherwise use, PostgreSQL `ILIKE` without and with a `pg_trgm` GIN index, over the same
//! generated rows and the same query mix, in one run.

use super::{percentile, rss_mb, summary, throughput};
use crate::synth::{Generator, Rng};
use sea_orm::sqlx::{self, PgPool, Row};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tongban_domain::catalog::Offering;
use tongban_search::{CatalogIndex, SearchQuery};

/// Documents per index commit while building.
const BATCH: usize = 50_000;

#[derive(clap::Args)]
pub struct Options {
    #[arg(long, default_value_t = 100_000)]
    pub offerings: usize,
    /// Queries timed one after another for the latency percentiles.
    #[arg(long, default_value_t = 2000)]
    pub queries: usize,
    /// Concurrent clients for the throughput figure.
    #[arg(long, default_value_t = 2)]
    pub clients: usize,
    /// Seconds each throughput run lasts.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// PostgreSQL for the baseline (a table `bench_offerings` is created and dropped).
    #[arg(long)]
    pub pg_url: Option<String>,
    /// Timed PostgreSQL queries with and without the index (at least 100 for a p99).
    #[arg(long, default_value_t = 200)]
    pub pg_queries: usize,
    /// Working directory for the index (default: a temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Keep an index of the same size left in `--dir` by an earlier run instead of building
    /// it again (when changing query code; the build figures are then not measured).
    #[arg(long)]
    pub reuse_index: bool,
}

/// The realistic query mix: single words, full service names, and filtered searches.
fn query_mix(rng: &mut Rng, counties: &[Vec<String>]) -> Vec<(String, Option<Vec<String>>)> {
    const WORDS: [&str; 12] =
        ["身份证", "公积金", "营业执照", "驾驶证", "结婚", "社保", "食品", "排污", "护照", "户口", "养老", "施工许可"];
    const NAMES: [&str; 6] =
        ["居民身份证换领", "住房公积金提取", "个体工商户设立登记", "食品经营许可", "企业设立登记", "异地就医备案"];
    let mut mix = Vec::new();
    for i in 0..60 {
        let filter = (i % 3 == 2).then(|| counties[rng.below(counties.len())].clone());
        let words = if i % 2 == 0 { WORDS[rng.below(WORDS.len())] } else { NAMES[rng.below(NAMES.len())] };
        mix.push((words.to_owned(), filter));
    }
    mix
}

/// 0 single word, 1 full service name, 2 filtered by a county and its ancestors.
fn query_kind((q, divisions): &(String, Option<Vec<String>>)) -> usize {
    if divisions.is_some() {
        2
    } else if q.chars().count() > 4 {
        1
    } else {
        0
    }
}

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p).map(|rd| rd.flatten().map(|e| e.metadata().map(|m| m.len()).unwrap_or(0)).sum()).unwrap_or(0)
}

/// The county divisions with their ancestors, as the division filter receives them.
fn county_paths() -> Vec<Vec<String>> {
    tongban_app::datasets::divisions()
        .into_iter()
        .filter(|d| d.level == tongban_domain::DivisionLevel::County)
        .filter_map(|d| {
            let code = tongban_domain::DivisionCode::parse(&d.code).ok()?;
            let mut path = vec![code.as_str().to_owned()];
            let mut next = code.structural_parent();
            while let Some(p) = next {
                path.push(p.as_str().to_owned());
                next = p.structural_parent();
            }
            Some(path)
        })
        .collect()
}

pub async fn run(o: Options) -> anyhow::Result<()> {
    println!(
        "machine: {} cores; offerings: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        o.offerings
    );
    let tmp = tempfile::tempdir()?;
    let index_dir = o.dir.as_deref().unwrap_or(tmp.path()).join("index");
    let reuse = o.reuse_index && CatalogIndex::open(&index_dir)?.len() == o.offerings as u64;
    if !reuse {
        let _ = std::fs::remove_dir_all(&index_dir);
    }
    let index = Arc::new(CatalogIndex::open(&index_dir)?);
    if reuse {
        println!("index: reused from {} ({} segments)", index_dir.display(), index.segments());
    } else {
        build(&index, &index_dir, o.offerings).await?;
    }

    let counties = county_paths();
    let mut rng = Rng::new(7);
    let mix = Arc::new(query_mix(&mut rng, &counties));
    let mix_for_search = mix.clone();
    let search = move |i: usize| {
        let mix = &mix_for_search;
        let (q, divisions) = &mix[i % mix.len()];
        SearchQuery { q: q.clone(), divisions: divisions.clone(), page: 1, per_page: 10, ..SearchQuery::default() }
    };

    // Warm-up, then latency of one client.
    for i in 0..mix.len() * 2 {
        index.search(&search(i))?;
    }
    let mut ms = Vec::with_capacity(o.queries);
    let mut by_kind: [Vec<f64>; 3] = Default::default();
    let mut matches: [Vec<f64>; 3] = Default::default();
    for i in 0..o.queries {
        let t = Instant::now();
        let found = index.search(&search(i))?.total;
        let elapsed = t.elapsed().as_secs_f64() * 1000.0;
        ms.push(elapsed);
        let kind = query_kind(&mix[i % mix.len()]);
        by_kind[kind].push(elapsed);
        matches[kind].push(found as f64);
    }
    println!("{}", summary("tantivy+jieba latency (1 client, warm)", ms));
    for (kind, label) in ["single words", "full names", "with division filter"].iter().enumerate() {
        let mut found = std::mem::take(&mut matches[kind]);
        found.sort_by(f64::total_cmp);
        println!(
            "  {}; median matches {:.0}",
            summary(label, std::mem::take(&mut by_kind[kind])),
            percentile(&found, 0.5)
        );
    }
    let qps = throughput(o.clients, Duration::from_secs(o.seconds), {
        let (index, search) = (index.clone(), search.clone());
        move |i| index.search(&search(i)).map(|_| ()).map_err(|e| e.to_string())
    })?;
    println!("tantivy+jieba throughput ({} clients, {} s): {qps:.0} queries/s", o.clients, o.seconds);
    let (rss, hwm) = rss_mb();
    println!("memory after queries: RSS {rss:.0} MiB, peak {hwm:.0} MiB");

    if let Some(url) = &o.pg_url {
        baseline(url, &o, &mix, qps).await?;
    }
    Ok(())
}

/// Generates `offerings` and indexes them in batches, then merges; prints time, size, memory.
async fn build(index: &Arc<CatalogIndex>, index_dir: &Path, offerings: usize) -> anyhow::Result<()> {
    let start = Instant::now();
    let mut generator = Generator::new(42);
    let mut done = 0;
    while done < offerings {
        let n = BATCH.min(offerings - done);
        let batch: Vec<Offering> = (0..n).map(|_| generator.next_offering()).collect();
        let idx = index.clone();
        let revision = (done + n) as i64;
        tokio::task::spawn_blocking(move || idx.apply(&batch, revision)).await??;
        done += n;
        eprint!("\rindexed {done}/{}", offerings);
    }
    eprintln!();
    let indexed = start.elapsed();
    let segments = index.segments();
    tokio::task::spawn_blocking({
        let index = index.clone();
        move || index.optimize()
    })
    .await??;
    let build = start.elapsed();
    let (rss, hwm) = rss_mb();
    println!(
        "index build: {:.1} s ({:.0} offerings/s), of which merging {segments} segments into {}: {:.1} s; \
         size {:.1} MiB; RSS {rss:.0} MiB, peak {hwm:.0} MiB",
        build.as_secs_f64(),
        offerings as f64 / build.as_secs_f64(),
        index.segments(),
        (build - indexed).as_secs_f64(),
        dir_size(index_dir) as f64 / 1048576.0
    );
    Ok(())
}

/// The same rows in PostgreSQL, queried with `ILIKE`, then with a `pg_trgm` GIN index.
async fn baseline(url: &str, o: &Options, mix: &[(String, Option<Vec<String>>)], ours: f64) -> anyhow::Result<()> {
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(o.clients as u32 + 1).connect(url).await?;
    sqlx::query("DROP TABLE IF EXISTS bench_offerings").execute(&pool).await?;
    sqlx::query(
        "CREATE TABLE bench_offerings (offering_code text PRIMARY KEY, name text, agency text, body text,
         division_code text, level text)",
    )
    .execute(&pool)
    .await?;
    let start = Instant::now();
    let mut generator = Generator::new(42);
    let mut conn = pool.acquire().await?;
    let mut copy = conn.copy_in_raw("COPY bench_offerings FROM STDIN WITH (FORMAT text)").await?;
    let clean = |s: &str| s.replace(['\t', '\n', '\\'], " ");
    let mut buf = String::new();
    for i in 0..o.offerings {
        let x = generator.next_offering();
        let body = [x.conditions.as_str(), &x.result.name]
            .into_iter()
            .chain(x.materials.iter().map(|m| m.name.as_str()))
            .chain(x.steps.iter().map(|s| s.description.as_str()))
            .collect::<Vec<_>>()
            .join(" ");
        let level = serde_json::to_value(x.level)?.as_str().unwrap_or_default().to_owned();
        buf.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            x.offering_code,
            clean(&x.name),
            clean(&x.agency.name),
            clean(&body),
            x.division_code,
            level
        ));
        if buf.len() > 1 << 20 || i + 1 == o.offerings {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    copy.finish().await?;
    drop(conn);
    sqlx::query("ANALYZE bench_offerings").execute(&pool).await?;
    println!("postgres load: {:.1} s", start.elapsed().as_secs_f64());

    const SQL: &str = "SELECT offering_code, name, count(*) OVER () FROM bench_offerings
               WHERE (name ILIKE $1 OR agency ILIKE $1 OR body ILIKE $1)
                 AND ($2::text[] IS NULL OR level = 'national' OR division_code = ANY($2))
               ORDER BY (name ILIKE $1) DESC LIMIT 10";
    let query = |pool: PgPool, (q, d): (String, Option<Vec<String>>)| async move {
        let rows = sqlx::query(SQL).bind(format!("%{q}%")).bind(d).fetch_all(&pool).await?;
        let _: Option<i64> = rows.first().map(|r| r.get(2));
        anyhow::Ok(())
    };
    // pg_trgm indexes trigrams: a word of two characters (社保, 护照 …) has none, so its pattern
    // cannot use the index and the search reads every row.
    let short: Vec<&str> = {
        let mut s: Vec<&str> = mix.iter().map(|(q, _)| q.as_str()).filter(|q| q.chars().count() < 3).collect();
        s.sort_unstable();
        s.dedup();
        s
    };
    // Warm, as our index was: the table (and its indexes) read into memory, every query once.
    let warm = |pool: PgPool| {
        let mix = mix.to_vec();
        async move {
            sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_prewarm").execute(&pool).await?;
            sqlx::query(
                "SELECT pg_prewarm(c.oid::regclass) FROM pg_class c
                 WHERE c.relname = 'bench_offerings' OR c.relname LIKE 'bench_offerings_%'",
            )
            .execute(&pool)
            .await?;
            let mut seen = std::collections::HashSet::new();
            for m in mix.into_iter().filter(|m| seen.insert(m.clone())) {
                query(pool.clone(), m).await?;
            }
            anyhow::Ok(())
        }
    };
    // `n` queries one after another: all of them, and those pg_trgm cannot index apart.
    let run_mix = |pool: PgPool, label: &'static str, n: usize| {
        let (mix, short) = (mix.to_vec(), short.clone());
        async move {
            let (mut all, mut two) = (Vec::new(), Vec::new());
            for i in 0..n {
                let m = mix[i % mix.len()].clone();
                let is_short = short.contains(&m.0.as_str());
                let t = Instant::now();
                query(pool.clone(), m).await?;
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                all.push(ms);
                if is_short {
                    two.push(ms);
                }
            }
            println!("{}", summary(label, all));
            println!("  {}", summary("of which words of fewer than three characters", two));
            anyhow::Ok(())
        }
    };
    let pg_qps = |pool: PgPool| {
        let mix = mix.to_vec();
        let clients = o.clients;
        let seconds = o.seconds;
        async move {
            let start = Instant::now();
            let deadline = start + Duration::from_secs(seconds);
            let tasks: Vec<_> = (0..clients)
                .map(|c| {
                    let (pool, mix) = (pool.clone(), mix.clone());
                    tokio::spawn(async move {
                        let mut n = 0usize;
                        while Instant::now() < deadline {
                            query(pool.clone(), mix[(c * 7 + n) % mix.len()].clone()).await?;
                            n += 1;
                        }
                        anyhow::Ok(n)
                    })
                })
                .collect();
            let mut total = 0;
            for t in tasks {
                total += t.await??;
            }
            anyhow::Ok(total as f64 / start.elapsed().as_secs_f64())
        }
    };
    println!("words of fewer than three characters in the mix, which pg_trgm cannot index: {}", short.join("、"));
    warm(pool.clone()).await?;
    run_mix(pool.clone(), "postgres ILIKE latency (1 client, warm)", o.pg_queries).await?;
    let ilike = pg_qps(pool.clone()).await?;
    println!(
        "postgres ILIKE throughput ({} clients): {ilike:.1} queries/s; tantivy is {:.0}x",
        o.clients,
        ours / ilike.max(1e-9)
    );

    let start = Instant::now();
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute(&pool).await?;
    // The baseline at its best: enough memory to build the index without spilling.
    let mut conn = pool.acquire().await?;
    sqlx::query("SET maintenance_work_mem = '4GB'").execute(&mut *conn).await?;
    sqlx::query(
        "CREATE INDEX bench_offerings_trgm ON bench_offerings USING gin (name gin_trgm_ops, agency gin_trgm_ops, body gin_trgm_ops)",
    )
    .execute(&mut *conn)
    .await?;
    drop(conn);
    println!("pg_trgm GIN index build: {:.1} s", start.elapsed().as_secs_f64());
    warm(pool.clone()).await?;
    run_mix(pool.clone(), "postgres pg_trgm latency (1 client, warm)", o.pg_queries).await?;
    let trgm = pg_qps(pool.clone()).await?;
    println!(
        "postgres pg_trgm throughput ({} clients): {trgm:.1} queries/s; tantivy is {:.0}x",
        o.clients,
        ours / trgm.max(1e-9)
    );
    sqlx::query("DROP TABLE bench_offerings").execute(&pool).await?;
    Ok(())
}
