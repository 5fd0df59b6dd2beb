//! The authorization endpoint: the request checked, the consent screen, the request sealed between
//! the screen and the person's answer, and the code (or the refusal) sent back to the client.

use super::*;

/// An authorization request, as the client sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub code_challenge_method: String,
    /// The assurance levels the client accepts (`acr_values`, e.g. `L3 L4`); the lowest listed is
    /// the level it requires.
    pub acr_values: Option<String>,
}

impl AuthorizeRequest {
    /// The level the client requires, if it named any it knows.
    pub fn required_level(&self) -> Option<Assurance> {
        self.acr_values.as_deref()?.split_whitespace().filter_map(Assurance::parse).min()
    }
}

/// Why an authorization request stops: shown on a page (the client or its redirect URI cannot be
/// trusted) or sent back to the client's redirect URI (RFC 6749 §4.1.2.1).
#[derive(Debug)]
pub enum AuthorizeError {
    Page(AppError),
    Redirect(String),
}

/// What the consent screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub client_name: String,
    pub scopes: Vec<String>,
    /// The level the client requires, when the person is below it: they must step up first.
    pub step_up: Option<Assurance>,
}

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let q = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    format!("{uri}{}{q}", if uri.contains('?') { '&' } else { '?' })
}

/// The client's redirect URI with an RFC 6749 error (and the state it sent).
fn error_uri(req: &AuthorizeRequest, error: &str) -> String {
    let mut pairs = vec![("error", error)];
    if let Some(state) = &req.state {
        pairs.push(("state", state));
    }
    with_query(&req.redirect_uri, &pairs)
}

fn redirect_error(req: &AuthorizeRequest, error: &str) -> AuthorizeError {
    AuthorizeError::Redirect(error_uri(req, error))
}

/// Checks an authorization request: the client, its exact redirect URI, `response_type=code`,
/// the `openid` scope and a PKCE S256 challenge (required of every client).
pub async fn check_authorize(app: &App, req: &AuthorizeRequest) -> Result<Consent, AuthorizeError> {
    let page = |m: &'static str| AuthorizeError::Page(AppError::field("client_id", m));
    let client = app.store.oidc_client(&req.client_id).await.map_err(|e| AuthorizeError::Page(e.into()))?;
    let Some(client) = client else { return Err(page("未注册的客户端 (unknown client)")) };
    if !redirects_to(&client, &req.redirect_uri) {
        return Err(page("回调地址未登记 (redirect_uri is not registered for this client)"));
    }
    if req.response_type != "code" {
        return Err(redirect_error(req, "unsupported_response_type"));
    }
    if !allows(&client, "authorization_code") {
        return Err(redirect_error(req, "unauthorized_client"));
    }
    let scopes: Vec<String> = req.scope.split_whitespace().map(str::to_owned).collect();
    if !scopes.iter().any(|s| s == "openid") || scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
        return Err(redirect_error(req, "invalid_scope"));
    }
    if req.code_challenge_method != "S256" || req.code_challenge.len() < 43 {
        return Err(redirect_error(req, "invalid_request"));
    }
    Ok(Consent { client_name: client.name, scopes, step_up: None })
}

/// The consent screen for a signed-in person: as `check_authorize`, and whether they must step
/// up to the level the client requires.
pub async fn consent(app: &App, who: &Principal, req: &AuthorizeRequest) -> Result<Consent, AuthorizeError> {
    let mut consent = check_authorize(app, req).await?;
    consent.step_up = req.required_level().filter(|need| who.assurance < *need);
    Ok(consent)
}

/// How long a consent screen may be answered.
const CONSENT_SECS: i64 = 600;

/// An authorization request between the consent screen and the person's answer: kept whole and
/// sealed (SM4-GCM, so it can be neither read nor changed), bound to the session that saw the
/// screen and to a deadline. The answer carries this and nothing else of the request, so no
/// parameter — `acr_values` least of all — can be dropped or changed on the way.
#[derive(Serialize, serde::Deserialize)]
struct PendingConsent {
    session: String,
    expires: i64,
    request: AuthorizeRequest,
}

const CONSENT_CONTEXT: &str = "oidc.consent";

/// The request sealed for the consent form.
pub fn seal_request(app: &App, who: &Principal, req: &AuthorizeRequest) -> Result<String, AppError> {
    let pending = PendingConsent {
        session: who.session_id.clone(),
        expires: (Utc::now() + Duration::seconds(CONSENT_SECS)).timestamp(),
        request: req.clone(),
    };
    let json = serde_json::to_string(&pending).map_err(AppError::internal)?;
    app.vault.seal(CONSENT_CONTEXT, &json).map_err(AppError::internal)
}

/// The request a consent form carries, if this session sealed it and it has not expired.
pub fn open_request(app: &App, who: &Principal, sealed: &str) -> Result<AuthorizeRequest, AppError> {
    let refused = || {
        AppError::field(
            "request",
            "授权请求已失效，请回到应用重新登录 (the authorization request has expired: sign in from the application again)",
        )
    };
    let json = app.vault.open(CONSENT_CONTEXT, sealed).map_err(|_| refused())?;
    let pending: PendingConsent = serde_json::from_str(&json).map_err(|_| refused())?;
    if pending.session != who.session_id || pending.expires <= Utc::now().timestamp() {
        return Err(refused());
    }
    Ok(pending.request)
}

/// The person agreed: a code for the client, sent back to its redirect URI.
pub async fn approve(app: &App, who: &Principal, req: &AuthorizeRequest) -> Result<String, AuthorizeError> {
    if consent(app, who, req).await?.step_up.is_some() {
        // Below the level the client requires: no code until the person steps up.
        return Err(AuthorizeError::Page(AppError::Forbidden));
    }
    let code = tongban_crypto::token().map_err(|e| AuthorizeError::Page(AppError::internal(e)))?;
    app.store
        .insert_oidc_code(tongban_store::oidc::CodeGrantRow {
            code_hash: digest(app, "oidc.code", &code),
            client_id: req.client_id.clone(),
            person_id: who.person_id.clone(),
            redirect_uri: req.redirect_uri.clone(),
            code_challenge: req.code_challenge.clone(),
            scope: req.scope.clone(),
            nonce: req.nonce.clone(),
            expires_at: Utc::now() + Duration::seconds(CODE_SECS),
            used: false,
            acting_for: who.acting.as_ref().map(|a| a.credit_code.clone()),
        })
        .await
        .map_err(|e| AuthorizeError::Page(e.into()))?;
    let mut pairs = vec![("code", code.as_str())];
    if let Some(state) = &req.state {
        pairs.push(("state", state));
    }
    Ok(with_query(&req.redirect_uri, &pairs))
}

/// The person said no.
pub fn deny(req: &AuthorizeRequest) -> String {
    error_uri(req, "access_denied")
}
