//! What the benches share: runs with a bounded number in flight, and a plain connection pool to
//! the bench's database for the baseline of bare commits and bulk loads.

use sea_orm::sqlx;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tongban_store::DbTarget;

/// Runs `n` jobs with at most `clients` in flight; each job's latency in ms, and the wall time.
pub async fn concurrently<F, Fut>(n: usize, clients: usize, job: F) -> anyhow::Result<(Vec<f64>, Duration)>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let gate = Arc::new(Semaphore::new(clients.max(1)));
    let start = Instant::now();
    let mut handles = Vec::with_capacity(n);
    for i in 0..n {
        let permit = gate.clone().acquire_owned().await?;
        let fut = job(i);
        handles.push(tokio::spawn(async move {
            let t = Instant::now();
            let r = fut.await;
            drop(permit);
            r.map(|_| t.elapsed().as_secs_f64() * 1000.0)
        }));
    }
    let mut ms = Vec::with_capacity(n);
    for h in handles {
        ms.push(h.await??);
    }
    Ok((ms, start.elapsed()))
}

/// A plain connection pool to the bench's database, for the baseline and the bulk load. Its
/// SQLite writers take turns as the store's do (a queue in the process, `BEGIN IMMEDIATE`).
pub enum Raw {
    Sqlite(sqlx::SqlitePool, tokio::sync::Mutex<()>),
    Postgres(sqlx::PgPool),
}

impl Raw {
    pub async fn open(target: &DbTarget, clients: usize) -> anyhow::Result<Self> {
        Ok(match target {
            DbTarget::Sqlite { data_dir, full_sync } => {
                // The store's own settings: WAL, its synchronous mode, a busy timeout.
                use sqlx::sqlite::SqliteSynchronous::{Full, Normal};
                let opts = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(data_dir.join("tongban.sqlite"))
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(if *full_sync { Full } else { Normal })
                    .busy_timeout(Duration::from_secs(5));
                // Bulk loads are slow statements by design: not a warning each.
                let opts = sqlx::ConnectOptions::disable_statement_logging(opts);
                let pool =
                    sqlx::sqlite::SqlitePoolOptions::new().max_connections(clients as u32).connect_with(opts).await?;
                Raw::Sqlite(pool, Default::default())
            }
            DbTarget::Postgres { url, schema } => {
                let schema = schema.clone().unwrap_or_else(|| "public".into());
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(clients as u32)
                    .after_connect(move |conn, _| {
                        let sql = format!("SET search_path TO {schema}");
                        Box::pin(
                            async move { sqlx::Executor::execute(conn, sqlx::AssertSqlSafe(sql)).await.map(|_| ()) },
                        )
                    })
                    .connect(url)
                    .await?;
                Raw::Postgres(pool)
            }
        })
    }

    /// Runs `sql` (statements without parameters) in one transaction.
    pub async fn exec(&self, sql: &str) -> anyhow::Result<()> {
        match self {
            Raw::Sqlite(p, turn) => {
                let _turn = turn.lock().await;
                let sql = format!("BEGIN IMMEDIATE; {sql}; COMMIT;");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ())
            }
            Raw::Postgres(p) => {
                let sql = format!("BEGIN; {sql}; COMMIT;");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ())
            }
        }
        .map_err(Into::into)
    }

    pub async fn count(&self, sql: &str) -> anyhow::Result<i64> {
        Ok(match self {
            Raw::Sqlite(p, _) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(p).await?,
            Raw::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(p).await?,
        })
    }
}

/// The baseline: `n` transactions of one inserted row, `clients` at once; commits per second.
pub async fn bare_commits(raw: &Arc<Raw>, clients: usize, n: usize) -> anyhow::Result<f64> {
    raw.exec("CREATE TABLE IF NOT EXISTS bench_commits (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)").await?;
    let (_, time) = concurrently(n, clients, |i| {
        let raw = raw.clone();
        async move { raw.exec(&format!("INSERT INTO bench_commits VALUES ({i}, 'x')")).await }
    })
    .await?;
    Ok(n as f64 / time.as_secs_f64())
}
