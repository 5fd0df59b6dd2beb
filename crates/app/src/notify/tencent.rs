//! Tencent Cloud SMS (腾讯云短信), API 3.0 `SendSms` (version 2021-01-11): a JSON post signed
//! with TC3-HMAC-SHA256 as the provider specifies it ("签名方法 v3"): a canonical request,
//! hashed into the string to sign, signed with a key derived from the secret through the date,
//! the service and `tc3_request`. Each message kind goes out as the template configured for it.

use super::{Message, SendError};
use serde_json::{Value, json};

const SERVICE: &str = "sms";
const ACTION: &str = "SendSms";
const VERSION: &str = "2021-01-11";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// What a request is signed over.
pub struct Request<'a> {
    pub secret_id: &'a str,
    pub secret_key: &'a str,
    pub service: &'a str,
    pub host: &'a str,
    pub timestamp: i64,
    pub payload: &'a str,
}

/// The `Authorization` header of a POST of `payload` to `host`'s root, with the content type
/// and host as the signed headers.
pub fn authorization(r: &Request) -> String {
    let canonical = format!(
        "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{}\n\ncontent-type;host\n{}",
        r.host,
        tongban_crypto::sha256_hex(r.payload.as_bytes())
    );
    let date = chrono::DateTime::from_timestamp(r.timestamp, 0).unwrap_or_default().format("%Y-%m-%d").to_string();
    let scope = format!("{date}/{}/tc3_request", r.service);
    let to_sign =
        format!("TC3-HMAC-SHA256\n{}\n{scope}\n{}", r.timestamp, tongban_crypto::sha256_hex(canonical.as_bytes()));
    let secret_date = tongban_crypto::hmac_sha256(format!("TC3{}", r.secret_key).as_bytes(), date.as_bytes());
    let secret_service = tongban_crypto::hmac_sha256(&secret_date, r.service.as_bytes());
    let secret_signing = tongban_crypto::hmac_sha256(&secret_service, b"tc3_request");
    let signature = tongban_crypto::hex(&tongban_crypto::hmac_sha256(&secret_signing, to_sign.as_bytes()));
    format!(
        "TC3-HMAC-SHA256 Credential={}/{scope}, SignedHeaders=content-type;host, Signature={signature}",
        r.secret_id
    )
}

/// The gateway's settings.
pub struct TencentSms {
    pub http: reqwest::Client,
    /// `https://sms.tencentcloudapi.com` (or a regional host).
    pub endpoint: String,
    pub region: String,
    pub secret_id: String,
    pub secret_key: String,
    /// The SMS application (SdkAppId) and the approved signature (签名).
    pub app_id: String,
    pub sign_name: String,
    /// The approved template id of each message kind (`notify::KINDS`).
    pub templates: std::collections::BTreeMap<String, String>,
}

impl TencentSms {
    pub async fn send(&self, phone: &str, m: &Message) -> Result<String, SendError> {
        let template = self
            .templates
            .get(m.kind())
            .ok_or_else(|| SendError::permanent(format!("no template configured for {}", m.kind())))?;
        let payload = json!({
            "PhoneNumberSet": [format!("+86{phone}")],
            "SmsSdkAppId": self.app_id,
            "SignName": self.sign_name,
            "TemplateId": template,
            "TemplateParamSet": m.template_params(),
        })
        .to_string();
        let host = self.endpoint.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/');
        let timestamp = chrono::Utc::now().timestamp();
        let request = Request {
            secret_id: &self.secret_id,
            secret_key: &self.secret_key,
            service: SERVICE,
            host,
            timestamp,
            payload: &payload,
        };
        let sent = self
            .http
            .post(&self.endpoint)
            .header("authorization", authorization(&request))
            .header("content-type", CONTENT_TYPE)
            .header("host", host)
            .header("x-tc-action", ACTION)
            .header("x-tc-version", VERSION)
            .header("x-tc-timestamp", timestamp.to_string())
            .header("x-tc-region", &self.region)
            .body(payload)
            .send()
            .await
            .map_err(|e| SendError::transient(format!("Tencent SMS: {e}")))?;
        let status = sent.status();
        let answer: Value =
            sent.json().await.map_err(|e| SendError::transient(format!("Tencent SMS: HTTP {status}: {e}")))?;
        outcome(&answer)
    }
}

/// The receipt (the message's serial number), or why not — transient for the provider's internal
/// errors and rate limits, permanent otherwise (credentials, templates, the number).
pub fn outcome(answer: &Value) -> Result<String, SendError> {
    let classify = |code: &str, message: &str| {
        let text = format!("Tencent SMS {code}: {message}");
        if code.starts_with("InternalError") || code.contains("LimitExceeded") {
            SendError::transient(text)
        } else {
            SendError::permanent(text)
        }
    };
    let r = &answer["Response"];
    if let Some(e) = r.get("Error") {
        return Err(classify(e["Code"].as_str().unwrap_or("?"), e["Message"].as_str().unwrap_or("")));
    }
    let s = &r["SendStatusSet"][0];
    match s["Code"].as_str() {
        Some("Ok") => Ok(s["SerialNo"].as_str().unwrap_or_default().to_owned()),
        Some(code) => Err(classify(code, s["Message"].as_str().unwrap_or(""))),
        None => Err(SendError::transient(format!("Tencent SMS: unexpected answer {answer}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The provider's own worked example ("Signature Algorithm v3",
    /// https://intl.cloud.tencent.com/document/api/1021/34193): its keys, time and body, and the
    /// `Authorization` it publishes. The body is signed as bytes, `\u` escapes and all.
    #[test]
    fn the_signature_is_the_one_the_provider_publishes() {
        let request = Request {
            secret_id: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            secret_key: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            service: "cvm",
            host: "cvm.tencentcloudapi.com",
            timestamp: 1551113065,
            payload: r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#,
        };
        assert_eq!(
            authorization(&request),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
        let mut other = request;
        other.payload = r#"{"Limit": 2, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        assert!(!authorization(&other).ends_with("72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"));
    }

    #[test]
    fn answers_are_read_as_the_provider_writes_them() {
        let ok = json!({"Response": {"SendStatusSet": [{"SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": "+8613711112222", "Fee": 1, "SessionContext": "", "Code": "Ok", "Message": "send success", "IsoCode": "CN"}], "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279"}});
        assert_eq!(outcome(&ok).unwrap(), "5000:1045710669157053657849499619");
        let refused = json!({"Response": {"SendStatusSet": [{"SerialNo": "", "PhoneNumber": "+8613711112222", "Fee": 0, "Code": "InvalidParameterValue.IncorrectPhoneNumber", "Message": "incorrect phone number"}], "RequestId": "x"}});
        assert!(outcome(&refused).unwrap_err().permanent);
        let limited =
            json!({"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "too many"}, "RequestId": "x"}});
        assert!(!outcome(&limited).unwrap_err().permanent);
        let auth = json!({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"}, "RequestId": "x"}});
        assert!(outcome(&auth).unwrap_err().permanent);
    }
}
