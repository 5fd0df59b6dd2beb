//! E-mail through an SMTP relay (lettre): STARTTLS on the submission port by default, implicit
//! TLS, or — to a relay on this machine only — plain; with authentication when configured.

use super::SendError;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    StartTls,
    Tls,
    /// No encryption: only to a relay on this machine.
    None,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "starttls" => Some(Self::StartTls),
            "tls" => Some(Self::Tls),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl Smtp {
    pub fn new(
        host: &str,
        port: u16,
        tls: SmtpTls,
        credentials: Option<(String, String)>,
        from: &str,
    ) -> Result<Self, String> {
        let loopback = matches!(host, "localhost" | "127.0.0.1" | "::1");
        let mut builder = match tls {
            SmtpTls::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(|e| e.to_string())?
            }
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| e.to_string())?,
            SmtpTls::None if loopback => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::None => return Err(format!("smtp_tls = none is only for a relay on this machine, not {host}")),
        };
        builder = builder.port(port).timeout(Some(std::time::Duration::from_secs(15)));
        if let Some((user, password)) = credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        let from = from.parse().map_err(|e| format!("mail_from {from}: {e}"))?;
        Ok(Self { transport: builder.build(), from })
    }

    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<String, SendError> {
        let to = to.parse().map_err(|e| SendError::permanent(format!("address {to}: {e}")))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| SendError::permanent(e.to_string()))?;
        match self.transport.send(email).await {
            Ok(answer) => Ok(answer.message().collect::<Vec<_>>().join(" ")),
            Err(e) if e.is_permanent() => Err(SendError::permanent(format!("SMTP: {e}"))),
            Err(e) => Err(SendError::transient(format!("SMTP: {e}"))),
        }
    }
}
