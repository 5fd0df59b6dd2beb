//! The OpenID Connect provider, for department systems that trust the platform's logins
//! (一次认证、全网通办). Built so far: client registration, the discovery document, the JWKS,
//! and the client-credentials grant for machine clients (EdDSA-signed access tokens). The
//! authorization-code flow with PKCE, refresh tokens, userinfo and logout come next.

use crate::{App, AppError};
use chrono::{Duration, Utc};
use serde::Serialize;
use tongban_crypto::jws::TokenSigner;
use tongban_store::oidc::ClientRow;

/// How long an access token lives.
const ACCESS_TOKEN_SECS: i64 = 600;

/// Grant types a client may be registered for.
pub const GRANT_TYPES: [&str; 3] = ["authorization_code", "refresh_token", "client_credentials"];

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

fn signer(app: &App) -> Result<TokenSigner, AppError> {
    app.identity.vault().ring().token_signer().ok_or_else(|| internal("the key ring has no token key"))
}

/// A registered client, with its secret — shown once, at registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewClient {
    pub client_id: String,
    pub client_secret: String,
}

fn secret_hash(app: &App, client_id: &str, secret: &str) -> String {
    app.identity.vault().blind_index("oidc.client_secret", &format!("{client_id}:{secret}"))
}

/// Registers a client (`tongban oidc add-client`).
pub async fn add_client(
    app: &App,
    name: &str,
    redirect_uris: &[String],
    grant_types: &[String],
    pairwise: bool,
) -> Result<NewClient, AppError> {
    let mut fields = std::collections::BTreeMap::new();
    if name.trim().chars().count() < 2 {
        fields.insert("name".to_owned(), "名称至少 2 个字符 (at least 2 characters)".to_owned());
    }
    if let Some(bad) = grant_types.iter().find(|g| !GRANT_TYPES.contains(&g.as_str())) {
        fields.insert("grant_types".to_owned(), format!("不支持的授权类型 (unsupported grant type) {bad}"));
    }
    if let Some(bad) = redirect_uris.iter().find(|u| {
        !(u.starts_with("https://") || u.starts_with("http://127.0.0.1") || u.starts_with("http://localhost"))
    }) {
        fields.insert(
            "redirect_uris".to_owned(),
            format!("回调地址须为 https，或本机 http (https, or http on this machine): {bad}"),
        );
    }
    if grant_types.iter().any(|g| g == "authorization_code") && redirect_uris.is_empty() {
        fields.insert(
            "redirect_uris".to_owned(),
            "授权码模式需要回调地址 (the code flow needs a redirect URI)".to_owned(),
        );
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    let client_id = format!("c_{}", &tongban_crypto::token().map_err(internal)?[..20]);
    let client_secret = tongban_crypto::token().map_err(internal)?;
    app.store
        .insert_oidc_client(ClientRow {
            secret_hash: secret_hash(app, &client_id, &client_secret),
            client_id: client_id.clone(),
            name: name.trim().to_owned(),
            redirect_uris: redirect_uris.join(" "),
            grant_types: grant_types.join(" "),
            subject_type: if pairwise { "pairwise" } else { "public" }.to_owned(),
            created_at: Utc::now(),
        })
        .await?;
    tracing::info!(client = %client_id, name = %name.trim(), "OpenID Connect client registered");
    Ok(NewClient { client_id, client_secret })
}

/// The discovery document (`/.well-known/openid-configuration`) for `issuer`.
pub fn discovery(issuer: &str) -> serde_json::Value {
    serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/oauth/authorize"),
        "token_endpoint": format!("{issuer}/oauth/token"),
        "userinfo_endpoint": format!("{issuer}/oauth/userinfo"),
        "jwks_uri": format!("{issuer}/oauth/jwks"),
        "end_session_endpoint": format!("{issuer}/oauth/logout"),
        "response_types_supported": ["code"],
        "grant_types_supported": GRANT_TYPES,
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["EdDSA"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "phone"],
        "claims_supported": ["sub", "name", "acr", "subject_type", "masked_id", "division"],
    })
}

/// The JSON Web Key Set relying parties verify tokens with.
pub fn jwks(app: &App) -> Result<serde_json::Value, AppError> {
    Ok(serde_json::json!({ "keys": [signer(app)?.jwk()] }))
}

/// An OAuth 2.0 token error (RFC 6749 §5.2): the `error` code and a description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError {
    pub error: &'static str,
    pub description: &'static str,
}

/// The token response of a grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
}

/// The client-credentials grant: a machine client proves its secret and gets an access token
/// about itself (`sub` = its client id).
pub async fn client_credentials(
    app: &App,
    issuer: &str,
    client_id: &str,
    client_secret: &str,
    scope: Option<&str>,
) -> Result<TokenResponse, Result<TokenError, AppError>> {
    let invalid = TokenError { error: "invalid_client", description: "unknown client or wrong secret" };
    let client = app.store.oidc_client(client_id).await.map_err(|e| Err(e.into()))?.ok_or(Ok(invalid.clone()))?;
    // Compared as keyed digests: the comparison time says nothing about the secret.
    if secret_hash(app, client_id, client_secret) != client.secret_hash {
        return Err(Ok(invalid));
    }
    if !client.grant_types.split(' ').any(|g| g == "client_credentials") {
        return Err(Ok(TokenError {
            error: "unauthorized_client",
            description: "the client is not registered for client_credentials",
        }));
    }
    let now = Utc::now();
    let claims = serde_json::json!({
        "iss": issuer,
        "sub": client_id,
        "aud": client_id,
        "client_id": client_id,
        "iat": now.timestamp(),
        "exp": (now + Duration::seconds(ACCESS_TOKEN_SECS)).timestamp(),
        "jti": tongban_crypto::token().map_err(|e| Err(internal(e)))?,
        "scope": scope.unwrap_or(""),
    });
    let access_token = signer(app).map_err(Err)?.sign(&claims);
    Ok(TokenResponse { access_token, token_type: "Bearer", expires_in: ACCESS_TOKEN_SECS })
}
