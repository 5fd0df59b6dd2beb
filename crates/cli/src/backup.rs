//! `tongban backup FILE` and `tongban restore FILE --yes`. SQLite: an online, consistent copy
//! (`VACUUM INTO`) while the platform serves, and the file put back in place. PostgreSQL:
//! `pg_dump` in its custom format and `pg_restore` (Debian's `postgresql-client`); continuous
//! archiving of the WAL is the server's part (README). The key file is never in a backup: without
//! it nothing sealed can be read, so it is backed up apart, once.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tongban_app::Config;
use tongban_store::{DbTarget, Store};

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (must not exist).
    file: PathBuf,
    #[command(flatten)]
    storage: crate::StorageOpts,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// A file `tongban backup` wrote.
    file: PathBuf,
    /// Replace the database with the backup (every change since it was taken is lost).
    #[arg(long)]
    yes: bool,
    #[command(flatten)]
    storage: crate::StorageOpts,
}

fn key_reminder(config: &Config) {
    eprintln!(
        "密钥文件不在备份中，请另行妥善备份 {} (the key file is not in the backup: keep a copy of it apart — without it \
         nothing sealed can be read)",
        config.key_path().display()
    );
}

/// Runs `program` with `args`; its error output on failure.
fn tool(program: &str, args: &[&std::ffi::OsStr]) -> anyhow::Result<()> {
    let out = std::process::Command::new(program).args(args).output().map_err(|e| {
        anyhow::anyhow!(
            "cannot run {program} ({e}): install PostgreSQL's client tools (apt-get install postgresql-client)"
        )
    })?;
    anyhow::ensure!(out.status.success(), "{program} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    Ok(())
}

pub async fn backup(a: BackupArgs, config: &mut Config) -> anyhow::Result<ExitCode> {
    crate::apply(config, &a.storage);
    anyhow::ensure!(!a.file.exists(), "{} 已存在，不会覆盖 (exists: not overwritten)", a.file.display());
    match config.db_target()? {
        DbTarget::Sqlite { .. } => {
            let store = Store::connect(&config.db_target()?).await?;
            store.backup_into(&a.file).await?;
            store.close().await;
        }
        DbTarget::Postgres { url, .. } => {
            let file = a.file.as_os_str();
            tool(
                "pg_dump",
                &["--format=custom".as_ref(), "--no-owner".as_ref(), "--file".as_ref(), file, url.as_ref()],
            )?;
        }
    }
    let size = std::fs::metadata(&a.file)?.len();
    println!("已备份到 {} ({size} bytes) (backed up)", a.file.display());
    key_reminder(config);
    Ok(ExitCode::SUCCESS)
}

/// Nodes serving from this database (their node-number leases live): a restore under them
/// would be lost or corrupt what they write.
async fn serving_nodes(target: &DbTarget) -> anyhow::Result<Vec<String>> {
    let store = Store::connect(target).await?;
    let now = chrono::Utc::now();
    // A database from before leases has none: nothing to wait for.
    let live =
        store.leases().await.unwrap_or_default().into_iter().filter(|l| l.name.starts_with("node-") && l.until > now);
    let nodes = live.map(|l| format!("{} ({})", l.name, l.holder)).collect();
    store.close().await;
    Ok(nodes)
}

pub async fn restore(a: RestoreArgs, config: &mut Config) -> anyhow::Result<ExitCode> {
    crate::apply(config, &a.storage);
    anyhow::ensure!(a.file.is_file(), "没有备份文件 {} (no such backup file)", a.file.display());
    if !a.yes {
        eprintln!(
            "恢复会以 {} 替换当前数据库，备份之后的所有变更都将丢失；确认请加 --yes (restoring replaces the database \
             with the backup and loses every change since it was taken: add --yes to go on)",
            a.file.display()
        );
        return Ok(ExitCode::from(2));
    }
    let target = config.db_target()?;
    let serving = serving_nodes(&target).await?;
    anyhow::ensure!(
        serving.is_empty(),
        "仍有节点在使用该数据库：请先停止所有节点 (nodes are serving from this database: stop them all first): {}",
        serving.join(", ")
    );
    match &target {
        DbTarget::Sqlite { data_dir, .. } => restore_sqlite(&a.file, data_dir).await?,
        DbTarget::Postgres { url, .. } => {
            let file = a.file.as_os_str();
            let args: [&std::ffi::OsStr; 7] = [
                "--clean".as_ref(),
                "--if-exists".as_ref(),
                "--no-owner".as_ref(),
                "--single-transaction".as_ref(),
                "--dbname".as_ref(),
                url.as_ref(),
                file,
            ];
            tool("pg_restore", &args)?;
        }
    }
    // A backup of an earlier version is brought up to this one.
    Store::open(&target).await?.close().await;
    println!(
        "已从 {} 恢复；请在每个节点运行 tongban catalog reindex 重建检索索引 (restored: rebuild each node's search \
         index with tongban catalog reindex)",
        a.file.display()
    );
    key_reminder(config);
    Ok(ExitCode::SUCCESS)
}

/// Checks the backup is a sound SQLite database, keeps the current one beside it
/// (`tongban.sqlite.before-restore`, with its WAL), and puts the backup in its place.
async fn restore_sqlite(file: &Path, data_dir: &Path) -> anyhow::Result<()> {
    let copy = data_dir.join("tongban.sqlite.restoring");
    std::fs::copy(file, &copy)?;
    let checked = Store::check_sqlite_file(&copy).await;
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&copy);
        anyhow::bail!("{} 不是完好的 SQLite 备份 (not a sound SQLite backup): {e}", file.display());
    }
    // The current database with its WAL, under a name SQLite pairs them by.
    for (from, to) in [("", ""), ("-wal", "-wal"), ("-shm", "-shm")] {
        let current = data_dir.join(format!("tongban.sqlite{from}"));
        if current.exists() {
            std::fs::rename(&current, data_dir.join(format!("tongban.sqlite.before-restore{to}")))?;
        }
    }
    std::fs::rename(&copy, data_dir.join("tongban.sqlite"))?;
    Ok(())
}
