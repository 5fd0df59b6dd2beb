//! The OpenID Connect provider so far: discovery, the JWKS, and the client-credentials grant with
//! both client authentication methods; tokens verify with the published key; RFC 6749 errors.

mod common;

use base64::Engine as _;
use common::server;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn a_machine_client_gets_a_token_that_verifies_with_the_published_key() {
    let s = server().await;
    let grants = vec!["client_credentials".to_owned()];
    let client = tongban_app::oidc::add_client(&s.app, "不动产登记系统", &[], &grants, false).await.unwrap();
    let coder = tongban_app::oidc::add_client(
        &s.app,
        "code-only",
        &["https://rp.example.gov.cn/cb".to_owned()],
        &["authorization_code".to_owned()],
        true,
    )
    .await
    .unwrap();
    let bad =
        tongban_app::oidc::add_client(&s.app, "x", &["http://evil.example/cb".into()], &["password".into()], false)
            .await;
    assert!(matches!(bad, Err(tongban_app::AppError::Validation { ref fields }) if fields.len() == 3), "{bad:?}");

    let (status, discovery) = s.json("/.well-known/openid-configuration").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(discovery["issuer"], s.base.as_str());
    assert_eq!(discovery["token_endpoint"], format!("{}/oauth/token", s.base));
    let (_, jwks) = s.json("/oauth/jwks").await;
    let jwk = jwks["keys"][0].clone();
    assert_eq!((jwk["kty"].as_str(), jwk["crv"].as_str()), (Some("OKP"), Some("Ed25519")));

    let token = |form: Vec<(&str, String)>, basic: Option<(&str, &str)>| {
        let mut req =
            s.http.post(format!("{}/oauth/token", s.base)).header("content-type", "application/x-www-form-urlencoded");
        if let Some((id, secret)) = basic {
            let b = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
            req = req.header("authorization", format!("Basic {b}"));
        }
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        async move {
            let res = req.body(body).send().await.unwrap();
            let cache = res.headers().get("cache-control").map(|v| v.to_str().unwrap().to_owned());
            (res.status(), cache, res.json::<Value>().await.unwrap())
        }
    };
    let grant = |extra: &[(&'static str, &str)]| {
        let mut f = vec![("grant_type", "client_credentials".to_owned())];
        f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        f
    };

    // client_secret_post and client_secret_basic.
    let (status, cache, body) = token(
        grant(&[("client_id", &client.client_id), ("client_secret", &client.client_secret), ("scope", "cases")]),
        None,
    )
    .await;
    assert_eq!((status, cache.as_deref()), (StatusCode::OK, Some("no-store")), "{body}");
    assert_eq!((body["token_type"].as_str(), body["expires_in"].as_i64()), (Some("Bearer"), Some(600)));
    let claims = tongban_crypto::jws::verify(body["access_token"].as_str().unwrap(), &jwk).expect("signature holds");
    assert_eq!(
        (claims["sub"].as_str(), claims["iss"].as_str()),
        (Some(client.client_id.as_str()), Some(s.base.as_str()))
    );
    assert_eq!(claims["scope"], "cases");
    let (status, _, _) = token(grant(&[]), Some((&client.client_id, &client.client_secret))).await;
    assert_eq!(status, StatusCode::OK);

    // RFC 6749 errors.
    let (status, _, body) = token(grant(&[("client_id", &client.client_id), ("client_secret", "wrong")]), None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    let (status, _, body) = token(grant(&[("client_id", "c_nobody"), ("client_secret", "x")]), None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    let (status, _, body) = token(grant(&[]), None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    let (status, _, body) =
        token(grant(&[("client_id", &coder.client_id), ("client_secret", &coder.client_secret)]), None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unauthorized_client")));
    let (status, _, body) = token(vec![("grant_type", "password".into())], None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unsupported_grant_type")));
}
