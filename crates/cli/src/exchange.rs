//! `tongban exchange`: registering a department system for the gateway, and checking the
//! gateway's call log — in the database, or an exported segment offline, as evidence.

use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use tongban_app::Config;
use tongban_app::exchange::{self, log};

#[derive(Subcommand)]
pub enum ExchangeCommand {
    /// Register a system of an agency that queries the exchange gateway with client
    /// credentials; prints its id and secret once.
    AddSystem {
        /// The agency's credit code.
        #[arg(long)]
        agency: String,
        #[arg(long)]
        name: String,
        /// Print JSON `{"client_id","client_secret"}`.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
    /// Check the call log: every node's SM3 chain and every sealed batch (its Merkle root and
    /// SM2 signature); with --file, an exported segment offline. Exit status 1 on any problem.
    VerifyLog {
        /// An exported segment (from `export-log`) to check without the database.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Seal what is waiting first (as the server does every few seconds).
        #[arg(long)]
        seal: bool,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
    /// Export a segment of a node's call log — the calls, the seals over them, the public keys —
    /// as JSON that `verify-log --file` checks offline.
    ExportLog {
        #[arg(long, default_value_t = 1)]
        node: i32,
        #[arg(long, default_value_t = 1)]
        from: i64,
        #[arg(long, default_value_t = i64::MAX)]
        to: i64,
        /// Output file (default stdout).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
}

fn report(r: &log::LogReport) -> ExitCode {
    for p in &r.problems {
        println!("{p}");
    }
    let verdict = if r.ok() {
        "完整 (intact)".to_owned()
    } else {
        format!("发现 {} 处问题 ({} problems)", r.problems.len(), r.problems.len())
    };
    println!(
        "{} 次调用、{} 批封存、{} 次调用待封存：{verdict} (calls {}, seals {}, unsealed {})",
        r.calls, r.seals, r.unsealed, r.calls, r.seals, r.unsealed
    );
    if r.ok() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

pub async fn run(cmd: ExchangeCommand, config: &mut Config) -> anyhow::Result<ExitCode> {
    match cmd {
        ExchangeCommand::AddSystem { agency, name, json, storage } => {
            let app = crate::open(config, &storage, false).await?;
            let c = exchange::add_system(&app, agency.trim(), &name).await.map_err(crate::describe)?;
            if json {
                println!("{}", serde_json::to_string(&c)?);
            } else {
                println!(
                    "client_id: {}\nclient_secret: {}\n(密钥只显示这一次 / the secret is shown this once)",
                    c.client_id, c.client_secret
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ExchangeCommand::VerifyLog { file: Some(file), .. } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let seg: log::Segment = serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{} 不是调用日志片段 (not a log segment): {e}", file.display()))?;
            Ok(report(&log::verify_segment(&seg)))
        }
        ExchangeCommand::VerifyLog { file: None, seal, storage } => {
            let app = crate::open(config, &storage, false).await?;
            if seal {
                let n = log::seal_due(&app).await.map_err(crate::describe)?;
                println!("已封存 {n} 批 (sealed {n} batches)");
            }
            Ok(report(&log::verify(&app).await.map_err(crate::describe)?))
        }
        ExchangeCommand::ExportLog { node, from, to, out, storage } => {
            let app = crate::open(config, &storage, false).await?;
            let seg = log::export(&app, node, from, to).await.map_err(crate::describe)?;
            let json = serde_json::to_string_pretty(&seg)?;
            match out {
                Some(path) => std::fs::write(&path, json)?,
                None => println!("{json}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
