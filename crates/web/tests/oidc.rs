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

/// Opens the consent page of `path` (an authorization request) and answers it; where the
/// browser is sent.
async fn decide(s: &common::Server, b: &mut common::Browser, path: &str, decision: &str) -> String {
    let consent = b.get(s, path).await;
    assert_eq!(consent.status, StatusCode::OK, "{}", consent.body);
    assert!(consent.body.contains("身份认证等级") && consent.body.contains("姓名"), "the claims are listed");
    let mut fields: Vec<(String, String)> = hidden(&consent.body);
    fields.push(("decision".into(), decision.into()));
    let pairs: Vec<(&str, &str)> =
        fields.iter().filter(|(k, _)| k != "csrf").map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post(s, "/oauth/authorize", &pairs).await.location
}

/// The hidden fields of a form page.
fn hidden(body: &str) -> Vec<(String, String)> {
    body.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once("\" value=\"")?;
            let value = rest.split('"').next()?;
            Some((name.to_owned(), value.replace("&amp;", "&").replace("&#x2f;", "/").replace("&#47;", "/")))
        })
        .collect()
}

#[tokio::test]
async fn the_code_flow_with_pkce_consent_pairwise_subjects_and_logout() {
    let s = server().await;
    let redirect = "https://rp.example.gov.cn/cb".to_owned();
    let grants = vec!["authorization_code".to_owned(), "refresh_token".to_owned()];
    let public = tongban_app::oidc::add_client(&s.app, "公共系统", std::slice::from_ref(&redirect), &grants, false)
        .await
        .unwrap();
    let pairwise = tongban_app::oidc::add_client(&s.app, "专用系统", std::slice::from_ref(&redirect), &grants, true)
        .await
        .unwrap();
    let mut person = common::registered(&s, 1, "13812345678").await;
    let verifier = "a-code-verifier-of-enough-length-0123456789-abcdef";
    let challenge = tongban_crypto::pkce_s256(verifier);

    let authorize = |client_id: &str, uri: &str| {
        let q = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("client_id", client_id),
                ("redirect_uri", uri),
                ("response_type", "code"),
                ("scope", "openid profile"),
                ("state", "st-1"),
                ("nonce", "n-1"),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
            ])
            .finish();
        format!("/oauth/authorize?{q}")
    };
    // An unregistered redirect URI is never redirected to.
    let evil = person.get(&s, &authorize(&public.client_id, "https://evil.example/cb")).await;
    assert_eq!(evil.status, StatusCode::BAD_REQUEST);
    // Not logged in: to the login page, which comes back to the same request.
    let mut stranger = common::Browser::default();
    let login = stranger.get(&s, &authorize(&public.client_id, &redirect)).await;
    assert!(login.location.starts_with("/login?next=%2Foauth%2Fauthorize%3F"), "{}", login.location);

    let denied = decide(&s, &mut person, &authorize(&public.client_id, &redirect), "deny").await;
    assert_eq!(denied, format!("{redirect}?error=access_denied&state=st-1"));
    let back = decide(&s, &mut person, &authorize(&public.client_id, &redirect), "allow").await;
    assert!(back.starts_with(&format!("{redirect}?code=")) && back.ends_with("&state=st-1"), "{back}");
    let code = back.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();

    let post = |form: Vec<(&str, String)>, id: &str, secret: &str| {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let req = s
            .http
            .post(format!("{}/oauth/token", s.base))
            .basic_auth(id, Some(secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        async move {
            let res = req.send().await.unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    let exchange = |code: String, verifier: &str| {
        vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code),
            ("redirect_uri", redirect.clone()),
            ("code_verifier", verifier.to_owned()),
        ]
    };
    let (status, body) = post(exchange(code.clone(), "wrong-verifier"), &public.client_id, &public.client_secret).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    // The code was taken by that attempt: a code is used once, even a failed one.
    let (status, _) = post(exchange(code, verifier), &public.client_id, &public.client_secret).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let back = decide(&s, &mut person, &authorize(&public.client_id, &redirect), "allow").await;
    let code = back.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let (status, tokens) = post(exchange(code, verifier), &public.client_id, &public.client_secret).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let (_, jwks) = s.json("/oauth/jwks").await;
    let id = tongban_crypto::jws::verify(tokens["id_token"].as_str().unwrap(), &jwks["keys"][0]).unwrap();
    assert_eq!(
        (id["nonce"].as_str(), id["acr"].as_str(), id["aud"].as_str()),
        (Some("n-1"), Some("L1"), Some(public.client_id.as_str()))
    );
    let info: Value = s
        .http
        .get(format!("{}/oauth/userinfo", s.base))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((info["sub"].clone(), info["name"].as_str()), (id["sub"].clone(), Some("张三")));
    let forged = s.http.get(format!("{}/oauth/userinfo", s.base)).bearer_auth("x.y.z").send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);

    // A pairwise client sees another subject for the same person.
    let back = decide(&s, &mut person, &authorize(&pairwise.client_id, &redirect), "allow").await;
    let code = back.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let (_, other) = post(exchange(code, verifier), &pairwise.client_id, &pairwise.client_secret).await;
    let other_id = tongban_crypto::jws::verify(other["id_token"].as_str().unwrap(), &jwks["keys"][0]).unwrap();
    assert_ne!(other_id["sub"], id["sub"]);

    // Refresh rotates; a used token presented again revokes its whole family (RFC 9700).
    let refresh = |t: &Value| {
        vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", t["refresh_token"].as_str().unwrap().to_owned()),
        ]
    };
    let (status, renewed) = post(refresh(&tokens), &public.client_id, &public.client_secret).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post(refresh(&tokens), &public.client_id, &public.client_secret).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a refresh token is used once");
    let (status, _) = post(refresh(&renewed), &public.client_id, &public.client_secret).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "its reuse revoked the family, the live successor too");

    // Logout asks first, unless the client names the person with an ID token it was given; it
    // ends the refresh tokens and goes back only to a registered URI.
    let back = decide(&s, &mut person, &authorize(&public.client_id, &redirect), "allow").await;
    let code = back.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let (_, tokens) = post(exchange(code, verifier), &public.client_id, &public.client_secret).await;
    let logout = format!("/oauth/logout?client_id={}&post_logout_redirect_uri={}", public.client_id, redirect);
    let asked = person.get(&s, &logout).await;
    assert_eq!(asked.status, StatusCode::OK, "another site's link only asks");
    assert!(asked.body.contains("退出登录") && asked.body.contains("method=\"post\""), "{}", asked.body);
    assert_eq!(person.get(&s, "/account").await.status, StatusCode::OK, "still signed in");
    let forged = other_id["sub"].as_str().unwrap().to_owned();
    let wrong_hint = person.get(&s, &format!("{logout}&id_token_hint={forged}")).await;
    assert_eq!(wrong_hint.status, StatusCode::OK, "a hint that is not our ID token only asks");
    let hint = tokens["id_token"].as_str().unwrap();
    let out = person.get(&s, &format!("{logout}&id_token_hint={hint}")).await;
    assert_eq!(out.location, redirect);
    let (status, _) = post(refresh(&tokens), &public.client_id, &public.client_secret).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "logout ends the client's refresh tokens");
    assert_eq!(person.get(&s, "/account").await.status, StatusCode::SEE_OTHER, "and the platform session");
    let elsewhere =
        common::Browser::default().get(&s, "/oauth/logout?post_logout_redirect_uri=https://evil.example").await;
    assert_eq!(elsewhere.location, "/");
    // Confirmed on the page, the logout happens.
    let mut again = common::registered(&s, 2, "13912345678").await;
    let page = again.get(&s, &logout).await;
    let fields: Vec<(String, String)> = hidden(&page.body).into_iter().filter(|(k, _)| k != "csrf").collect();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(again.post(&s, "/oauth/logout", &fields).await.location, redirect);
    assert_eq!(again.get(&s, "/account").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_phone_scope_and_no_refresh_tokens_for_clients_not_registered_for_them() {
    let s = server().await;
    let redirect = "https://rp.example.gov.cn/cb".to_owned();
    let grants = vec!["authorization_code".to_owned()];
    let client = tongban_app::oidc::add_client(&s.app, "社保系统", std::slice::from_ref(&redirect), &grants, false)
        .await
        .unwrap();
    let mut person = common::registered(&s, 1, "13812345678").await;
    let verifier = "a-code-verifier-of-enough-length-0123456789-abcdef";
    let q = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", client.client_id.as_str()),
            ("redirect_uri", redirect.as_str()),
            ("response_type", "code"),
            ("scope", "openid profile phone"),
            ("code_challenge", tongban_crypto::pkce_s256(verifier).as_str()),
            ("code_challenge_method", "S256"),
        ])
        .finish();
    let screen = person.get(&s, &format!("/oauth/authorize?{q}")).await;
    assert!(screen.body.contains("手机号码"), "the consent screen names the phone");
    let back = decide(&s, &mut person, &format!("/oauth/authorize?{q}"), "allow").await;
    let code = back.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let token = |pairs: Vec<(&str, String)>| {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        let req = s
            .http
            .post(format!("{}/oauth/token", s.base))
            .basic_auth(&client.client_id, Some(&client.client_secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        async move {
            let res = req.send().await.unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    let (status, tokens) = token(vec![
        ("grant_type", "authorization_code".into()),
        ("code", code),
        ("redirect_uri", redirect.clone()),
        ("code_verifier", verifier.into()),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(tokens.get("refresh_token").is_none(), "registered for codes only: {tokens}");
    let (status, body) = token(vec![("grant_type", "refresh_token".into()), ("refresh_token", "x".into())]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unauthorized_client")));
    let info: Value = s
        .http
        .get(format!("{}/oauth/userinfo", s.base))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (info["phone_number"].as_str(), info["phone_number_verified"].as_bool()),
        (Some("+8613812345678"), Some(false))
    );
}

#[tokio::test]
async fn a_client_requiring_level_3_gets_no_code_until_the_person_steps_up() {
    let s = server().await;
    let redirect = "https://rp.example.gov.cn/cb".to_owned();
    let grants = vec!["authorization_code".to_owned()];
    let client = tongban_app::oidc::add_client(&s.app, "公积金系统", std::slice::from_ref(&redirect), &grants, false)
        .await
        .unwrap();
    let mut person = common::registered(&s, 1, "13812345678").await;
    let q = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", client.client_id.as_str()),
            ("redirect_uri", redirect.as_str()),
            ("response_type", "code"),
            ("scope", "openid"),
            ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
            ("code_challenge_method", "S256"),
            ("acr_values", "L3 L4"),
        ])
        .finish();
    let page = person.get(&s, &format!("/oauth/authorize?{q}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("请先提升身份认证等级") && page.body.contains("三级"), "asked to step up");
    assert!(!page.body.contains("value=\"allow\""), "no way to agree yet");
    // Posting the agreement anyway is refused, with the request's parameters or without
    // `acr_values` (which a form carrying the parameters would forget): only the sealed request
    // of a consent screen is answered, and none was offered.
    let all: Vec<(String, String)> = form_urlencoded::parse(q.as_bytes()).into_owned().collect();
    for drop in ["", "acr_values"] {
        let mut pairs: Vec<(&str, &str)> =
            all.iter().filter(|(k, _)| k != drop).map(|(k, v)| (k.as_str(), v.as_str())).collect();
        pairs.push(("decision", "allow"));
        let answer = person.post(&s, "/oauth/authorize", &pairs).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "no code: {}", answer.location);
        assert!(!answer.location.contains("code="));
    }
    // A consent screen without a level to reach seals its request: it cannot be changed, nor
    // answered from another session.
    let plain: String = q.split('&').filter(|p| !p.starts_with("acr_values")).collect::<Vec<_>>().join("&");
    let screen = person.get(&s, &format!("/oauth/authorize?{plain}")).await;
    let sealed = hidden(&screen.body).into_iter().find(|(k, _)| k == "request").expect("sealed request").1;
    let mut tampered = sealed.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    let mut stranger = common::registered(&s, 2, "13912345678").await;
    for (b, request) in [(&mut person, tampered.as_str()), (&mut stranger, sealed.as_str())] {
        let answer = b.post(&s, "/oauth/authorize", &[("request", request), ("decision", "allow")]).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.location);
    }
    let answer = person.post(&s, "/oauth/authorize", &[("request", sealed.as_str()), ("decision", "allow")]).await;
    assert!(answer.location.starts_with(&format!("{redirect}?code=")), "{}", answer.location);
}
