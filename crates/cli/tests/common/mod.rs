//! What the binary's test files share: running it with a clean environment.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

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
