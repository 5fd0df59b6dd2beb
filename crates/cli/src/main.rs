//! The `tongban` binary.

mod backup;
mod bench;
mod catalog;
mod exchange;
mod identity;
mod serve;
mod synth;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tongban_app::calendar::DeadlineQuery;
use tongban_app::catalog::IndexLocation;
use tongban_app::config::LogFormat;
use tongban_app::{App, AppError, Config};
use tongban_crypto::PasswordParams;

// Many small allocations a request, on every worker: glibc's allocator spent ~15% of the
// gateway's time in its own bookkeeping (`tongban bench exchange`, docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "tongban", version, about = "Tongban (通办): integrated online government service platform")]
struct Cli {
    /// Configuration file (default: ./tongban.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Log format: human or json.
    #[arg(long, global = true)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives; the same options for every command that touches storage.
#[derive(Args, Clone, Default)]
pub(crate) struct StorageOpts {
    /// Directory of the embedded SQLite database (default ./data).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// A postgres:// URL; PostgreSQL is used instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Remove the demo's fictional people and organizations from the registries, so no one can
    /// verify a real name against them (registered accounts stay).
    Remove {
        #[command(flatten)]
        storage: StorageOpts,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        /// Run as a demo: load the demo catalog and the fictional registries into an empty
        /// database (`demo = true` in the configuration).
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        storage: StorageOpts,
    },
    /// Apply database migrations and load the vendored reference data.
    Migrate {
        #[command(flatten)]
        storage: StorageOpts,
    },
    /// Write a backup of the database while the platform serves (SQLite: a consistent copy;
    /// PostgreSQL: pg_dump). The key file is not in it: back it up apart.
    Backup(backup::BackupArgs),
    /// Replace the database with a backup, every node stopped (asks for --yes).
    Restore(backup::RestoreArgs),
    /// National codes.
    #[command(subcommand)]
    Code(CodeCommand),
    /// The working-day calendar.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// The service catalog: import, export, reindex.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// The demo data.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// The population registry (人口库 stand-in) for real-name verification.
    #[command(subcommand)]
    Registry(identity::RegistryCommand),
    /// The key ring that seals personal data.
    #[command(subcommand)]
    Keys(identity::KeysCommand),
    /// Staff roles: the first platform administrator.
    #[command(subcommand)]
    Staff(identity::StaffCommand),
    /// OpenID Connect clients (department systems).
    #[command(subcommand)]
    Oidc(identity::OidcCommand),
    /// Data sharing: department systems of the exchange gateway, and its call log.
    #[command(subcommand)]
    Exchange(exchange::ExchangeCommand),
    /// Webhooks of department systems.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// The audit trail of cases (全过程留痕).
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Electronic licences (电子证照).
    #[command(subcommand)]
    Licence(LicenceCommand),
    /// Generate synthetic data for scale tests.
    #[command(subcommand)]
    Gen(GenCommand),
    /// Benchmarks, each with its baseline measured in the same run (see docs/benchmarks.md).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

#[derive(Subcommand)]
enum WebhookCommand {
    /// Register a department system's URL for every change to an agency's cases; prints the id and
    /// the signing secret once (deliveries carry `x-tongban-timestamp: T` and `x-tongban-signature: hmac-sm3=HEX` of `T.BODY`).
    Add {
        /// The agency's unified social credit code.
        #[arg(long)]
        agency: String,
        #[arg(long)]
        url: String,
        #[command(flatten)]
        storage: StorageOpts,
    },
}

#[derive(Subcommand)]
enum LicenceCommand {
    /// Verify an exported licence (JSON: the licence and its seal) against a trust list, with no
    /// server: the list's signature, the identifier's check, the issuer key on the list, the seal
    /// over the licence. Exit status 1 when it is not authentic.
    Verify {
        /// The exported licence.
        file: std::path::PathBuf,
        /// The trust list (`GET /api/v1/trust-list`).
        #[arg(long)]
        trust_list: std::path::PathBuf,
        /// The status list (`GET /api/v1/licence-status-list`): exit status 3 when it says the
        /// licence is not valid, or its validity has ended.
        #[arg(long)]
        status_list: Option<std::path::PathBuf>,
    },
    /// Rotate an agency's seal key (`platform` for the root key that signs the trust list): the
    /// old key seals no more and stays on the trust list.
    RotateKey {
        /// The agency's unified social credit code, or `platform`.
        agency: String,
        #[command(flatten)]
        storage: StorageOpts,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every case's hash chain and the global chain; name every entry edited, deleted
    /// or never anchored. Exit status 1 when anything is wrong.
    Verify {
        /// First anchor the entries waiting in the global chain (a crash between a change's
        /// commit and its anchoring leaves them); without it they are reported.
        #[arg(long)]
        anchor_pending: bool,
        #[command(flatten)]
        storage: StorageOpts,
    },
}

#[derive(Subcommand)]
enum GenCommand {
    /// A synthetic national catalog as JSON Lines (importable with `tongban catalog import`).
    Catalog {
        #[arg(long)]
        offerings: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Output file (default stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CodeCommand {
    /// Detect the kind of a code (citizen-id, credit-code, division, licence-id) and validate it.
    /// Exit status 0 when valid, 1 when invalid.
    Check {
        value: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// The due date after N working days, counted from the day after --from.
    Deadline {
        #[arg(long)]
        from: String,
        #[arg(long)]
        workdays: String,
        /// A suspended period YYYY-MM-DD..YYYY-MM-DD (both days not counted); repeatable.
        #[arg(long)]
        suspend: Vec<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        storage: StorageOpts,
    },
    /// Load a year's State Council notice from a holiday-cn JSON file.
    Load {
        file: PathBuf,
        #[command(flatten)]
        storage: StorageOpts,
    },
    /// List the loaded years.
    Years {
        #[command(flatten)]
        storage: StorageOpts,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::load(cli.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("配置错误 (configuration error): {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(f) = cli.log_format {
        config.log_format = f;
    }
    serve::init_logging(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 (error): {e:#}");
            ExitCode::from(2)
        }
    }
}

fn apply(config: &mut Config, storage: &StorageOpts) {
    if let Some(d) = &storage.data_dir {
        config.data_dir = d.clone();
    }
    if let Some(u) = &storage.database_url {
        config.database_url = Some(u.clone());
    }
}

/// Opens storage; with `index`, also the search index under the data directory, which only one
/// process may hold at a time (the server, or `catalog reindex`).
async fn open(config: &mut Config, storage: &StorageOpts, index: bool) -> anyhow::Result<App> {
    apply(config, storage);
    let target = config.db_target()?;
    let location = if index { IndexLocation::Dir(config.index_dir()) } else { IndexLocation::None };
    use tongban_app::identity::{Identity, Policy, load_or_create_keys};
    let keys = load_or_create_keys(&config.key_path()).map_err(describe)?;
    let identity = Identity::new(keys, Policy::of(config), PasswordParams::default()).map_err(describe)?;
    let mut app = App::open(&target, location, identity).await.map_err(describe).context("cannot open storage")?;
    let policy = tongban_app::outbound::AddressPolicy::parse(&config.outbound_allow)
        .map_err(|e| anyhow::anyhow!("配置错误 (configuration error): outbound_allow: {e}"))?;
    app.outbound = std::sync::Arc::new(tongban_app::outbound::Outbound::new(policy).map_err(describe)?);
    let channels = tongban_app::notify::Channels::from_config(config, &app.outbound.http)
        .map_err(|e| anyhow::anyhow!("配置错误 (configuration error): {e}"))?;
    app.notify = std::sync::Arc::new(channels);
    app.exchange = std::sync::Arc::new(tongban_app::exchange::Exchange::new(tongban_app::exchange::Settings {
        node: config.node_id,
        deadlines: tongban_domain::exchange::ShareDeadlines {
            review: config.share_review_days,
            reply: config.share_reply_days,
            reply_not_on_platform: config.share_reply_days_not_on_platform,
        },
        upstream_timeout: std::time::Duration::from_millis(config.exchange_upstream_timeout_ms),
        keep_bodies: config.exchange_keep_bodies,
    }));
    app.ratings = std::sync::Arc::new(tongban_app::ratings::Settings {
        rectify_days: config.rating_rectify_days,
        change_days: config.rating_change_days,
    });
    app.inquiries = std::sync::Arc::new(tongban_app::inquiries::Settings {
        inquiry_days: config.inquiry_days,
        complaint_days: config.complaint_days,
        report_days: config.report_days,
        ..Default::default()
    });
    app.hall = std::sync::Arc::new(tongban_app::hall::Settings {
        remind_days: config.appointment_remind_days,
        max_active: config.appointment_max_active,
        no_show: tongban_domain::hall::NoShowRule {
            count: config.no_show_count,
            within_days: config.no_show_within_days,
            suspend_days: config.no_show_suspend_days,
        },
        ..Default::default()
    });
    Ok(app)
}

pub(crate) fn describe(e: AppError) -> anyhow::Error {
    match e {
        AppError::Validation { fields } => {
            let list: Vec<String> = fields.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
            anyhow::anyhow!("{}", list.join("; "))
        }
        e => anyhow::anyhow!(e),
    }
}

async fn run(command: Command, mut config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { listen, demo, storage } => {
            if let Some(l) = listen {
                config.listen = l;
            }
            config.demo |= demo;
            serve::check(&config)?;
            let mut app = open(&mut config, &storage, true).await?;
            // Before anything is written: two live nodes with one number would hand out the same
            // case numbers (`serve::run` renews the lease).
            let term = tongban_app::leases::term(tongban_app::leases::NODE_EVERY);
            tongban_app::leases::claim_node(&app, config.node_id, term).await.map_err(describe)?;
            app.objects = std::sync::Arc::new(tongban_app::materials::Objects::from_config(&config).map_err(describe)?);
            let verifications = tongban_app::limit::PerMinute::new(config.verifications_per_minute);
            app.verifications = std::sync::Arc::new(match &config.redis_url {
                Some(url) => {
                    let redis = tongban_app::limit::redis(url)
                        .await
                        .map_err(|e| anyhow::anyhow!("配置错误 (configuration error): {e}"))?;
                    std::sync::Arc::get_mut(&mut app.identity)
                        .expect("identity not yet shared")
                        .share_attempts(redis.clone());
                    tracing::info!("allowances per address are counted in Redis, shared by every node");
                    let inquiries =
                        std::sync::Arc::get_mut(&mut app.inquiries).expect("inquiry settings not yet shared");
                    inquiries.submissions = tongban_app::limit::PerMinute::new(tongban_app::inquiries::PER_MINUTE)
                        .shared(redis.clone(), "inquire");
                    verifications.shared(redis, "verify")
                }
                None => verifications,
            });
            // Just opened: nothing shares the settings yet.
            let cases = std::sync::Arc::get_mut(&mut app.cases).expect("case settings not yet shared");
            cases.node = config.node_id;
            cases.warnings = tongban_domain::cases::WarningRule {
                yellow_days: config.warning_yellow_days,
                yellow_percent: config.warning_yellow_percent,
            };
            tracing::info!(objects = %app.objects.location, "uploaded materials are kept in");
            match &config.clamd {
                Some(clamd) => tracing::info!(%clamd, "uploads are scanned by clamd"),
                None => tracing::warn!("no clamd configured: uploads are checked for the EICAR test signature only"),
            }
            match app.notify.dev().and_then(|d| d.file()) {
                Some(file) => tracing::warn!(
                    file = %file.display(),
                    "texts and e-mails go to the development outbox, not sent: for development and demos only"
                ),
                None if app.notify.sms.is_none() => {
                    tracing::warn!("no SMS gateway (sms): phone verification and password reset codes cannot be sent")
                }
                None => {}
            }
            if config.demo {
                let s = tongban_app::demo::seed(&app).await.map_err(describe)?;
                tracing::warn!(
                    offerings = s.offerings,
                    people = s.people,
                    organizations = s.organizations,
                    "running as a demo: the demo catalog and the fictional registries are loaded; not for production"
                );
            }
            serve::run(app, config).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { storage } => {
            open(&mut config, &storage, false).await?;
            println!("数据库已是最新 (database is up to date)");
            Ok(ExitCode::SUCCESS)
        }
        Command::Code(CodeCommand::Check { value, json }) => {
            let outcome = tongban_app::codes::check(&value);
            if json {
                println!("{}", serde_json::to_string(&outcome)?);
            } else if outcome.valid {
                println!("{}: 有效 (valid) {}", outcome.kind.as_str(), outcome.normalized.unwrap_or_default());
            } else {
                println!("{}: 无效 (invalid): {}", outcome.kind.as_str(), outcome.reason.unwrap_or_default());
            }
            Ok(if outcome.valid { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Calendar(CalendarCommand::Deadline { from, workdays, suspend, json, storage }) => {
            let query = DeadlineQuery::parse(&from, &workdays, &suspend).map_err(describe)?;
            let app = open(&mut config, &storage, false).await?;
            let d = app.calendar.deadline(&app.store, &query).await.map_err(describe)?;
            if json {
                println!("{}", serde_json::to_string(&d)?);
            } else if d.provisional {
                println!("{} (暂定 provisional: a year it reaches has no published notice)", d.due);
            } else {
                println!("{}", d.due);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Calendar(CalendarCommand::Load { file, storage }) => {
            let json = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let app = open(&mut config, &storage, false).await?;
            let source = file.file_name().map_or("file".into(), |n| n.to_string_lossy().into_owned());
            let year = app.calendar.load_year(&app.store, &json, &source).await.map_err(describe)?;
            println!("已载入 {year} 年节假日安排 (loaded the {year} notice)");
            Ok(ExitCode::SUCCESS)
        }
        Command::Calendar(CalendarCommand::Years { storage }) => {
            let app = open(&mut config, &storage, false).await?;
            for y in app.store.calendar_summary().await? {
                println!("{}\t{} days\t{}\t{}", y.year, y.days, y.source, y.loaded_at.format("%Y-%m-%d %H:%M:%S"));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Gen(GenCommand::Catalog { offerings, seed, out }) => {
            use std::io::Write;
            let mut sink: Box<dyn Write> = match &out {
                Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout())),
            };
            let mut g = synth::Generator::new(seed);
            for _ in 0..offerings {
                writeln!(sink, "{}", serde_json::to_string(&g.next_offering())?)?;
            }
            sink.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(cmd) => {
            bench::run(cmd).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Webhook(WebhookCommand::Add { agency, url, storage }) => {
            let app = open(&mut config, &storage, false).await?;
            let hook = tongban_app::webhooks::add(&app, &agency, &url).await.map_err(describe)?;
            println!("id: {}\nsecret: {}", hook.id, hook.secret);
            Ok(ExitCode::SUCCESS)
        }
        Command::Licence(LicenceCommand::Verify { file, trust_list, status_list }) => {
            let read =
                |path: &std::path::Path| std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
            let trust: tongban_domain::licences::TrustList = serde_json::from_slice(&read(&trust_list)?)
                .map_err(|e| anyhow::anyhow!("{}: 不是信任列表 (not a trust list): {e}", trust_list.display()))?;
            let statuses: Option<tongban_domain::licences::StatusList> = match &status_list {
                Some(path) => {
                    let list: tongban_domain::licences::StatusList = serde_json::from_slice(&read(path)?)
                        .map_err(|e| anyhow::anyhow!("{}: 不是状态列表 (not a status list): {e}", path.display()))?;
                    anyhow::ensure!(
                        tongban_app::licences::status_list_signed(&list, &trust),
                        "{}: 状态列表的签名无效 (the status list's signature is not valid)",
                        path.display()
                    );
                    Some(list)
                }
                None => None,
            };
            let verdict = serde_json::from_slice::<tongban_domain::licences::SignedLicence>(&read(&file)?)
                .map_err(|e| format!("不是导出的电子证照 (not an exported licence): {e}"))
                .and_then(|signed| {
                    let key = tongban_app::licences::verify_sealed(&signed, &trust)?;
                    println!(
                        "真实 (authentic): {} {}，由 {} 签章 (key {})",
                        signed.licence.name, signed.licence.id, key.agency_name, key.key_id
                    );
                    Ok(signed.licence)
                });
            Ok(match (verdict, statuses) {
                (Err(why), _) => {
                    println!("不真实 (not authentic): {why}");
                    ExitCode::from(1)
                }
                (Ok(_), None) => ExitCode::SUCCESS,
                (Ok(licence), Some(list)) => {
                    use tongban_domain::licences::LicenceStatus;
                    let ended = licence.valid_to.is_some_and(|to| to < tongban_domain::calendar::china_today());
                    let status = match list.status_of(&licence.id) {
                        LicenceStatus::Valid if ended => LicenceStatus::Expired,
                        s => s,
                    };
                    println!("状态 (status, list of {}): {} {}", list.issued_at, status.code(), status.name_zh());
                    if status == tongban_domain::licences::LicenceStatus::Valid {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(3)
                    }
                }
            })
        }
        Command::Licence(LicenceCommand::RotateKey { agency, storage }) => {
            let app = open(&mut config, &storage, false).await?;
            let key = tongban_app::licences::rotate_seal(&app, agency.trim()).await.map_err(describe)?;
            println!("new seal key: {key}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify { anchor_pending, storage }) => {
            let app = open(&mut config, &storage, false).await?;
            if anchor_pending {
                let n = tongban_app::cases::anchor_pending(&app).await.map_err(describe)?;
                println!("已存证等待中的 {n} 条留痕 (anchored {n} waiting entries)");
            }
            let r = tongban_app::cases::verify_audit(&app).await.map_err(describe)?;
            for p in &r.problems {
                println!("{p}");
            }
            // The newest signed head, to compare with the heads the log recorded (`audit chain head
            // signed`): deleted signed heads or a database rolled back show only against those.
            match &r.signed_head {
                Some(h) => println!(
                    "总链签名至第 {} 环 {}（{}），其后 {} 环待下次签名 (the head is signed up to link {} {} at {}; {} \
                     links wait for the next signing)",
                    h.seq,
                    h.hash,
                    h.sealed_at.to_rfc3339(),
                    (r.last_link - h.seq).max(0),
                    h.seq,
                    h.hash,
                    h.sealed_at.to_rfc3339(),
                    (r.last_link - h.seq).max(0)
                ),
                None => println!("总链尚无签名链头 (no head of the chain is signed yet)"),
            }
            println!(
                "{} 件办件、{} 条留痕、{} 环总链：{} (cases {}, entries {}, links {}: {})",
                r.cases,
                r.entries,
                r.anchors,
                if r.problems.is_empty() { "完整" } else { "发现问题" },
                r.cases,
                r.entries,
                r.anchors,
                if r.problems.is_empty() { "intact".to_owned() } else { format!("{} problems", r.problems.len()) }
            );
            Ok(if r.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Registry(cmd) => identity::registry(cmd, &mut config).await,
        Command::Demo(DemoCommand::Remove { storage }) => {
            let app = open(&mut config, &storage, false).await?;
            let (people, organizations) = tongban_app::demo::remove(&app).await.map_err(describe)?;
            println!(
                "已从人口库删除演示人员 {people} 人、从法人库删除演示单位 {organizations} 家 \
                 (removed {people} demo people and {organizations} demo organizations from the registries)"
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup(a) => backup::backup(a, &mut config).await,
        Command::Restore(a) => backup::restore(a, &mut config).await,
        Command::Keys(cmd) => identity::keys(cmd, &mut config).await,
        Command::Staff(cmd) => identity::staff(cmd, &mut config).await,
        Command::Oidc(cmd) => identity::oidc(cmd, &mut config).await,
        Command::Exchange(cmd) => exchange::run(cmd, &mut config).await,
        Command::Catalog(cmd) => {
            let storage = cmd.storage().clone();
            let app = open(&mut config, &storage, cmd.needs_index()).await?;
            cmd.run(app).await
        }
    }
}
