//! Test support: a fresh, migrated store on the backend the environment selects.
//!
//! `TEST_DATABASE_URL` unset → a new SQLite file in a temporary directory.
//! `TEST_DATABASE_URL=postgres://…` → a new schema in that database; the test fails (never
//! skips) when the server cannot be reached.

use crate::{DbTarget, Store};
use std::sync::atomic::{AtomicU32, Ordering};

/// Keeps the temporary directory of a SQLite test store alive.
pub struct TestStore {
    pub store: Store,
    pub target: DbTarget,
    _dir: Option<tempfile::TempDir>,
}

/// The backend-selecting environment variable.
pub const ENV: &str = "TEST_DATABASE_URL";

/// A target for a fresh database: creates the PostgreSQL schema when needed.
pub async fn fresh_target() -> (DbTarget, Option<tempfile::TempDir>) {
    match std::env::var(ENV) {
        Ok(url) if url.starts_with("postgres") => {
            static N: AtomicU32 = AtomicU32::new(0);
            let schema = format!(
                "t{}_{}_{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed),
                chrono::Utc::now().timestamp_micros() % 1_000_000
            );
            let admin = Store::connect(&DbTarget::Postgres { url: url.clone(), schema: None })
                .await
                .unwrap_or_else(|e| panic!("{ENV}={url}: PostgreSQL unreachable: {e}"));
            use sea_orm::ConnectionTrait;
            admin
                .db
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .unwrap_or_else(|e| panic!("cannot create schema {schema}: {e}"));
            admin.close().await;
            (DbTarget::Postgres { url, schema: Some(schema) }, None)
        }
        Ok(other) if !other.is_empty() => panic!("{ENV} must be a postgres:// URL, got {other}"),
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            (DbTarget::Sqlite { data_dir: dir.path().to_path_buf(), full_sync: false }, Some(dir))
        }
    }
}

/// A fresh, migrated store.
pub async fn fresh_store() -> TestStore {
    let (target, dir) = fresh_target().await;
    let store = Store::open(&target).await.expect("open test store");
    TestStore { store, target, _dir: dir }
}

/// Every row of `table` as JSON text, whatever the backend: for tests that check what is stored
/// raw (that no plaintext personal data reaches the database).
pub async fn raw_rows(store: &Store, table: &str) -> Vec<String> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let backend = store.db.get_database_backend();
    let run = |sql: String| async move {
        store
            .db
            .query_all_raw(Statement::from_string(backend, sql))
            .await
            .unwrap_or_else(|e| panic!("cannot read {table}: {e}"))
    };
    let sql = match backend {
        DbBackend::Postgres => format!("SELECT row_to_json(t)::text AS r FROM {table} t"),
        _ => {
            let columns: Vec<String> = run(format!("SELECT name FROM pragma_table_info('{table}')"))
                .await
                .iter()
                .map(|r| r.try_get::<String>("", "name").expect("column name"))
                .collect();
            assert!(!columns.is_empty(), "no table {table}");
            let pairs: Vec<String> = columns.iter().map(|c| format!("'{c}', {c}")).collect();
            format!("SELECT json_object({}) AS r FROM {table}", pairs.join(", "))
        }
    };
    run(sql).await.iter().map(|r| r.try_get::<String>("", "r").expect("row as text")).collect()
}

/// Runs one SQL statement as it is, returning the rows it changed: for tests that tamper with
/// stored data behind the application's back.
pub async fn execute_raw(store: &Store, sql: &str) -> u64 {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = store.db.get_database_backend();
    store
        .db
        .execute_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("cannot run {sql}: {e}"))
        .rows_affected()
}
