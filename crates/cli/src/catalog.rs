//! `tongban catalog import|export|reindex`.

use anyhow::Context;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use tongban_app::App;
use tongban_app::catalog::Format;

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Import offerings with their guides from JSON Lines (one offering a line) or CSV (columns in
    /// docs/catalog-csv.md). Bad rows are reported by line and reason and stop nothing;
    /// re-importing the same file changes nothing.
    Import {
        file: PathBuf,
        /// File format; by default CSV for *.csv, JSON Lines otherwise.
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
    /// Write every published offering as JSON Lines or CSV (to stdout, or --out FILE).
    Export {
        #[arg(long)]
        out: Option<PathBuf>,
        /// File format; by default CSV for --out *.csv, JSON Lines otherwise.
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
    /// Save a draft of one offering from a JSON file (the guide as JSON Lines rows have it); the
    /// published version is untouched. Prints the rules the draft still breaks (exit 1 if any).
    Draft {
        file: PathBuf,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
    /// Publish the draft of an offering after checking the consistency rules.
    Publish {
        offering_code: String,
        /// What changed, shown in the guide's history.
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
    /// Rebuild the search index from the database (stop the server first: it holds the index).
    Reindex {
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FileFormat {
    Jsonl,
    Csv,
}

/// The format asked for, else the one the file name says.
fn format_of(asked: Option<FileFormat>, path: Option<&std::path::Path>) -> Format {
    match asked {
        Some(FileFormat::Jsonl) => Format::Jsonl,
        Some(FileFormat::Csv) => Format::Csv,
        None => path.map_or(Format::Jsonl, Format::of_path),
    }
}

impl CatalogCommand {
    pub fn storage(&self) -> &crate::StorageOpts {
        match self {
            Self::Import { storage, .. }
            | Self::Export { storage, .. }
            | Self::Draft { storage, .. }
            | Self::Publish { storage, .. }
            | Self::Reindex { storage } => storage,
        }
    }

    /// Whether the command needs this process to hold the search index.
    pub fn needs_index(&self) -> bool {
        matches!(self, Self::Reindex { .. })
    }

    pub async fn run(self, app: App) -> anyhow::Result<ExitCode> {
        match self {
            Self::Import { file, format, .. } => {
                let format = format_of(format, Some(&file));
                let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
                let lines = text.lines().count() as u64;
                let bar = indicatif::ProgressBar::new(lines);
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} 行 (lines) {eta}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                let note = format!("import {}", file.file_name().map_or("file".into(), |n| n.to_string_lossy()));
                let report = tongban_app::catalog::import(&app, format, &text, &note, &|n| bar.set_position(n as u64))
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
            Self::Export { out, format, .. } => {
                let format = format_of(format, out.as_deref());
                let mut sink: Box<dyn std::io::Write + Send> = match &out {
                    Some(path) => Box::new(std::io::BufWriter::new(
                        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
                    )),
                    None => Box::new(std::io::BufWriter::new(std::io::stdout())),
                };
                let n = tongban_app::catalog::export(&app.store, format, &mut sink).await.map_err(crate::describe)?;
                sink.flush()?;
                eprintln!("已导出 {n} 条 (exported {n} offerings)");
                Ok(ExitCode::SUCCESS)
            }
            Self::Draft { file, .. } => {
                let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
                let o: tongban_domain::catalog::Offering = serde_json::from_str(&text)
                    .with_context(|| format!("{}: 不是有效的服务事项 (not a valid offering)", file.display()))?;
                let broken = tongban_app::catalog::save_draft(&app, &o).await.map_err(crate::describe)?;
                println!("草稿已保存 (draft saved): {}", o.offering_code);
                for (field, reason) in &broken {
                    println!("待修正 (to fix before publishing) {field}: {reason}");
                }
                Ok(if broken.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
            }
            Self::Publish { offering_code, note, .. } => {
                let outcome =
                    tongban_app::catalog::publish_draft(&app, &offering_code, &note).await.map_err(crate::describe)?;
                if outcome.changed {
                    println!("已发布第 {} 版 (published version {})", outcome.version, outcome.version);
                } else {
                    println!(
                        "与第 {} 版相同，未发布新版本 (same as version {}; nothing new)",
                        outcome.version, outcome.version
                    );
                }
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
