//! `tongban catalog import|export|reindex`.

use anyhow::Context;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use tongban_app::App;

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Import offerings with their guides from JSON Lines (one offering a line). Bad rows are
    /// reported by line and reason and stop nothing; re-importing the same file changes nothing.
    Import {
        file: PathBuf,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
    /// Write every published offering as JSON Lines (to stdout, or --out FILE).
    Export {
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
    /// Rebuild the search index from the database (stop the server first: it holds the index).
    Reindex {
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
}

impl CatalogCommand {
    pub fn storage(&self) -> &crate::StorageOpts {
        match self {
            Self::Import { storage, .. } | Self::Export { storage, .. } | Self::Reindex { storage } => storage,
        }
    }

    /// Whether the command needs this process to hold the search index.
    pub fn needs_index(&self) -> bool {
        matches!(self, Self::Reindex { .. })
    }

    pub async fn run(self, app: App) -> anyhow::Result<ExitCode> {
        match self {
            Self::Import { file, .. } => {
                let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
                let lines = text.lines().count() as u64;
                let bar = indicatif::ProgressBar::new(lines);
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} 行 (lines) {eta}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                let note = format!("import {}", file.file_name().map_or("file".into(), |n| n.to_string_lossy()));
                let report = tongban_app::catalog::import_jsonl(&app, &text, &note, &|n| bar.set_position(n as u64))
                    .await
                    .map_err(crate::describe)?;
                bar.finish_and_clear();
                println!(
                    "已发布 {} 条，未变化 {} 条，拒绝 {} 条 (published {}, unchanged {}, rejected {})",
                    report.published,
                    report.unchanged,
                    report.rejected.len(),
                    report.published,
                    report.unchanged,
                    report.rejected.len()
                );
                for (line, reason) in &report.rejected {
                    println!("第 {line} 行 (line {line}): {reason}");
                }
                Ok(if report.rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
            }
            Self::Export { out, .. } => {
                let mut sink: Box<dyn std::io::Write + Send> = match &out {
                    Some(path) => Box::new(std::io::BufWriter::new(
                        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
                    )),
                    None => Box::new(std::io::BufWriter::new(std::io::stdout())),
                };
                let n = tongban_app::catalog::export_jsonl(&app.store, &mut sink).await.map_err(crate::describe)?;
                sink.flush()?;
                eprintln!("已导出 {n} 条 (exported {n} offerings)");
                Ok(ExitCode::SUCCESS)
            }
            Self::Reindex { .. } => {
                let n = tongban_app::catalog::reindex(&app).await.map_err(crate::describe)?;
                println!("已重建索引，共 {n} 条 (index rebuilt with {n} offerings)");
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}
