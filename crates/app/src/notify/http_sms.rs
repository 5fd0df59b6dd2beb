//! A text-message gateway of one's own (an operator's, a province's unified messaging platform):
//! a JSON post `{"phone", "kind", "template_params", "text"}` signed like the platform's webhooks —
//! `x-tongban-timestamp` and `x-tongban-signature: hmac-sm3=…` of `TIMESTAMP.BODY` under the
//! shared secret. Any 2xx is taken; its `{"id"}`, if any, is the receipt.

use super::{Message, SendError};
use serde_json::json;

pub struct HttpSms {
    pub http: reqwest::Client,
    pub url: String,
    pub secret: String,
}

impl HttpSms {
    pub async fn send(&self, phone: &str, m: &Message) -> Result<String, SendError> {
        let body = json!({"phone": phone, "kind": m.kind(), "template_params": m.template_params(), "text": m.text()})
            .to_string();
        let timestamp = chrono::Utc::now().timestamp();
        let signature = crate::outbound::signature(&self.secret, timestamp, &body);
        let res = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header(crate::outbound::TIMESTAMP_HEADER, timestamp.to_string())
            .header(crate::outbound::SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::transient(format!("SMS gateway: {e}")))?;
        let status = res.status();
        if status.is_success() {
            let answer: serde_json::Value = res.json().await.unwrap_or_default();
            Ok(answer["id"].as_str().unwrap_or("accepted").to_owned())
        } else if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            Err(SendError::transient(format!("SMS gateway: HTTP {status}")))
        } else {
            Err(SendError::permanent(format!("SMS gateway: HTTP {status}")))
        }
    }
}
