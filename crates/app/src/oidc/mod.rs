//! The OpenID Connect provider, for department systems that trust the platform's logins
//! (一次认证、全网通办): client registration, the discovery document, the JWKS, the
//! authorization-code flow with PKCE and consent (the request sealed between the screen and the
//! answer), refresh tokens for the clients registered for them — rotated, in families revoked
//! whole on reuse —, userinfo, RP-initiated logout, and the client-credentials grant for machine
//! clients (EdDSA-signed tokens).

use crate::access::Principal;
use crate::{App, AppError};
use chrono::{Duration, Utc};
use serde::Serialize;
use tongban_crypto::jws::TokenSigner;
use tongban_domain::identity::Assurance;
use tongban_store::oidc::{ClientRow, RefreshTake};

mod authorize;
pub use authorize::*;

/// How long an access token lives.
const ACCESS_TOKEN_SECS: i64 = 600;

/// Grant types a client may be registered for.
pub const GRANT_TYPES: [&str; 3] = ["authorization_code", "refresh_token", "client_credentials"];

fn signer(app: &App) -> Result<TokenSigner, AppError> {
    app.vault.ring().token_signer().ok_or_else(|| AppError::internal("the key ring has no token key"))
}

/// A registered client, with its secret — shown once, at registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewClient {
    pub client_id: String,
    pub client_secret: String,
}

fn secret_hash(app: &App, client_id: &str, secret: &str) -> String {
    app.vault.blind_index("oidc.client_secret", &format!("{client_id}:{secret}"))
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
    let client_id = format!("c_{}", &tongban_crypto::token().map_err(AppError::internal)?[..20]);
    let client_secret = tongban_crypto::token().map_err(AppError::internal)?;
    app.store
        .insert_oidc_client(ClientRow {
            secret_hash: secret_hash(app, &client_id, &client_secret),
            client_id: client_id.clone(),
            name: name.trim().to_owned(),
            redirect_uris: redirect_uris.join(" "),
            grant_types: grant_types.join(" "),
            subject_type: if pairwise { "pairwise" } else { "public" }.to_owned(),
            created_at: Utc::now(),
            agency_code: None,
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
        "acr_values_supported": ["L1", "L2", "L3", "L4"],
        "scopes_supported": SCOPES,
        "claims_supported": ["sub", "name", "acr", "subject_type", "masked_id", "division", "phone_number",
            "phone_number_verified"],
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
    let client = client(app, client_id, client_secret).await?;
    if !allows(&client, "client_credentials") {
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
        "jti": tongban_crypto::token().map_err(|e| Err(AppError::internal(e)))?,
        "scope": scope.unwrap_or(""),
    });
    let access_token = signer(app).map_err(Err)?.sign(&claims);
    Ok(TokenResponse { access_token, token_type: "Bearer", expires_in: ACCESS_TOKEN_SECS })
}

/// How long an authorization code and a refresh token live.
const CODE_SECS: i64 = 120;
const REFRESH_DAYS: i64 = 30;

/// The scopes a client may ask for.
pub const SCOPES: [&str; 3] = ["openid", "profile", "phone"];

/// The claims a client may ask for, by scope, as the consent screen names them.
pub const CLAIMS: [(&str, &str); 6] = [
    ("sub", "openid"),
    ("acr", "openid"),
    ("subject_type", "openid"),
    ("name", "profile"),
    ("masked_id", "profile"),
    ("phone_number", "phone"),
];

fn digest(app: &App, what: &str, secret: &str) -> String {
    app.vault.blind_index(what, secret)
}

/// Whether the client is registered for `grant`.
fn allows(client: &ClientRow, grant: &str) -> bool {
    client.grant_types.split(' ').any(|g| g == grant)
}

/// Whether `uri` is one of the client's registered redirect URIs (compared exactly).
fn redirects_to(client: &ClientRow, uri: &str) -> bool {
    client.redirect_uris.split(' ').any(|u| u == uri)
}

/// The client authenticated by its secret; an OAuth error otherwise. Secrets are compared as
/// keyed digests: the comparison time says nothing about the secret.
async fn client(app: &App, client_id: &str, secret: &str) -> Result<ClientRow, Result<TokenError, AppError>> {
    let invalid = TokenError { error: "invalid_client", description: "unknown client or wrong secret" };
    let client = app.store.oidc_client(client_id).await.map_err(|e| Err(e.into()))?.ok_or(Ok(invalid.clone()))?;
    if secret_hash(app, client_id, secret) != client.secret_hash {
        return Err(Ok(invalid));
    }
    Ok(client)
}

/// The subject identifier a client sees: the person's id, or (pairwise) one of its own.
fn subject(app: &App, client: &ClientRow, person_id: &str) -> String {
    if client.subject_type == "pairwise" {
        digest(app, "oidc.pairwise", &format!("{}:{person_id}", client.client_id))[..32].to_owned()
    } else {
        person_id.to_owned()
    }
}

/// The claims about a person for a client: assurance level as `acr`, the masked id number, the
/// division of the id number's address code, the name with the `profile` scope — and when the
/// login was made acting for an organization (still allowed now), `subject_type: organization`
/// with the organization and the person's role and scopes for it.
async fn person_claims(
    app: &App,
    client: &ClientRow,
    person_id: &str,
    scope: &str,
    acting_for: Option<&str>,
) -> Result<serde_json::Value, AppError> {
    let p = app.store.person(person_id).await?.ok_or(AppError::Unauthenticated)?;
    let citizen = crate::people::citizen_id_of(app, &p)?;
    let mut claims = serde_json::json!({
        "sub": subject(app, client, person_id),
        "acr": p.assurance,
        "subject_type": "person",
        "division": &citizen[..6],
    });
    if scope.split_whitespace().any(|s| s == "phone") {
        claims["phone_number"] = format!("+86{}", crate::people::phone_of(app, &p)?).into();
        // Verified by a code sent to it: level 3 and above.
        claims["phone_number_verified"] = (Assurance::parse(&p.assurance) >= Some(Assurance::L3)).into();
    }
    if scope.split_whitespace().any(|s| s == "profile") {
        claims["name"] = p.name.into();
        claims["masked_id"] = tongban_domain::mask::mask_citizen_id(&citizen).into();
    }
    let acting = match acting_for {
        Some(code) => crate::access::acting(app, person_id, code).await?,
        None => None,
    };
    if let Some(a) = acting {
        claims["subject_type"] = "organization".into();
        claims["organization"] = serde_json::json!({
            "credit_code": a.credit_code,
            "name": a.name,
            "role": if a.legal_rep { "legal_representative" } else { "agent" },
            "scopes": a.scopes,
        });
    }
    Ok(claims)
}

/// The token response of the code and refresh grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserTokens {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    /// Only to clients registered for the `refresh_token` grant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub id_token: String,
    pub scope: String,
}

/// What a grant is about: the person, the scope agreed, the organization acted for, and (for a
/// refresh) the family its tokens continue.
struct Grant<'a> {
    person_id: &'a str,
    scope: &'a str,
    acting_for: Option<&'a str>,
    family: Option<&'a str>,
}

async fn user_tokens(
    app: &App,
    issuer: &str,
    client: &ClientRow,
    g: Grant<'_>,
    nonce: Option<&str>,
) -> Result<UserTokens, AppError> {
    let Grant { person_id, scope, acting_for, family } = g;
    let now = Utc::now();
    let exp = (now + Duration::seconds(ACCESS_TOKEN_SECS)).timestamp();
    let signer = signer(app)?;
    let mut id = person_claims(app, client, person_id, scope, acting_for).await?;
    id["iss"] = issuer.into();
    id["aud"] = client.client_id.clone().into();
    id["iat"] = now.timestamp().into();
    id["exp"] = exp.into();
    if let Some(n) = nonce {
        id["nonce"] = n.into();
    }
    let access = serde_json::json!({
        "iss": issuer,
        "sub": id["sub"],
        "aud": client.client_id,
        "client_id": client.client_id,
        "scope": scope,
        "iat": now.timestamp(),
        "exp": exp,
        "jti": tongban_crypto::token().map_err(AppError::internal)?,
        // The person, sealed: userinfo finds them without the client learning a platform id.
        "pid": app.vault.seal("oidc.pid", person_id).map_err(AppError::internal)?,
        "org": acting_for,
    });
    let refresh = if allows(client, "refresh_token") {
        let refresh = tongban_crypto::token().map_err(AppError::internal)?;
        let token_hash = digest(app, "oidc.refresh", &refresh);
        app.store
            .insert_refresh_token(tongban_store::oidc::RefreshRow {
                family: family.map_or_else(|| token_hash.clone(), str::to_owned),
                token_hash,
                client_id: client.client_id.clone(),
                person_id: person_id.to_owned(),
                scope: scope.to_owned(),
                expires_at: now + Duration::days(REFRESH_DAYS),
                revoked_at: None,
                used_at: None,
                acting_for: acting_for.map(str::to_owned),
            })
            .await?;
        Some(refresh)
    } else {
        None
    };
    Ok(UserTokens {
        access_token: signer.sign(&access),
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_SECS,
        refresh_token: refresh,
        id_token: signer.sign(&id),
        scope: scope.to_owned(),
    })
}

/// The authorization-code grant: the code (once), the same redirect URI, the PKCE verifier.
pub async fn exchange_code(
    app: &App,
    issuer: &str,
    (client_id, secret): (&str, &str),
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<UserTokens, Result<TokenError, AppError>> {
    let client = client(app, client_id, secret).await?;
    let grant =
        TokenError { error: "invalid_grant", description: "the code is unknown, used, expired or not this client's" };
    let taken =
        app.store.take_oidc_code(&digest(app, "oidc.code", code), Utc::now()).await.map_err(|e| Err(e.into()))?;
    let Some(c) = taken.filter(|c| c.client_id == client.client_id && c.redirect_uri == redirect_uri) else {
        return Err(Ok(grant));
    };
    if tongban_crypto::pkce_s256(verifier) != c.code_challenge {
        return Err(Ok(TokenError { error: "invalid_grant", description: "the PKCE verifier does not match" }));
    }
    let grant = Grant { person_id: &c.person_id, scope: &c.scope, acting_for: c.acting_for.as_deref(), family: None };
    user_tokens(app, issuer, &client, grant, c.nonce.as_deref()).await.map_err(Err)
}

/// The refresh grant, for clients registered for it: a refresh token is used once and replaced by
/// one of the same family; a token presented again revokes its family.
pub async fn refresh(
    app: &App,
    issuer: &str,
    (client_id, secret): (&str, &str),
    token: &str,
) -> Result<UserTokens, Result<TokenError, AppError>> {
    let client = client(app, client_id, secret).await?;
    if !allows(&client, "refresh_token") {
        return Err(Ok(TokenError {
            error: "unauthorized_client",
            description: "the client is not registered for refresh_token",
        }));
    }
    let dead = TokenError { error: "invalid_grant", description: "the refresh token is unknown, used or expired" };
    let taken = app
        .store
        .take_refresh_token(&digest(app, "oidc.refresh", token), Utc::now())
        .await
        .map_err(|e| Err(e.into()))?;
    let r = match taken {
        RefreshTake::Taken(r) if r.client_id == client.client_id => r,
        RefreshTake::Replayed(r) => {
            tracing::warn!(client = %r.client_id, person = %r.person_id, "a used refresh token came back: its family is revoked");
            return Err(Ok(dead));
        }
        _ => return Err(Ok(dead)),
    };
    let grant = Grant {
        person_id: &r.person_id,
        scope: &r.scope,
        acting_for: r.acting_for.as_deref(),
        family: Some(&r.family),
    };
    user_tokens(app, issuer, &client, grant, None).await.map_err(Err)
}

/// The machine client a valid client-credentials access token of ours was issued to (its
/// subject is itself, never a person), and when the token expires (Unix seconds);
/// `Unauthenticated` otherwise. Checks the token only: the caller reads the client.
pub fn machine_client(app: &App, access_token: &str) -> Result<(String, i64), AppError> {
    let claims = tongban_crypto::jws::verify(access_token, &signer(app)?.jwk()).ok_or(AppError::Unauthenticated)?;
    let expires = claims["exp"].as_i64().ok_or(AppError::Unauthenticated)?;
    if expires <= Utc::now().timestamp() || claims.get("pid").is_some() {
        return Err(AppError::Unauthenticated);
    }
    let client_id = claims["client_id"].as_str().ok_or(AppError::Unauthenticated)?;
    if claims["sub"].as_str() != Some(client_id) {
        return Err(AppError::Unauthenticated);
    }
    Ok((client_id.to_owned(), expires))
}

/// The userinfo endpoint: the claims for a valid access token of ours.
pub async fn userinfo(app: &App, access_token: &str) -> Result<serde_json::Value, AppError> {
    let claims = tongban_crypto::jws::verify(access_token, &signer(app)?.jwk()).ok_or(AppError::Unauthenticated)?;
    if claims["exp"].as_i64().is_none_or(|e| e <= Utc::now().timestamp()) {
        return Err(AppError::Unauthenticated);
    }
    let client_id = claims["client_id"].as_str().ok_or(AppError::Unauthenticated)?;
    let client = app.store.oidc_client(client_id).await?.ok_or(AppError::Unauthenticated)?;
    let sealed = claims["pid"].as_str().ok_or(AppError::Unauthenticated)?;
    let person_id = app.vault.open("oidc.pid", sealed).map_err(|_| AppError::Unauthenticated)?;
    let scope = claims["scope"].as_str().unwrap_or("");
    person_claims(app, &client, &person_id, scope, claims["org"].as_str()).await
}

/// Whether `hint` (an `id_token_hint`) is an ID token this platform issued to `who` — its
/// signature ours, its subject the person's for its audience. Expired is fine (logout is
/// often asked long after login).
pub async fn hint_names(app: &App, who: &Principal, hint: &str) -> Result<bool, AppError> {
    let Some(claims) = tongban_crypto::jws::verify(hint, &signer(app)?.jwk()) else { return Ok(false) };
    let (Some(aud), Some(sub)) = (claims["aud"].as_str(), claims["sub"].as_str()) else { return Ok(false) };
    let Some(client) = app.store.oidc_client(aud).await? else { return Ok(false) };
    Ok(subject(app, &client, &who.person_id) == sub)
}

/// RP-initiated logout: the person's refresh tokens for the client end; the answer is where to
/// send the browser — the client's `post_logout_redirect_uri` only if it is one of its registered
/// redirect URIs, else the portal's home.
pub async fn end_session(
    app: &App,
    who: Option<&Principal>,
    client_id: Option<&str>,
    post_logout_redirect_uri: Option<&str>,
) -> Result<String, AppError> {
    let client = match client_id {
        Some(id) => app.store.oidc_client(id).await?,
        None => None,
    };
    if let (Some(who), Some(c)) = (who, &client) {
        app.store.revoke_refresh_tokens(&who.person_id, &c.client_id, Utc::now()).await?;
    }
    Ok(match (client, post_logout_redirect_uri) {
        (Some(c), Some(uri)) if redirects_to(&c, uri) => uri.to_owned(),
        _ => "/".to_owned(),
    })
}
