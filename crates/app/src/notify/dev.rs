//! The development outbox: what would be sent, appended to a file (`DATA_DIR/dev-outbox.txt`
//! under `serve --demo`) and kept in a bounded in-memory inbox that tests read — never written
//! to the log, which sees only that a message went to the outbox.

use super::{Message, SendError};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use tongban_domain::mask::mask_phone;

/// A text message as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    pub phone: String,
    pub kind: &'static str,
    pub text: String,
}

/// An e-mail as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The latest thousand of each.
#[derive(Default)]
pub struct DevOutbox {
    file: Option<PathBuf>,
    sms: Mutex<Vec<Sms>>,
    mail: Mutex<Vec<Mail>>,
}

const KEPT: usize = 1000;

fn keep<T>(items: &Mutex<Vec<T>>, item: T) -> Result<(), SendError> {
    let mut items = items.lock().map_err(|_| SendError::transient("development outbox poisoned"))?;
    if items.len() >= KEPT {
        items.remove(0);
    }
    items.push(item);
    Ok(())
}

impl DevOutbox {
    /// An outbox that also appends every message to `file`.
    pub fn to_file(file: PathBuf) -> Self {
        Self { file: Some(file), ..Self::default() }
    }

    pub fn file(&self) -> Option<&PathBuf> {
        self.file.as_ref()
    }

    /// The text messages sent so far, oldest first.
    pub fn sms(&self) -> Vec<Sms> {
        self.sms.lock().map(|i| i.clone()).unwrap_or_default()
    }

    /// The e-mails sent so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        self.mail.lock().map(|i| i.clone()).unwrap_or_default()
    }

    fn append(&self, line: &str) -> Result<(), SendError> {
        let Some(path) = &self.file else { return Ok(()) };
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| SendError::transient(format!("{}: {e}", path.display())))?;
        writeln!(f, "{} {line}", chrono::Utc::now().format("%Y-%m-%d %H:%M:%S"))
            .map_err(|e| SendError::transient(format!("{}: {e}", path.display())))
    }

    pub(super) fn text(&self, phone: &str, m: &Message) -> Result<String, SendError> {
        self.append(&format!("短信 (SMS) to {phone}: {}", m.text()))?;
        tracing::info!(to = %mask_phone(phone), kind = m.kind(), "text message put in the development outbox");
        keep(&self.sms, Sms { phone: phone.to_owned(), kind: m.kind(), text: m.text() })?;
        Ok("dev".into())
    }

    pub(super) fn mail(&self, to: &str, subject: &str, body: &str) -> Result<String, SendError> {
        self.append(&format!("邮件 (e-mail) to {to}: {subject}"))?;
        tracing::info!("e-mail put in the development outbox");
        keep(&self.mail, Mail { to: to.to_owned(), subject: subject.to_owned(), body: body.to_owned() })?;
        Ok("dev".into())
    }
}
