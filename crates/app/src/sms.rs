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

/// The development channel: the log (phone masked) and an in-memory inbox.
#[derive(Default)]
pub struct LogChannel {
    inbox: Mutex<Vec<Sms>>,
}

impl LogChannel {
    /// The messages sent so far, oldest first.
    pub fn inbox(&self) -> Vec<Sms> {
        self.inbox.lock().map(|i| i.clone()).unwrap_or_default()
    }
}

impl SmsChannel for LogChannel {
    fn send(&self, phone: &str, text: &str) -> Result<(), String> {
        tracing::info!(to = %mask_phone(phone), text, "SMS (development channel)");
        let mut inbox = self.inbox.lock().map_err(|_| "SMS inbox poisoned".to_owned())?;
        // A development inbox, not a store: keep the latest thousand.
        if inbox.len() >= 1000 {
            inbox.remove(0);
        }
        inbox.push(Sms { phone: phone.to_owned(), text: text.to_owned() });
        Ok(())
    }
}
