//! The connection to the database and what is common to every repository.

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::path::PathBuf;
use std::time::Duration;

/// Where the data lives: an embedded SQLite file or a PostgreSQL server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    /// `tongban.sqlite` inside this directory, created if missing; `full_sync` fsyncs every commit.
    Sqlite { data_dir: PathBuf, full_sync: bool },
    /// A `postgres://` URL, optionally with a schema for the search path (used by tests).
    Postgres { url: String, schema: Option<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// The call log's own SQLite connection (`Store::append_calls`).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot prepare data directory {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// A unique value (named by the field) is already taken.
    #[error("{0} is already taken")]
    Duplicate(&'static str),
}

/// The call log's SQLite connection, with the settings of the pool's (the file is in WAL mode).
fn open_call_log(path: &std::path::Path, sync: SqliteSynchronous) -> Result<rusqlite::Connection, StoreError> {
    let c = rusqlite::Connection::open(path)?;
    c.busy_timeout(Duration::from_secs(5))?;
    c.pragma_update(None, "synchronous", if sync == SqliteSynchronous::Full { "FULL" } else { "NORMAL" })?;
    Ok(c)
}

impl StoreError {
    /// The database could not be reached, or is changing hands (a failover: shut down, not yet
    /// accepting connections, a replica refusing writes): what was asked was not done — or, for a
    /// commit cut off, may have been — and may be retried. The pool drops such connections.
    pub fn is_unavailable(&self) -> bool {
        use sea_orm::sqlx::Error;
        let StoreError::Db(e) = self else { return false };
        let runtime = match e {
            DbErr::ConnectionAcquire(_) => return true,
            DbErr::Conn(r) | DbErr::Exec(r) | DbErr::Query(r) => r,
            _ => return false,
        };
        let sea_orm::RuntimeErr::SqlxError(e) = runtime else { return false };
        match &**e {
            Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed | Error::Protocol(_) => true,
            // Class 08 connection exceptions, 57P01–57P03 shut down / crashed / starting, 25006 a
            // read-only transaction (a demoted primary still answering), 53300 too many connections
            // (a new primary as every node reconnects).
            Error::Database(d) => {
                d.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P") || c == "25006" || c == "53300")
            }
            _ => false,
        }
    }
}

/// Connection-pool figures for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
}

/// This process's anchorer of the audit chain: one at a time, and whether another round is wanted.
#[derive(Debug, Default)]
pub(crate) struct Anchoring {
    pub(crate) running: tokio::sync::Mutex<()>,
    pub(crate) wanted: std::sync::atomic::AtomicBool,
}

/// A turn to write (`Store::write_turn`): the connection writes go through while it is held.
pub(crate) enum Turn<'a> {
    Writer(tokio::sync::OwnedMutexGuard<DatabaseConnection>),
    Pool(&'a DatabaseConnection),
}

impl std::ops::Deref for Turn<'_> {
    type Target = DatabaseConnection;
    fn deref(&self) -> &DatabaseConnection {
        match self {
            Turn::Writer(c) => c,
            Turn::Pool(c) => c,
        }
    }
}

/// The database handle. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) db: DatabaseConnection,
    backend: Backend,
    /// SQLite has one writer at a time. Busy writers would poll with growing sleeps; queuing them
    /// here instead hands the lock on the moment it is free. And they all write through this one
    /// connection: a connection whose pages another one changed must read them again, so writes
    /// spread over the pool would find their pages cold (PostgreSQL locks rows: `None`).
    writer: Option<std::sync::Arc<tokio::sync::Mutex<DatabaseConnection>>>,
    /// SQLite: the exchange call log's own connection (`append_calls`), used in the caller's
    /// thread while it holds the writer turn. sqlx runs each SQLite connection on a thread of its
    /// own, and under the gateway's load handing a commit to that thread and back took ~70 µs —
    /// longer than the commit of a batch of calls itself, on the path of every call.
    pub(crate) call_log: Option<std::sync::Arc<std::sync::Mutex<rusqlite::Connection>>>,
    pub(crate) anchoring: std::sync::Arc<Anchoring>,
}

impl Store {
    /// Connects (creating the SQLite file if needed). Does not migrate.
    pub async fn connect(target: &DbTarget) -> Result<Self, StoreError> {
        let mut call_log = None;
        let (opts, backend, writer) = match target {
            DbTarget::Sqlite { data_dir, full_sync } => {
                std::fs::create_dir_all(data_dir)
                    .map_err(|source| StoreError::DataDir { path: data_dir.clone(), source })?;
                let path = data_dir.join("tongban.sqlite");
                let mut opts = ConnectOptions::new(format!("sqlite://{}?mode=rwc", path.display()));
                // WAL lets readers run beside the single writer. NORMAL does not fsync at each
                // commit: it loses nothing when the process crashes, but a power loss may take the
                // commits since the last checkpoint; FULL (`sqlite_full_sync`) fsyncs each commit.
                let sync = if *full_sync { SqliteSynchronous::Full } else { SqliteSynchronous::Normal };
                call_log = Some((path.clone(), sync));
                opts.map_sqlx_sqlite_opts(move |o: SqliteConnectOptions| {
                    o.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(sync)
                        .foreign_keys(true)
                        .busy_timeout(Duration::from_secs(5))
                })
                .min_connections(1);
                let mut writing = opts.clone();
                writing.max_connections(1);
                opts.max_connections(8);
                (opts, Backend::Sqlite, Some(writing))
            }
            DbTarget::Postgres { url, schema } => {
                let mut opts = ConnectOptions::new(url.clone());
                opts.max_connections(16).min_connections(1);
                if let Some(schema) = schema {
                    opts.set_schema_search_path(schema.clone());
                }
                (opts, Backend::Postgres, None)
            }
        };
        let timed = |mut o: ConnectOptions| {
            o.connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(10)).sqlx_logging(false);
            o
        };
        let db = Database::connect(timed(opts)).await?;
        let writer = match writer {
            Some(o) => Some(std::sync::Arc::new(tokio::sync::Mutex::new(Database::connect(timed(o)).await?))),
            None => None,
        };
        // After the pool's connections, which made the file and put it in WAL mode.
        let call_log = match call_log {
            Some((path, sync)) => Some(std::sync::Arc::new(std::sync::Mutex::new(open_call_log(&path, sync)?))),
            None => None,
        };
        Ok(Self { db, backend, writer, call_log, anchoring: Default::default() })
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        crate::migration::Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Connects and migrates: what every command that touches storage does first.
    pub async fn open(target: &DbTarget) -> Result<Self, StoreError> {
        let store = Self::connect(target).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// This process's turn to write, held until dropped, and the connection to write through:
    /// on SQLite the one writing connection, on PostgreSQL the pool.
    pub(crate) async fn write_turn(&self) -> Turn<'_> {
        match &self.writer {
            Some(w) => Turn::Writer(w.clone().lock_owned().await),
            None => Turn::Pool(&self.db),
        }
    }

    /// Begins a transaction that writes, the one way every repository does. On SQLite it takes
    /// this process's writer turn and begins `IMMEDIATE`, holding the write lock from the start: a
    /// deferred transaction that reads and then writes must upgrade its lock, which SQLite refuses
    /// at once ("database is locked") when another writer committed in between — another process
    /// too, whose writes `busy_timeout` waits for at `BEGIN`. Keep the turn until the transaction
    /// ends: `let (_turn, txn) = store.write().await?;`.
    pub(crate) async fn write(&self) -> Result<(Turn<'_>, DatabaseTransaction), DbErr> {
        let turn = self.write_turn().await;
        let txn = match self.backend {
            Backend::Sqlite => {
                let immediate = TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..Default::default()
                };
                turn.begin_with_options(immediate).await?
            }
            Backend::Postgres => turn.begin().await?,
        };
        Ok((turn, txn))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        Ok(self.db.ping().await?)
    }

    /// Whether a write would be taken now: on SQLite the write lock taken and let go; on
    /// PostgreSQL a transaction that is not read-only (a standby's are: after a failover the
    /// old primary, demoted, must not be sent writes).
    pub async fn writable(&self) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let writable = match self.backend {
            Backend::Sqlite => true,
            Backend::Postgres => {
                let show = Statement::from_string(DbBackend::Postgres, "SHOW transaction_read_only");
                let row = txn.query_one_raw(show).await?;
                row.and_then(|r| r.try_get_by_index::<String>(0).ok()).as_deref() == Some("off")
            }
        };
        txn.rollback().await?;
        Ok(writable)
    }

    /// Writes a consistent copy of the SQLite database into `path` (`VACUUM INTO`), online: the
    /// platform goes on serving meanwhile.
    pub async fn backup_into(&self, path: &std::path::Path) -> Result<(), StoreError> {
        let path = path.to_str().ok_or_else(|| DbErr::Custom(format!("not a UTF-8 path: {}", path.display())))?;
        let vacuum = Statement::from_sql_and_values(DbBackend::Sqlite, "VACUUM INTO ?", [path.into()]);
        self.db.execute_raw(vacuum).await?;
        Ok(())
    }

    /// Checks that `path` is a sound SQLite database (`PRAGMA integrity_check`).
    pub async fn check_sqlite_file(path: &std::path::Path) -> Result<(), StoreError> {
        let mut opts = ConnectOptions::new(format!("sqlite://{}?mode=ro", path.display()));
        opts.max_connections(1).sqlx_logging(false);
        let db = Database::connect(opts).await?;
        let row = db.query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA integrity_check")).await;
        let _ = db.close().await;
        let verdict = row?.and_then(|r| r.try_get_by_index::<String>(0).ok()).unwrap_or_default();
        if verdict != "ok" {
            return Err(StoreError::Corrupt(verdict));
        }
        Ok(())
    }

    pub fn pool_stats(&self) -> PoolStats {
        let (size, idle) = match self.backend {
            Backend::Sqlite => {
                let p = self.db.get_sqlite_connection_pool();
                (p.size(), p.num_idle())
            }
            Backend::Postgres => {
                let p = self.db.get_postgres_connection_pool();
                (p.size(), p.num_idle())
            }
        };
        PoolStats { size, idle: idle as u32 }
    }

    pub async fn close(self) {
        if let Some(w) = &self.writer {
            let _ = w.lock().await.clone().close().await;
        }
        let _ = self.db.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `PRAGMA synchronous` on one of the pool's connections and on the call log's: 1 is
    /// NORMAL, 2 is FULL.
    async fn synchronous(full_sync: bool) -> (i32, i32) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&DbTarget::Sqlite { data_dir: dir.path().into(), full_sync }).await.unwrap();
        let row = store.db.query_one_raw(Statement::from_string(store.db.get_database_backend(), "PRAGMA synchronous"));
        let pool = row.await.unwrap().unwrap().try_get_by_index::<i32>(0).unwrap();
        let log = store.call_log.as_ref().unwrap().lock().unwrap();
        (pool, log.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap())
    }

    #[tokio::test]
    async fn sqlite_commits_fsync_only_when_configured() {
        assert_eq!(synchronous(false).await, (1, 1));
        assert_eq!(synchronous(true).await, (2, 2));
    }
}
