//! Text messages and e-mails (短信、邮件): one-time codes and the notices of case changes, sent
//! through the configured gateways — an SMS provider's API (Tencent Cloud SMS, `tencent`), any
//! gateway taking a signed HTTP post (`http`), an SMTP relay — or, for development only, the
//! development outbox (`dev`: a file and an in-memory inbox, never the log).
//!
//! Every message is kept (`outbound_messages`) with its delivery status: it is tried at once, then
//! again with growing pauses, at most `MAX_ATTEMPTS` times and never past its validity (a code's
//! minutes); the gateway's receipt is recorded. What a message says is sealed at rest: codes are
//! secrets. Each kind has a template: the text for gateways that take text, the provider's
//! template id and parameters for those that take templates.

mod dev;
mod http_sms;
mod smtp;
pub mod tencent;

pub use dev::{DevOutbox, Mail, Sms};
pub use http_sms::HttpSms;
pub use smtp::{Smtp, SmtpTls};
pub use tencent::TencentSms;

use crate::{App, AppError};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tongban_store::outbound::{Attempt, OutboundRow};

/// The sealing context of what a message says.
const PAYLOAD: &str = "notify.message";
/// Attempts after which a message is given up.
pub const MAX_ATTEMPTS: i32 = 5;
/// How long a worker holds a message it is sending.
const HOLD_SECS: i64 = 60;

/// What is sent, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Message {
    /// The code that verifies the registered phone (L3).
    PhoneCode { code: String, minutes: i64 },
    /// The code that resets a forgotten password.
    PasswordReset { code: String, minutes: i64 },
    /// A change to one of the person's cases: the title goes by text message, title and body by
    /// e-mail (the details are behind the login). `earlier` are the titles of notices of the same
    /// case this one carries (combined, not sent on their own); `link` is the page to open.
    CaseChanged {
        title: String,
        body: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        earlier: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        link: Option<String>,
    },
}

/// The message kinds, as templates are configured for them.
pub const KINDS: [&str; 3] = ["phone_code", "password_reset", "case_changed"];

impl Message {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PhoneCode { .. } => KINDS[0],
            Self::PasswordReset { .. } => KINDS[1],
            Self::CaseChanged { .. } => KINDS[2],
        }
    }

    /// The text message, for gateways that take text.
    pub fn text(&self) -> String {
        match self {
            Self::PhoneCode { code, minutes } => {
                format!("【通办】您验证手机的验证码为 {code}，{minutes} 分钟内有效。请勿告知他人。")
            }
            Self::PasswordReset { code, minutes } => {
                format!("【通办】您重置口令的验证码为 {code}，{minutes} 分钟内有效。如非本人操作，请忽略。")
            }
            Self::CaseChanged { link, .. } => match link {
                Some(link) => format!("【通办】{}。详情：{link}", self.headline()),
                None => format!("【通办】{}。详情请登录通办查看。", self.headline()),
            },
        }
    }

    /// A notice's title, with those of the notices it carries — named while there are few, then
    /// counted, so a text stays a text (the e-mail lists them all).
    fn headline(&self) -> String {
        match self {
            Self::CaseChanged { title, earlier, .. } if earlier.len() > 3 => {
                format!("{title}（此前另有 {} 项进展，详见站内消息）", earlier.len())
            }
            Self::CaseChanged { title, earlier, .. } if !earlier.is_empty() => {
                format!("{title}（此前：{}）", earlier.join("；"))
            }
            Self::CaseChanged { title, .. } => title.clone(),
            _ => String::new(),
        }
    }

    /// The parameters of the provider's template of this kind, in order.
    pub fn template_params(&self) -> Vec<String> {
        match self {
            Self::PhoneCode { code, minutes } | Self::PasswordReset { code, minutes } => {
                vec![code.clone(), minutes.to_string()]
            }
            Self::CaseChanged { .. } => vec![self.headline()],
        }
    }

    /// Subject and body by e-mail; codes go by text message only.
    pub fn email(&self) -> Option<(String, String)> {
        match self {
            Self::CaseChanged { title, body, earlier, link } => {
                let mut text = body.clone();
                if !earlier.is_empty() {
                    text = format!("{text}\n\n此前的变化：\n{}", earlier.join("\n"));
                }
                let details = match link {
                    Some(link) => format!("详情 (details)：{link}"),
                    None => "详情请登录通办查看。(Details: log in to Tongban.)".into(),
                };
                Some((title.clone(), format!("{text}\n\n{details}")))
            }
            _ => None,
        }
    }

    /// How long it is worth sending: a code while it is valid, a notice for a day.
    fn lifetime(&self) -> Duration {
        match self {
            Self::PhoneCode { minutes, .. } | Self::PasswordReset { minutes, .. } => Duration::minutes(*minutes),
            Self::CaseChanged { .. } => Duration::days(1),
        }
    }
}

/// Why a gateway did not take a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    /// Trying again will not help (a refused number, a wrong template, bad credentials).
    pub permanent: bool,
}

impl SendError {
    pub fn transient(message: impl Into<String>) -> Self {
        Self { message: message.into(), permanent: false }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        Self { message: message.into(), permanent: true }
    }
}

/// The text-message gateway.
pub enum SmsGateway {
    Dev(Arc<DevOutbox>),
    Tencent(TencentSms),
    Http(HttpSms),
}

impl SmsGateway {
    /// Sends `m` to `phone`; the gateway's receipt.
    async fn send(&self, phone: &str, m: &Message) -> Result<String, SendError> {
        match self {
            Self::Dev(d) => d.text(phone, m),
            Self::Tencent(t) => t.send(phone, m).await,
            Self::Http(h) => h.send(phone, m).await,
        }
    }
}

/// The e-mail gateway.
pub enum Mailer {
    Dev(Arc<DevOutbox>),
    Smtp(Box<Smtp>),
}

impl Mailer {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<String, SendError> {
        match self {
            Self::Dev(d) => d.mail(to, subject, body),
            Self::Smtp(s) => s.send(to, subject, body).await,
        }
    }
}

/// The configured gateways; a channel without one sends nothing (its messages are not kept).
#[derive(Default)]
pub struct Channels {
    pub sms: Option<SmsGateway>,
    pub mail: Option<Mailer>,
    /// How long a case notice waits for the next change of its case, to go as one message with
    /// it (zero: each goes at once).
    pub combine: Duration,
    /// The platform's address, for links in notices (`public_url`); none, no links.
    pub base_url: Option<String>,
}

impl Channels {
    /// Both channels to one development outbox (tests; `serve --demo`), each notice at once.
    pub fn development(outbox: Arc<DevOutbox>) -> Self {
        Self {
            sms: Some(SmsGateway::Dev(outbox.clone())),
            mail: Some(Mailer::Dev(outbox)),
            combine: Duration::zero(),
            base_url: None,
        }
    }

    /// The address of a page of the platform, for a notice.
    pub(crate) fn link(&self, path: &str) -> Option<String> {
        self.base_url.as_ref().map(|b| format!("{b}{path}"))
    }

    /// The development outbox, when a channel goes to one.
    pub fn dev(&self) -> Option<&Arc<DevOutbox>> {
        match (&self.sms, &self.mail) {
            (Some(SmsGateway::Dev(d)), _) | (_, Some(Mailer::Dev(d))) => Some(d),
            _ => None,
        }
    }
}

fn row(
    app: &App,
    person_id: &str,
    channel: &str,
    m: &Message,
    (now, first_at): (DateTime<Utc>, DateTime<Utc>),
) -> Result<OutboundRow, AppError> {
    let payload = serde_json::to_string(m).map_err(AppError::internal)?;
    Ok(OutboundRow {
        id: format!("o_{}", &tongban_crypto::token().map_err(AppError::internal)?[..24]),
        person_id: person_id.to_owned(),
        channel: channel.to_owned(),
        kind: m.kind().to_owned(),
        payload_sealed: app.vault.seal(PAYLOAD, &payload).map_err(AppError::internal)?,
        status: "pending".into(),
        attempts: 0,
        next_at: first_at,
        expires_at: now + m.lifetime(),
        last_error: None,
        receipt: None,
        created_at: now,
        sent_at: None,
        topic: None,
    })
}

/// The messages that send `m` to a person on each of `channels` that has a gateway and carries
/// it, to be kept — with the change that causes them, when there is one — and first tried at
/// `first_at` (by this sender, which holds them until then, when that is now).
fn messages(
    app: &App,
    person_id: &str,
    m: &Message,
    channels: NoticeChannels,
    first_at: Option<DateTime<Utc>>,
) -> Result<Vec<OutboundRow>, AppError> {
    // Whole microseconds, as the databases keep them: a message is taken by its `next_at` as read.
    let now = Utc::now().trunc_subsecs(6);
    let times = (now, first_at.unwrap_or(now + Duration::seconds(HOLD_SECS)));
    let mut rows = Vec::new();
    if channels.sms && app.notify.sms.is_some() {
        rows.push(row(app, person_id, "sms", m, times)?);
    }
    if channels.email && app.notify.mail.is_some() && m.email().is_some() {
        rows.push(row(app, person_id, "email", m, times)?);
    }
    Ok(rows)
}

/// Sends `m` to a person on every channel that carries it: kept first, then tried once now (a
/// failure is retried by `deliver_due`). An error only when nothing could be kept; with no
/// gateway for any of its channels, `Unavailable`.
pub async fn send(app: &App, person_id: &str, m: Message) -> Result<(), AppError> {
    let rows = messages(app, person_id, &m, NoticeChannels::ALL, None)?;
    if rows.is_empty() {
        return Err(AppError::Unavailable {
            message: "短信服务未配置，暂不能发送 (no text-message gateway is configured)".into(),
        });
    }
    app.store.insert_outbound(rows.clone()).await?;
    take_and_deliver(app, rows).await
}

/// The first attempt at messages just kept, but not at those the worker took first (their hold,
/// set when they were made, may have run out while the change waited to be written).
async fn take_and_deliver(app: &App, rows: Vec<OutboundRow>) -> Result<(), AppError> {
    for r in app.store.take_outbound(&rows, Utc::now() + Duration::seconds(HOLD_SECS)).await? {
        deliver(app, r).await?;
    }
    Ok(())
}

/// The text (and e-mail, when chosen) of a notice that is not about a case — an appointment's
/// reminder —, to be kept with the change that causes it.
pub(crate) async fn notice(
    app: &App,
    person_id: &str,
    (title, body): (String, String),
    link: &str,
) -> Result<Vec<OutboundRow>, AppError> {
    let channels = notice_channels(app, person_id).await?;
    let m = Message::CaseChanged { title, body, earlier: Vec::new(), link: app.notify.link(link) };
    messages(app, person_id, &m, NoticeChannels { sms: true, ..channels }, None)
}

/// A new in-site message's identifier.
pub(crate) fn message_id() -> Result<String, AppError> {
    Ok(format!("m_{}", &tongban_crypto::token().map_err(AppError::internal)?[..24]))
}

/// A new, unread in-site message to a person, about a case or not; written by the caller in
/// the transaction of the change it tells of.
pub(crate) fn in_site(
    person_id: &str,
    case_number: Option<&str>,
    title: String,
    body: String,
) -> Result<tongban_store::cases::MessageRow, AppError> {
    Ok(tongban_store::cases::MessageRow {
        id: message_id()?,
        person_id: person_id.into(),
        case_number: case_number.map(str::to_owned),
        title,
        body,
        created_at: Utc::now(),
        read_at: None,
    })
}

/// The channels a person has chosen for the notices of their cases (in-site messages always).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeChannels {
    pub sms: bool,
    pub email: bool,
}

impl NoticeChannels {
    pub const ALL: Self = Self { sms: true, email: true };

    /// As kept: `sms,email`, `sms`, `email` or empty; unknown words are ignored.
    pub fn parse(s: &str) -> Self {
        let has = |c: &str| s.split(',').any(|w| w.trim() == c);
        Self { sms: has("sms"), email: has("email") }
    }

    pub fn as_str(self) -> &'static str {
        match (self.sms, self.email) {
            (true, true) => "sms,email",
            (true, false) => "sms",
            (false, true) => "email",
            (false, false) => "",
        }
    }
}

/// A person's choice of channels for the notices of their cases.
pub async fn notice_channels(app: &App, person_id: &str) -> Result<NoticeChannels, AppError> {
    let p = app.store.person(person_id).await?.ok_or(AppError::Unauthenticated)?;
    Ok(NoticeChannels::parse(&p.notice_channels))
}

/// Sets a person's channels for the notices of their cases.
pub async fn choose_channels(app: &App, person_id: &str, channels: NoticeChannels) -> Result<(), AppError> {
    if channels.email && crate::people::contact(app, person_id).await?.email.is_none() {
        return Err(AppError::field(
            "email",
            "您注册时未填写电子邮箱，不能以邮件接收通知 (no e-mail address is registered: notices cannot go by e-mail)",
        ));
    }
    Ok(app.store.set_notice_channels(person_id, channels.as_str()).await?)
}

/// Whom a case notice goes to and what it carries besides: the person's chosen channels, and
/// the titles of the case's notices still waiting to be combined (which then are not sent on
/// their own).
pub(crate) struct Recipient {
    person_id: String,
    channels: NoticeChannels,
    earlier: Vec<String>,
    /// A waiting notice's link to a licence, which outlives later notices of the case.
    licence_link: Option<String>,
}

/// The recipient of a notice of case `case_number` (none yet for a case being submitted).
pub(crate) async fn recipient(app: &App, person_id: &str, case_number: Option<&str>) -> Result<Recipient, AppError> {
    let (mut earlier, mut licence_link) = (Vec::<String>::new(), None);
    if let Some(n) = case_number.filter(|_| !app.notify.combine.is_zero()) {
        for r in app.store.pending_of_topic(person_id, n).await? {
            let payload = app.vault.open(PAYLOAD, &r.payload_sealed).map_err(AppError::internal)?;
            if let Ok(Message::CaseChanged { title, earlier: before, link, .. }) = serde_json::from_str(&payload) {
                for t in before.into_iter().chain([title]) {
                    if !earlier.contains(&t) {
                        earlier.push(t);
                    }
                }
                licence_link = link.filter(|l| l.contains("/licences/")).or(licence_link);
            }
        }
    }
    let channels = notice_channels(app, person_id).await?;
    Ok(Recipient { person_id: person_id.to_owned(), channels, earlier, licence_link })
}

/// The text and e-mail telling `to` of a change to their case `case_number`, to be written in
/// the change's transaction (beside the in-site message), so a crash after the commit cannot
/// lose them. With a combining window they wait that long for the case's next change: one text
/// for a run of changes, not one each.
pub(crate) fn case_changed(
    app: &App,
    to: &Recipient,
    case_number: &str,
    (title, body): (String, String),
    link: Option<String>,
) -> Result<Vec<OutboundRow>, AppError> {
    let link = to.licence_link.clone().or(link);
    let m = Message::CaseChanged { title, body, earlier: to.earlier.clone(), link };
    let combine = app.notify.combine;
    let first_at = (!combine.is_zero()).then(|| Utc::now().trunc_subsecs(6) + combine);
    let mut rows = messages(app, &to.person_id, &m, to.channels, first_at)?;
    for r in &mut rows {
        r.topic = Some(case_number.to_owned());
    }
    Ok(rows)
}

/// The first attempt at messages a committed change kept, off the request (a failure is retried
/// by `deliver_due`); those waiting to be combined are left to the worker.
pub(crate) fn first_attempt(app: &App, rows: Vec<OutboundRow>) {
    if app.notify.combine.is_zero() {
        attempt_now(app, rows);
    }
}

/// The first attempt at messages just kept that combine with nothing (a reminder), off the
/// request.
pub(crate) fn attempt_now(app: &App, rows: Vec<OutboundRow>) {
    if rows.is_empty() {
        return;
    }
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(e) = take_and_deliver(&app, rows).await {
            tracing::warn!(error = %e, "a message could not be tried");
        }
    });
}

/// The pause before attempt `n + 1`: 10 s doubling.
fn backoff(attempts: i32) -> Duration {
    Duration::seconds(10 * (1i64 << attempts.clamp(0, 10)))
}

/// One attempt at one message, recorded.
async fn deliver(app: &App, r: OutboundRow) -> Result<(), AppError> {
    let now = Utc::now();
    let attempt = if r.expires_at <= now {
        Attempt::Ended { status: "expired", error: "past its validity".into() }
    } else if !app.notify.combine.is_zero() && r.attempts == 0 && app.store.later_of_topic(&r).await? {
        // Folded into the later one when it was made (only messages not yet tried are).
        Attempt::Ended { status: "combined", error: "carried by a later message of its case".into() }
    } else {
        let payload = app.vault.open(PAYLOAD, &r.payload_sealed).map_err(AppError::internal)?;
        let m: Message = serde_json::from_str(&payload).map_err(AppError::internal)?;
        let contact = crate::people::contact(app, &r.person_id).await?;
        let sent = match (r.channel.as_str(), &app.notify.sms, &app.notify.mail) {
            ("sms", Some(gateway), _) => Some(gateway.send(&contact.phone, &m).await),
            ("email", _, Some(mailer)) => match (&contact.email, m.email()) {
                (Some(to), Some((subject, body))) => Some(mailer.send(to, &subject, &body).await),
                _ => None,
            },
            _ => Some(Err(SendError::permanent("no gateway for this channel any more"))),
        };
        match sent {
            None => Attempt::Ended { status: "skipped", error: "no address on this channel".into() },
            Some(Ok(receipt)) => Attempt::Sent { receipt },
            Some(Err(e)) if e.permanent || r.attempts + 1 >= MAX_ATTEMPTS => {
                Attempt::Ended { status: "failed", error: e.message }
            }
            Some(Err(e)) => Attempt::Retry { error: e.message, next_at: now + backoff(r.attempts) },
        }
    };
    if let Attempt::Ended { status: "failed", error } | Attempt::Retry { error, .. } = &attempt {
        tracing::warn!(channel = %r.channel, kind = %r.kind, person = %r.person_id, %error, "message not sent");
    }
    app.store.record_attempt(&r.id, attempt, now).await?;
    Ok(())
}

/// What one round of deliveries did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub tried: usize,
}

/// Tries every message due again (the worker, every few seconds), a batch at a time until none
/// is due (each taken is held, so the round ends).
pub async fn deliver_due(app: &App) -> Result<Round, AppError> {
    const BATCH: u64 = 100;
    let mut tried = 0;
    loop {
        let due = app.store.take_due_outbound(Utc::now(), Duration::seconds(HOLD_SECS), BATCH).await?;
        let full = due.len() as u64 == BATCH;
        tried += due.len();
        for r in due {
            if let Err(e) = deliver(app, r).await {
                tracing::warn!(error = %e, "a message could not be tried");
            }
        }
        if !full {
            return Ok(Round { tried });
        }
    }
}

impl Channels {
    /// The gateways a configuration names; `data_dir` holds the development outbox's file. Unset
    /// channels are the development outbox in a demo, and absent otherwise.
    pub fn from_config(c: &crate::Config, http: &reqwest::Client) -> Result<Self, String> {
        let outbox = Arc::new(DevOutbox::to_file(c.data_dir.join("dev-outbox.txt")));
        let required = |v: &Option<String>, key: &str| v.clone().ok_or_else(|| format!("{key} is required"));
        let sms = match c.sms.as_deref().or(c.demo.then_some("dev")) {
            None => None,
            Some("dev") => Some(SmsGateway::Dev(outbox.clone())),
            Some("tencent") => {
                let templates = [
                    ("phone_code", &c.sms_template_phone_code),
                    ("password_reset", &c.sms_template_password_reset),
                    ("case_changed", &c.sms_template_case_changed),
                ]
                .into_iter()
                .map(|(kind, t)| Ok((kind.to_owned(), required(t, &format!("sms_template_{kind}"))?)))
                .collect::<Result<_, String>>()?;
                Some(SmsGateway::Tencent(TencentSms {
                    http: http.clone(),
                    endpoint: c.sms_tencent_endpoint.clone(),
                    region: c.sms_tencent_region.clone(),
                    secret_id: required(&c.sms_tencent_secret_id, "sms_tencent_secret_id")?,
                    secret_key: required(&c.sms_tencent_secret_key, "sms_tencent_secret_key")?,
                    app_id: required(&c.sms_tencent_app_id, "sms_tencent_app_id")?,
                    sign_name: required(&c.sms_tencent_sign_name, "sms_tencent_sign_name")?,
                    templates,
                }))
            }
            Some("http") => Some(SmsGateway::Http(HttpSms {
                http: http.clone(),
                url: required(&c.sms_http_url, "sms_http_url")?,
                secret: required(&c.sms_http_secret, "sms_http_secret")?,
            })),
            Some(other) => return Err(format!("sms must be tencent, http or dev, not {other}")),
        };
        let mail = match c.mail.as_deref().or(c.demo.then_some("dev")) {
            None => None,
            Some("dev") => Some(Mailer::Dev(outbox)),
            Some("smtp") => {
                let tls = SmtpTls::parse(&c.smtp_tls).ok_or("smtp_tls must be starttls, tls or none")?;
                let credentials = c.smtp_username.clone().zip(c.smtp_password.clone());
                let host = required(&c.smtp_host, "smtp_host")?;
                Some(Mailer::Smtp(Box::new(Smtp::new(&host, c.smtp_port, tls, credentials, &c.mail_from)?)))
            }
            Some(other) => return Err(format!("mail must be smtp or dev, not {other}")),
        };
        let combine = Duration::seconds(c.notice_combine_seconds.into());
        let base_url = c.public_url.clone().or_else(|| Some(format!("http://{}", c.listen)));
        Ok(Self { sms, mail, combine, base_url })
    }
}

#[cfg(test)]
mod tests {
    use super::Message;

    #[test]
    fn a_combined_notice_names_a_few_earlier_changes_and_counts_many() {
        let notice = |earlier: Vec<String>| Message::CaseChanged {
            title: "办件 1 办结：已办结".into(),
            body: "已办结，等待送达。".into(),
            earlier,
            link: Some("https://tongban.example.cn/cases/1".into()),
        };
        let few = notice(vec!["办件 1 受理：办理中".into()]);
        assert_eq!(
            few.text(),
            "【通办】办件 1 办结：已办结（此前：办件 1 受理：办理中）。详情：https://tongban.example.cn/cases/1"
        );
        let many = notice((0..5).map(|i| format!("变化 {i}")).collect());
        assert!(many.text().contains("此前另有 5 项进展"), "{}", many.text());
        let (_, body) = many.email().unwrap();
        assert!(body.contains("变化 0") && body.contains("变化 4"), "the e-mail lists them all: {body}");
    }
}
