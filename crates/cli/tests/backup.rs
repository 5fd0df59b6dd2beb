//! `tongban backup` and `tongban restore` on the backend the test run selects (PostgreSQL in a
//! database of its own: a restore replaces a whole database): a backup taken, a change made, the
//! backup restored and the change gone; refused without --yes, over an existing file, from a file
//! that is not a backup, and while a node serves from the database.

use std::path::Path;

mod common;
use common::{run, spawn_server};

/// Storage arguments of a fresh database: a SQLite directory, or a PostgreSQL database.
async fn fresh(dir: &Path) -> Vec<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let name = format!("tb_backup_{}", std::process::id());
            let admin =
                tongban_store::Store::connect(&tongban_store::DbTarget::Postgres { url: url.clone(), schema: None })
                    .await
                    .unwrap();
            tongban_store::testing::execute_raw(&admin, &format!("DROP DATABASE IF EXISTS {name}")).await;
            tongban_store::testing::execute_raw(&admin, &format!("CREATE DATABASE {name}")).await;
            admin.close().await;
            let (base, query) = url.split_once('?').map_or((url.as_str(), None), |(b, q)| (b, Some(q)));
            let db = format!(
                "{}/{name}{}",
                base.rsplit_once('/').unwrap().0,
                query.map(|q| format!("?{q}")).unwrap_or_default()
            );
            vec!["--database-url".into(), db]
        }
        _ => vec!["--data-dir".into(), dir.join("data").display().to_string()],
    }
}

fn offerings(dir: &Path, storage: &[String]) -> usize {
    let mut args = vec!["catalog", "export"];
    args.extend(storage.iter().map(String::as_str));
    let o = run(dir, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).lines().count()
}

fn tongban(dir: &Path, args: &[&str], storage: &[String]) -> (bool, String) {
    let mut all = args.to_vec();
    all.extend(storage.iter().map(String::as_str));
    let o = run(dir, &all);
    (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

#[tokio::test]
async fn a_backup_restored_brings_the_database_back_to_when_it_was_taken() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let storage = fresh(d).await;
    assert!(tongban(d, &["migrate"], &storage).0);
    let backup = d.join("tongban.backup");
    let b = backup.to_str().unwrap();
    let (ok, out) = tongban(d, &["backup", b], &storage);
    assert!(ok && out.contains("已备份") && out.contains("key file"), "{out}");
    let (ok, out) = tongban(d, &["backup", b], &storage);
    assert!(!ok && out.contains("已存在"), "an existing file is never overwritten: {out}");

    // A change after the backup: one offering published.
    let line = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/catalog/demo.jsonl"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let one = d.join("one.jsonl");
    std::fs::write(&one, format!("{line}\n")).unwrap();
    assert!(tongban(d, &["catalog", "import", one.to_str().unwrap()], &storage).0);
    assert_eq!(offerings(d, &storage), 1);

    let (ok, out) = tongban(d, &["restore", b], &storage);
    assert!(!ok && out.contains("--yes"), "a restore asks first: {out}");
    assert_eq!(offerings(d, &storage), 1, "nothing restored without --yes");
    let garbage = d.join("garbage");
    std::fs::write(&garbage, "not a backup").unwrap();
    let (ok, _) = tongban(d, &["restore", garbage.to_str().unwrap(), "--yes"], &storage);
    assert!(!ok, "a file that is not a backup is refused");
    assert_eq!(offerings(d, &storage), 1, "and the database is untouched");

    // While a node serves from the database, refused.
    let (mut server, _) = spawn_server(d, &storage);
    let (ok, out) = tongban(d, &["restore", b, "--yes"], &storage);
    assert!(!ok && out.contains("node-1"), "a serving node is named: {out}");
    // SIGTERM, as an operator stops a node: it gives its leases up.
    assert!(std::process::Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap().success());
    assert!(server.wait().unwrap().success());

    let (ok, out) = tongban(d, &["restore", b, "--yes"], &storage);
    assert!(ok && out.contains("catalog reindex"), "{out}");
    assert_eq!(offerings(d, &storage), 0, "the change after the backup is gone");
    if storage[0] == "--data-dir" {
        assert!(d.join("data/tongban.sqlite.before-restore").exists(), "the replaced database is kept beside it");
    } else {
        let url = std::env::var("TEST_DATABASE_URL").unwrap();
        let admin =
            tongban_store::Store::connect(&tongban_store::DbTarget::Postgres { url, schema: None }).await.unwrap();
        let name = format!("tb_backup_{}", std::process::id());
        tongban_store::testing::execute_raw(&admin, &format!("DROP DATABASE IF EXISTS {name}")).await;
    }
}
