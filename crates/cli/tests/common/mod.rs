//! What the binary's test files share: running it with a clean environment.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_tongban");

/// Runs the binary in `dir` (so no stray `tongban.toml` is read) with a clean TONGBAN_ environment.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("TONGBAN_")) {
        cmd.env_remove(k);
    }
    cmd.output().unwrap()
}

#[allow(dead_code)]
pub fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// Storage arguments for the backend the test run selects (a fresh SQLite directory, or a fresh
/// PostgreSQL schema when `TEST_DATABASE_URL` is set).
#[allow(dead_code)]
pub async fn storage_args() -> (Vec<String>, Option<tempfile::TempDir>) {
    let (args, _, tmp) = storage().await;
    (args, tmp)
}

/// The storage arguments with the target they name.
#[allow(dead_code)]
pub async fn storage() -> (Vec<String>, tongban_store::DbTarget, Option<tempfile::TempDir>) {
    let (target, tmp) = tongban_store::testing::fresh_target().await;
    let args = match &target {
        tongban_store::DbTarget::Sqlite { data_dir, .. } => vec!["--data-dir".into(), data_dir.display().to_string()],
        tongban_store::DbTarget::Postgres { url, schema } => {
            let schema = schema.as_deref().unwrap_or("public");
            vec!["--database-url".into(), format!("{url}?options=-c%20search_path%3D{schema}")]
        }
    };
    (args, target, tmp)
}

/// `tongban serve` over `storage`, with `--log-format json`; the child and its address.
#[allow(dead_code)]
pub fn spawn_server(dir: &Path, storage: &[String]) -> (std::process::Child, String) {
    spawn_server_with(dir, storage, &[])
}

/// `spawn_server` with settings (`TONGBAN_*` variables).
#[allow(dead_code)]
pub fn spawn_server_with(dir: &Path, storage: &[String], env: &[(&str, &str)]) -> (std::process::Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .args(storage)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        assert!(Instant::now() < deadline, "server did not start");
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "server exited");
        if let Some(addr) =
            serde_json::from_str::<Value>(&line).ok().and_then(|v| v["addr"].as_str().map(str::to_owned))
        {
            break addr;
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (child, format!("http://{addr}"))
}
