//! `tongban registry import` and `tongban keys rotate`.

use anyhow::Context;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use tongban_app::identity;
use tongban_app::{App, Config};

#[derive(Subcommand)]
pub enum RegistryCommand {
    /// Load the population registry that real-name verification (L2) checks against, from CSV
    /// lines `name,citizen_id` (header optional). Only keyed digests are stored; bad lines are
    /// reported by number and reason and stop nothing; loading again replaces entries.
    Import {
        file: PathBuf,
        /// Replace the whole registry with the file (nothing changes if a line is refused).
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
    /// Load the legal-person registry (法人库 stand-in) that organization registration checks,
    /// from CSV lines `credit_code,name,legal_rep_citizen_id` (header optional).
    ImportLegal {
        file: PathBuf,
        /// Replace the whole registry with the file (nothing changes if a line is refused).
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
}

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Make a registered person (id number or phone) a platform administrator, who then assigns
    /// every other staff role in the pages. Only this command creates platform administrators.
    AddPlatformAdmin {
        person: String,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
}

pub async fn staff(cmd: StaffCommand, config: &mut Config) -> anyhow::Result<ExitCode> {
    let StaffCommand::AddPlatformAdmin { person, storage } = cmd;
    let app: App = crate::open(config, &storage, false).await?;
    let form = tongban_app::staff::NewAssignment {
        person,
        role: "platform_admin".into(),
        agency_code: String::new(),
        division_code: String::new(),
    };
    tongban_app::staff::assign(&app, None, form).await.map_err(crate::describe)?;
    println!("已指定平台管理员 (platform administrator assigned)");
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Add a new key for sealing personal data, make it current, and re-seal every stored value
    /// under it. Older keys stay in the ring (values sealed elsewhere under them still open).
    Rotate {
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
}

pub async fn registry(cmd: RegistryCommand, config: &mut Config) -> anyhow::Result<ExitCode> {
    let (RegistryCommand::Import { file, storage, .. } | RegistryCommand::ImportLegal { file, storage, .. }) = &cmd;
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let app: App = crate::open(config, storage, false).await?;
    use tongban_app::organizations::{import_legal_registry, replace_legal_registry};
    let report = match cmd {
        RegistryCommand::Import { replace: false, .. } => identity::import_registry(&app, &text).await,
        RegistryCommand::Import { replace: true, .. } => identity::replace_registry(&app, &text).await,
        RegistryCommand::ImportLegal { replace: false, .. } => import_legal_registry(&app, &text).await,
        RegistryCommand::ImportLegal { replace: true, .. } => replace_legal_registry(&app, &text).await,
    };
    let report = report.map_err(crate::describe)?;
    let (loaded, rejected) = (report.loaded, report.rejected);
    println!("已载入 {loaded} 条，拒绝 {} 条 (loaded {loaded}, rejected {})", rejected.len(), rejected.len());
    for (line, reason) in &rejected {
        println!("第 {line} 行 (line {line}): {reason}");
    }
    Ok(if rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

pub async fn keys(cmd: KeysCommand, config: &mut Config) -> anyhow::Result<ExitCode> {
    let KeysCommand::Rotate { storage } = cmd;
    crate::apply(config, &storage);
    let path = config.key_path();
    let mut ring = identity::load_or_create_keys(&path).map_err(crate::describe)?;
    let id = format!("k{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    ring.rotate(&id)?;
    // The ring is written first: a re-seal cut short leaves values under old keys, which open.
    identity::write_keys(&path, &ring).map_err(crate::describe)?;
    let app: App = crate::open(config, &storage, false).await?;
    let changed = identity::reseal(&app).await.map_err(crate::describe)?;
    println!("当前密钥 {id}，已重新加密 {changed} 人的个人信息 (current key {id}; re-sealed {changed} persons)");
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum OidcCommand {
    /// Register an OpenID Connect client (a department system); prints its id and secret once.
    AddClient {
        #[arg(long)]
        name: String,
        /// Where the code flow may return to (repeatable; https, or http on this machine).
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// authorization_code, refresh_token, client_credentials (repeatable; default the first two).
        #[arg(long = "grant")]
        grants: Vec<String>,
        /// Give each user a subject identifier of its own for this client.
        #[arg(long)]
        pairwise: bool,
        /// Print JSON `{"client_id","client_secret"}`.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        storage: crate::StorageOpts,
    },
}

pub async fn oidc(cmd: OidcCommand, config: &mut Config) -> anyhow::Result<ExitCode> {
    let OidcCommand::AddClient { name, redirect_uris, mut grants, pairwise, json, storage } = cmd;
    if grants.is_empty() {
        grants = vec!["authorization_code".into(), "refresh_token".into()];
    }
    let app: App = crate::open(config, &storage, false).await?;
    let c =
        tongban_app::oidc::add_client(&app, &name, &redirect_uris, &grants, pairwise).await.map_err(crate::describe)?;
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
