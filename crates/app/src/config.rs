//! Configuration: defaults that run out of the box, overlaid by an optional `tongban.toml`, then
//! by `TONGBAN_*` environment variables, then by command-line flags. Unknown keys and unknown
//! `TONGBAN_*` variables are errors, so a typo never silently falls back to a default.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use tongban_store::DbTarget;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: String,
    /// Run as a demo: the demo catalog and the fictional registries are loaded.
    pub demo: bool,
    /// Directory of the embedded SQLite database and local files.
    pub data_dir: PathBuf,
    /// SQLite fsyncs every commit (`synchronous=FULL`): durable against a power loss, at a cost
    /// (docs/benchmarks.md); by default a commit is durable against a crash of the process.
    pub sqlite_full_sync: bool,
    /// A `postgres://` URL; when set, PostgreSQL is used instead of SQLite.
    pub database_url: Option<String>,
    /// `human` or `json`.
    pub log_format: LogFormat,
    /// The platform's name as shown in the portal header, Chinese and English.
    pub site_name: String,
    pub site_name_en: String,
    /// Where `GET /metrics` (Prometheus) is served, apart from the platform (e.g.
    /// `127.0.0.1:9464`); unset, nowhere.
    pub metrics_listen: Option<String>,
    /// Networks outside the public internet that outbound requests (webhooks) may reach all the
    /// same, e.g. `["10.1.0.0/16"]` for department systems on the government network.
    pub outbound_allow: Vec<String>,
    /// The proxies (load balancers) in front of the platform, as networks, e.g.
    /// `["10.0.0.10/32"]`: a request from one of them is taken to come from the address it names
    /// in `X-Forwarded-For` (throttling and the sessions list use it); from anywhere else that
    /// header is ignored. Empty: no proxy is believed.
    pub trusted_proxies: Vec<String>,
    /// A `redis://` URL: allowances per address (logins, verifications) are counted there, shared
    /// by every node; unset, each process counts its own.
    pub redis_url: Option<String>,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// Requests running longer are answered with 408.
    pub request_timeout_secs: u64,
    /// How long shutdown waits for in-flight requests.
    pub shutdown_grace_secs: u64,
    /// Seconds between SIGTERM and closing the listener, while `/readyz` answers 503 (drain).
    pub shutdown_drain_secs: u64,
    /// The platform's public base URL (e.g. `https://zwfw.example.gov.cn`): the OpenID Connect
    /// issuer, the address licence QR codes carry; `https://` makes cookies `Secure`. Unset: the
    /// listener's own address, which `serve` accepts on loopback only (development).
    pub public_url: Option<String>,
    /// The key ring sealing personal data (created on first start); default `DATA_DIR/keys.txt`.
    pub key_file: Option<PathBuf>,
    /// Consecutive wrong passwords that lock an account, and for how long.
    pub login_max_failures: u32,
    pub login_lock_minutes: i64,
    /// Login attempts one address may make per minute, whatever the accounts.
    pub login_attempts_per_minute: u32,
    /// Public licence verifications (page and API) one address may make per minute.
    pub verifications_per_minute: u32,
    /// A font file with CJK glyphs for licence PDFs; unset, the first of the usual Debian fonts.
    pub pdf_font: Option<PathBuf>,
    /// A session ends after this long unused, and this long after login in any case.
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// Where uploaded materials go: `s3://BUCKET` for an S3-compatible store; unset, the
    /// `objects` directory under `data_dir`.
    pub objects_url: Option<String>,
    /// ClamAV's daemon, which scans every upload: `tcp://HOST:PORT` or `unix:///PATH`. Unset,
    /// only the EICAR test signature is recognized (development).
    pub clamd: Option<String>,
    /// When the scanner cannot scan: `refuse` the upload with 503 (the default), or `accept` it
    /// unscanned.
    pub scan_unavailable: String,
    /// The text-message gateway: `tencent` (Tencent Cloud SMS), `http` (a gateway taking a signed
    /// post) or `dev` (the development outbox, a file — for development and demos only). Unset:
    /// `dev` under `--demo`, else none (phone codes cannot be sent).
    pub sms: Option<String>,
    pub sms_tencent_secret_id: Option<String>,
    pub sms_tencent_secret_key: Option<String>,
    /// The SMS application (SdkAppId) and the approved signature (签名).
    pub sms_tencent_app_id: Option<String>,
    pub sms_tencent_sign_name: Option<String>,
    pub sms_tencent_region: String,
    pub sms_tencent_endpoint: String,
    pub sms_http_url: Option<String>,
    pub sms_http_secret: Option<String>,
    /// The provider's approved template of each message kind.
    pub sms_template_phone_code: Option<String>,
    pub sms_template_password_reset: Option<String>,
    pub sms_template_case_changed: Option<String>,
    /// The e-mail gateway: `smtp` or `dev`. Unset: `dev` under `--demo`, else none.
    pub mail: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `starttls` (the default), `tls`, or `none` (a relay on this machine only).
    pub smtp_tls: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// The sender, e.g. `一网通办 <noreply@zwfw.example.gov.cn>`.
    pub mail_from: String,
    /// The S3 endpoint (e.g. `http://127.0.0.1:9000` for a local store), region and credentials.
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    /// This node's number in case numbers (0–99), unique among the nodes sharing a database.
    pub node_id: u8,
    /// Supervision: a case turns yellow when at most this many working days remain.
    pub warning_yellow_days: u32,
    /// Yellow no earlier than when this share (percent) of the limit remains.
    pub warning_yellow_percent: u32,
    /// Notices of one case sent within this many seconds of each other go as one text or e-mail.
    pub notice_combine_seconds: u32,
    /// Data sharing: working days of the data authority's conformity review.
    pub share_review_days: u32,
    /// Working days of the provider's reply (the data on the platform, and not yet).
    pub share_reply_days: u32,
    pub share_reply_days_not_on_platform: u32,
    /// How long the exchange gateway waits for a provider's system, in milliseconds.
    pub exchange_upstream_timeout_ms: u64,
    /// Keep each gateway call's request and response SM4-sealed in the call log (digests only
    /// when false).
    pub exchange_keep_bodies: bool,
    /// Ratings: working days an agency has to rectify a bad review (Sichuan uses 15).
    pub rating_rectify_days: u32,
    /// Ratings: days after rating within which a rating may be changed, once.
    pub rating_change_days: u32,
    /// Consultations and complaints: working days to answer an inquiry (咨询), a complaint
    /// (投诉), a report (举报).
    pub inquiry_days: u32,
    pub complaint_days: u32,
    pub report_days: u32,
    /// The service hall: days before an appointment its reminder goes out (1: the day before).
    pub appointment_remind_days: u32,
    /// Appointments a person may hold at once.
    pub appointment_max_active: u32,
    /// The no-show rule: this many no-shows within `no_show_within_days` suspend booking for
    /// `no_show_suspend_days` (0 no-shows: never).
    pub no_show_count: u32,
    pub no_show_within_days: u32,
    pub no_show_suspend_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "human" => Ok(Self::Human),
            "json" => Ok(Self::Json),
            _ => Err(format!("log format must be human or json, got {s}")),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            demo: false,
            data_dir: PathBuf::from("./data"),
            sqlite_full_sync: false,
            database_url: None,
            log_format: LogFormat::Human,
            site_name: "一网通办政务服务平台".into(),
            site_name_en: "Tongban Government Services".into(),
            metrics_listen: None,
            outbound_allow: Vec::new(),
            trusted_proxies: Vec::new(),
            redis_url: None,
            body_limit_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 30,
            shutdown_drain_secs: 0,
            public_url: None,
            key_file: None,
            login_max_failures: 5,
            login_lock_minutes: 15,
            login_attempts_per_minute: 20,
            verifications_per_minute: 300,
            pdf_font: None,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            objects_url: None,
            clamd: None,
            sms: None,
            sms_tencent_secret_id: None,
            sms_tencent_secret_key: None,
            sms_tencent_app_id: None,
            sms_tencent_sign_name: None,
            sms_tencent_region: "ap-guangzhou".into(),
            sms_tencent_endpoint: "https://sms.tencentcloudapi.com".into(),
            sms_http_url: None,
            sms_http_secret: None,
            sms_template_phone_code: None,
            sms_template_password_reset: None,
            sms_template_case_changed: None,
            mail: None,
            smtp_host: None,
            smtp_port: 587,
            smtp_tls: "starttls".into(),
            smtp_username: None,
            smtp_password: None,
            mail_from: "一网通办 <noreply@localhost>".into(),
            scan_unavailable: "refuse".into(),
            s3_endpoint: None,
            s3_region: "us-east-1".into(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            node_id: 1,
            warning_yellow_days: 2,
            warning_yellow_percent: 33,
            notice_combine_seconds: 120,
            share_review_days: 2,
            share_reply_days: 5,
            share_reply_days_not_on_platform: 10,
            exchange_upstream_timeout_ms: 5000,
            exchange_keep_bodies: false,
            rating_rectify_days: 5,
            rating_change_days: 7,
            inquiry_days: 5,
            complaint_days: 10,
            report_days: 15,
            appointment_remind_days: 1,
            appointment_max_active: 3,
            no_show_count: 3,
            no_show_within_days: 30,
            no_show_suspend_days: 30,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
}

/// The environment-variable prefix.
pub const ENV_PREFIX: &str = "TONGBAN_";
/// The environment variable of the log filter (e.g. `info,tongban_web=debug`); not a setting.
pub const LOG_FILTER_ENV: &str = "TONGBAN_LOG";

/// Networks written `ADDRESS/PREFIX` (or an address alone), parsed.
pub fn networks(list: &[String]) -> Result<Vec<crate::outbound::Network>, String> {
    list.iter().map(|n| crate::outbound::Network::parse(n)).collect()
}

impl Config {
    /// Reads `file` if given, else `./tongban.toml` if it exists; then applies `env`.
    pub fn load(file: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        let default_file = Path::new("tongban.toml");
        let path = file.or_else(|| default_file.exists().then_some(default_file));
        let mut cfg = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
                let cfg: Config = toml::from_str(&text)
                    .map_err(|e| ConfigError::File { path: path.to_owned(), message: e.to_string() })?;
                if cfg.node_id > 99 {
                    let message = "node_id must be 0 to 99".into();
                    return Err(ConfigError::File { path: path.to_owned(), message });
                }
                if let Err(e) = networks(&cfg.trusted_proxies) {
                    let message = format!("trusted_proxies: {e}");
                    return Err(ConfigError::File { path: path.to_owned(), message });
                }
                if !matches!(cfg.scan_unavailable.as_str(), "refuse" | "accept") {
                    let message = "scan_unavailable must be refuse or accept".into();
                    return Err(ConfigError::File { path: path.to_owned(), message });
                }
                cfg
            }
            None => Config::default(),
        };
        for (name, value) in env {
            // TONGBAN_LOG is the log filter, read by the logging set-up before the configuration.
            if name == LOG_FILTER_ENV {
                continue;
            }
            if let Some(key) = name.strip_prefix(ENV_PREFIX) {
                cfg.set(&key.to_ascii_lowercase(), &value)
                    .map_err(|message| ConfigError::Env { name: name.clone(), message })?;
            }
        }
        Ok(cfg)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        fn num<T: std::str::FromStr>(v: &str) -> Result<T, String> {
            v.parse().map_err(|_| format!("expected a number, got {v}"))
        }
        match key {
            "listen" => self.listen = value.into(),
            "demo" => self.demo = value.parse().map_err(|_| format!("expected true or false, got {value}"))?,
            "data_dir" => self.data_dir = value.into(),
            "sqlite_full_sync" => {
                self.sqlite_full_sync = value.parse().map_err(|_| format!("expected true or false, got {value}"))?
            }
            "database_url" => self.database_url = (!value.is_empty()).then(|| value.into()),
            "log_format" => self.log_format = value.parse()?,
            "site_name" => self.site_name = value.into(),
            "site_name_en" => self.site_name_en = value.into(),
            "metrics_listen" => self.metrics_listen = (!value.is_empty()).then(|| value.into()),
            "redis_url" => self.redis_url = (!value.is_empty()).then(|| value.into()),
            "outbound_allow" => {
                self.outbound_allow =
                    value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
            }
            "trusted_proxies" => {
                self.trusted_proxies =
                    value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect();
                networks(&self.trusted_proxies)?;
            }
            "body_limit_bytes" => self.body_limit_bytes = num(value)?,
            "request_timeout_secs" => self.request_timeout_secs = num(value)?,
            "shutdown_grace_secs" => self.shutdown_grace_secs = num(value)?,
            "shutdown_drain_secs" => self.shutdown_drain_secs = num(value)?,
            "key_file" => self.key_file = (!value.is_empty()).then(|| value.into()),
            "public_url" => self.public_url = (!value.is_empty()).then(|| value.trim_end_matches('/').into()),
            "login_max_failures" => self.login_max_failures = num(value)?,
            "login_lock_minutes" => self.login_lock_minutes = num(value)?,
            "login_attempts_per_minute" => self.login_attempts_per_minute = num(value)?,
            "verifications_per_minute" => self.verifications_per_minute = num(value)?,
            "pdf_font" => self.pdf_font = (!value.is_empty()).then(|| value.into()),
            "session_idle_minutes" => self.session_idle_minutes = num(value)?,
            "session_absolute_hours" => self.session_absolute_hours = num(value)?,
            "objects_url" => self.objects_url = (!value.is_empty()).then(|| value.into()),
            "clamd" => self.clamd = (!value.is_empty()).then(|| value.into()),
            "sms" => self.sms = (!value.is_empty()).then(|| value.into()),
            "sms_tencent_secret_id" => self.sms_tencent_secret_id = (!value.is_empty()).then(|| value.into()),
            "sms_tencent_secret_key" => self.sms_tencent_secret_key = (!value.is_empty()).then(|| value.into()),
            "sms_tencent_app_id" => self.sms_tencent_app_id = (!value.is_empty()).then(|| value.into()),
            "sms_tencent_sign_name" => self.sms_tencent_sign_name = (!value.is_empty()).then(|| value.into()),
            "sms_tencent_region" => self.sms_tencent_region = value.into(),
            "sms_tencent_endpoint" => self.sms_tencent_endpoint = value.into(),
            "sms_http_url" => self.sms_http_url = (!value.is_empty()).then(|| value.into()),
            "sms_http_secret" => self.sms_http_secret = (!value.is_empty()).then(|| value.into()),
            "sms_template_phone_code" => self.sms_template_phone_code = (!value.is_empty()).then(|| value.into()),
            "sms_template_password_reset" => {
                self.sms_template_password_reset = (!value.is_empty()).then(|| value.into())
            }
            "sms_template_case_changed" => self.sms_template_case_changed = (!value.is_empty()).then(|| value.into()),
            "mail" => self.mail = (!value.is_empty()).then(|| value.into()),
            "smtp_host" => self.smtp_host = (!value.is_empty()).then(|| value.into()),
            "smtp_port" => self.smtp_port = num(value)?,
            "smtp_tls" => self.smtp_tls = value.into(),
            "smtp_username" => self.smtp_username = (!value.is_empty()).then(|| value.into()),
            "smtp_password" => self.smtp_password = (!value.is_empty()).then(|| value.into()),
            "mail_from" => self.mail_from = value.into(),
            "scan_unavailable" => {
                if !matches!(value, "refuse" | "accept") {
                    return Err(format!("expected refuse or accept, got {value}"));
                }
                self.scan_unavailable = value.into()
            }
            "s3_endpoint" => self.s3_endpoint = (!value.is_empty()).then(|| value.trim_end_matches('/').into()),
            "s3_region" => self.s3_region = value.into(),
            "s3_access_key_id" => self.s3_access_key_id = (!value.is_empty()).then(|| value.into()),
            "s3_secret_access_key" => self.s3_secret_access_key = (!value.is_empty()).then(|| value.into()),
            "node_id" => {
                self.node_id = num(value)?;
                if self.node_id > 99 {
                    return Err("must be 0 to 99".into());
                }
            }
            "warning_yellow_days" => self.warning_yellow_days = num(value)?,
            "warning_yellow_percent" => self.warning_yellow_percent = num(value)?,
            "notice_combine_seconds" => self.notice_combine_seconds = num(value)?,
            "share_review_days" => self.share_review_days = num(value)?,
            "share_reply_days" => self.share_reply_days = num(value)?,
            "share_reply_days_not_on_platform" => self.share_reply_days_not_on_platform = num(value)?,
            "exchange_upstream_timeout_ms" => self.exchange_upstream_timeout_ms = num(value)?,
            "rating_rectify_days" => {
                let days: u32 = num(value)?;
                if !(1..=60).contains(&days) {
                    return Err("must be 1 to 60 working days".into());
                }
                self.rating_rectify_days = days;
            }
            "rating_change_days" => self.rating_change_days = num(value)?,
            "inquiry_days" | "complaint_days" | "report_days" => {
                let days: u32 = num(value)?;
                if !(1..=60).contains(&days) {
                    return Err("must be 1 to 60 working days".into());
                }
                match key {
                    "inquiry_days" => self.inquiry_days = days,
                    "complaint_days" => self.complaint_days = days,
                    _ => self.report_days = days,
                }
            }
            "appointment_remind_days" => {
                let days: u32 = num(value)?;
                if !(1..=14).contains(&days) {
                    return Err("must be 1 to 14 days".into());
                }
                self.appointment_remind_days = days;
            }
            "appointment_max_active" | "no_show_count" | "no_show_within_days" | "no_show_suspend_days" => {
                let n: u32 = num(value)?;
                if n > 365 {
                    return Err("must be 0 to 365".into());
                }
                match key {
                    "appointment_max_active" => self.appointment_max_active = n,
                    "no_show_count" => self.no_show_count = n,
                    "no_show_within_days" => self.no_show_within_days = n,
                    _ => self.no_show_suspend_days = n,
                }
            }
            "exchange_keep_bodies" => {
                self.exchange_keep_bodies = value.parse().map_err(|_| format!("expected true or false, got {value}"))?
            }
            _ => return Err("unknown setting".into()),
        }
        Ok(())
    }

    /// What this configuration lacks to serve at `addr`, a problem a line; empty when nothing.
    /// On loopback anything goes (development); a listener other machines reach needs the public
    /// address people use — never the `Host` a client sends.
    pub fn serving_problems(&self, addr: std::net::SocketAddr) -> Vec<String> {
        let mut problems = Vec::new();
        let dev = |channel: &Option<String>| match channel.as_deref() {
            Some(c) => c == "dev",
            None => self.demo,
        };
        if !addr.ip().is_loopback() && !self.demo && (dev(&self.sms) || dev(&self.mail)) {
            problems.push(format!(
                "listening on {addr} with the development outbox for texts or e-mails (sms or mail = \"dev\"): \
                 configure a gateway, or run as a demo (--demo)"
            ));
        }
        if !addr.ip().is_loopback() && self.public_url.is_none() {
            problems.push(format!(
                "listening on {addr} needs public_url, the address people reach the platform at (e.g. \
                 https://zwfw.example.gov.cn, TLS at the proxy): the OpenID Connect issuer, licence QR codes and \
                 secure cookies are made from it"
            ));
        }
        problems
    }

    /// The key ring file.
    pub fn key_path(&self) -> PathBuf {
        self.key_file.clone().unwrap_or_else(|| self.data_dir.join("keys.txt"))
    }

    /// Where this node keeps its search index.
    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index").join("catalog")
    }

    /// The storage this configuration selects.
    pub fn db_target(&self) -> Result<DbTarget, ConfigError> {
        match &self.database_url {
            None => Ok(DbTarget::Sqlite { data_dir: self.data_dir.clone(), full_sync: self.sqlite_full_sync }),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(DbTarget::Postgres { url: url.clone(), schema: None })
            }
            Some(_) => Err(ConfigError::Env {
                name: "database_url".into(),
                message: "must be a postgres:// URL (SQLite is selected by leaving it unset)".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn file_then_env_overlay() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "listen = \"0.0.0.0:9000\"\nsite_name = \"某某省政务服务网\"").unwrap();
        let cfg = Config::load(Some(f.path()), env(&[("TONGBAN_LISTEN", "127.0.0.1:9001"), ("PATH", "/bin")])).unwrap();
        assert_eq!(cfg.listen, "127.0.0.1:9001");
        assert_eq!(cfg.site_name, "某某省政务服务网");
        assert_eq!(cfg.db_target().unwrap(), DbTarget::Sqlite { data_dir: "./data".into(), full_sync: false });
        let full = Config::load(None, env(&[("TONGBAN_SQLITE_FULL_SYNC", "true")])).unwrap();
        assert_eq!(full.db_target().unwrap(), DbTarget::Sqlite { data_dir: "./data".into(), full_sync: true });
    }

    #[test]
    fn unknown_keys_are_errors() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "lisen = \"x\"").unwrap();
        let e = Config::load(Some(f.path()), env(&[])).unwrap_err().to_string();
        assert!(e.contains("lisen"), "{e}");
        assert!(Config::load(None, env(&[("TONGBAN_LOG", "warn")])).is_ok(), "the log filter is not a setting");
        let e = Config::load(None, env(&[("TONGBAN_DATABSE_URL", "x")])).unwrap_err().to_string();
        assert!(e.contains("TONGBAN_DATABSE_URL"), "{e}");
        let e = Config::load(None, env(&[("TONGBAN_BODY_LIMIT_BYTES", "lots")])).unwrap_err().to_string();
        assert!(e.contains("number"), "{e}");
    }

    #[test]
    fn node_and_warning_settings() {
        let cfg = Config::load(None, env(&[("TONGBAN_NODE_ID", "7"), ("TONGBAN_WARNING_YELLOW_DAYS", "3")])).unwrap();
        assert_eq!((cfg.node_id, cfg.warning_yellow_days), (7, 3));
        let e = Config::load(None, env(&[("TONGBAN_NODE_ID", "100")])).unwrap_err().to_string();
        assert!(e.contains("0 to 99"), "{e}");
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "node_id = 120").unwrap();
        assert!(Config::load(Some(f.path()), env(&[])).unwrap_err().to_string().contains("0 to 99"));
    }

    #[test]
    fn only_loopback_serves_without_a_public_url() {
        let cfg = Config::default();
        assert!(cfg.serving_problems("127.0.0.1:8080".parse().unwrap()).is_empty());
        assert!(cfg.serving_problems("[::1]:8080".parse().unwrap()).is_empty());
        let problems = cfg.serving_problems("0.0.0.0:8080".parse().unwrap());
        assert!(problems.len() == 1 && problems[0].contains("public_url"), "{problems:?}");
        let cfg = Config { public_url: Some("https://zwfw.example.gov.cn".into()), ..Config::default() };
        assert!(cfg.serving_problems("0.0.0.0:8080".parse().unwrap()).is_empty());
        // The development outbox only on this machine, or in a demo.
        let dev = Config { sms: Some("dev".into()), ..cfg.clone() };
        assert!(dev.serving_problems("0.0.0.0:8080".parse().unwrap())[0].contains("development outbox"));
        assert!(dev.serving_problems("127.0.0.1:8080".parse().unwrap()).is_empty());
        let demo = Config { demo: true, ..cfg };
        assert!(demo.serving_problems("0.0.0.0:8080".parse().unwrap()).is_empty());
    }

    #[test]
    fn trusted_proxies_are_networks() {
        let cfg = Config::load(None, env(&[("TONGBAN_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")])).unwrap();
        assert_eq!(cfg.trusted_proxies, ["10.0.0.0/8", "127.0.0.1"]);
        let e = Config::load(None, env(&[("TONGBAN_TRUSTED_PROXIES", "10.0.0.0/33")])).unwrap_err().to_string();
        assert!(e.contains("TONGBAN_TRUSTED_PROXIES") && e.contains("prefix over 32"), "{e}");
    }

    #[test]
    fn postgres_url_selects_postgres() {
        let cfg = Config::load(None, env(&[("TONGBAN_DATABASE_URL", "postgres://u@h/db")])).unwrap();
        assert!(matches!(cfg.db_target().unwrap(), DbTarget::Postgres { .. }));
        let cfg = Config::load(None, env(&[("TONGBAN_DATABASE_URL", "mysql://u@h/db")])).unwrap();
        assert!(cfg.db_target().is_err());
    }
}
