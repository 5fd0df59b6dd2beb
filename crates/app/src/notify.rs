//! Notifications of case changes (办件通知). The in-site message is written with the change
//! itself, always; after the commit the same words go out through every channel configured here —
//! a text message to the account's phone, an e-mail when the account has an address. A channel is
//! an implementation of `Channel`; a real SMS gateway or mail relay is one more. Sending happens
//! off the request: a slow gateway never delays an answer, and a failure is logged, not returned
//! (the change and its in-site message are already committed).

use crate::App;
use crate::people::{self, Contact};
use crate::sms::{Inbox, SmsChannel};
use std::sync::Arc;
use tongban_domain::mask::mask_phone;

pub trait Channel: Send + Sync {
    /// The channel's name in logs.
    fn name(&self) -> &'static str;
    /// Sends `title` and `body` to `to`; `Ok(false)` when the person has no address on this channel.
    fn notify(&self, to: &Contact, title: &str, body: &str) -> Result<bool, String>;
}

/// Text messages through the platform's SMS channel (the one that also sends login codes).
pub struct SmsNotices(pub Arc<dyn SmsChannel>);

impl Channel for SmsNotices {
    fn name(&self) -> &'static str {
        "sms"
    }

    fn notify(&self, to: &Contact, title: &str, _body: &str) -> Result<bool, String> {
        // A text message carries the title only: the details are behind the login.
        self.0.send(&to.phone, &format!("【通办】{title}。详情请登录通办查看。")).map(|()| true)
    }
}

/// One e-mail as the development mailbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The development e-mail channel: the log and an in-memory mailbox that tests read.
#[derive(Default)]
pub struct LogMailbox {
    sent: Inbox<Mail>,
}

impl LogMailbox {
    /// The mails sent so far, oldest first.
    pub fn sent(&self) -> Vec<Mail> {
        self.sent.all()
    }
}

impl Channel for LogMailbox {
    fn name(&self) -> &'static str {
        "email"
    }

    fn notify(&self, to: &Contact, title: &str, body: &str) -> Result<bool, String> {
        let Some(address) = &to.email else { return Ok(false) };
        tracing::info!(subject = title, "e-mail (development channel)");
        self.sent.push(Mail { to: address.clone(), subject: title.to_owned(), body: body.to_owned() })?;
        Ok(true)
    }
}

/// Tells `person_id` about a committed change through every channel, in the background (the
/// contact is read there too, off the request).
pub fn case_changed(app: &App, person_id: &str, title: String, body: String) {
    if app.channels.is_empty() {
        return;
    }
    let (app, person_id) = (app.clone(), person_id.to_owned());
    tokio::spawn(async move {
        let to = match people::contact(&app, &person_id).await {
            Ok(to) => to,
            Err(e) => return tracing::warn!(error = %e, "notification not sent: no contact"),
        };
        for c in &app.channels {
            if let Err(e) = c.notify(&to, &title, &body) {
                tracing::warn!(channel = c.name(), to = %mask_phone(&to.phone), error = %e, "notification not sent");
            }
        }
    });
}
