//! Text messages (短信) to phones, behind a pluggable channel. The development channel writes
//! each message to the log and keeps it in an inbox that tests read; a real SMS gateway is
//! another implementation of `SmsChannel`.

use std::sync::Mutex;
use tongban_domain::mask::mask_phone;

pub trait SmsChannel: Send + Sync {
    fn send(&self, phone: &str, text: &str) -> Result<(), String>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    pub phone: String,
    pub text: String,
}

/// What a development channel keeps of what it sent, for tests and demos to read: a bounded
/// inbox, not a store (the latest thousand).
pub struct Inbox<T> {
    items: Mutex<Vec<T>>,
}

impl<T> Default for Inbox<T> {
    fn default() -> Self {
        Self { items: Mutex::new(Vec::new()) }
    }
}

impl<T: Clone> Inbox<T> {
    pub fn push(&self, item: T) -> Result<(), String> {
        let mut items = self.items.lock().map_err(|_| "development inbox poisoned".to_owned())?;
        if items.len() >= 1000 {
            items.remove(0);
        }
        items.push(item);
        Ok(())
    }

    /// Everything kept, oldest first.
    pub fn all(&self) -> Vec<T> {
        self.items.lock().map(|i| i.clone()).unwrap_or_default()
    }
}

/// The development channel: the log (phone masked) and an in-memory inbox.
#[derive(Default)]
pub struct LogChannel {
    inbox: Inbox<Sms>,
}

impl LogChannel {
    /// The messages sent so far, oldest first.
    pub fn inbox(&self) -> Vec<Sms> {
        self.inbox.all()
    }
}

impl SmsChannel for LogChannel {
    fn send(&self, phone: &str, text: &str) -> Result<(), String> {
        tracing::info!(to = %mask_phone(phone), text, "SMS (development channel)");
        self.inbox.push(Sms { phone: phone.to_owned(), text: text.to_owned() })
    }
}
