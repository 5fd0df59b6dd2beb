//! The account pages over HTTP: register, log in, my account, real-name verification, devices,
//! log out — with the CSRF token every form needs, the cookie flags, lockout, and no way to act
//! on another person's session.

mod common;

use common::{Browser, citizen_id, registered, server};
use reqwest::StatusCode;
use tongban_app::Config;

#[tokio::test]
async fn register_see_my_account_verify_my_name_and_log_out() {
    let s = server().await;
    let mut b = Browser::default();
    let form = b.get(&s, "/register").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf_cookie = form.set_cookies.iter().find(|c| c.starts_with("tb_csrf=")).expect("a CSRF cookie");
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"), "{csrf_cookie}");
    assert!(form.body.contains(&b.cookie("tb_csrf").unwrap()), "the form carries the token");

    let id = citizen_id(1);
    let fields = [
        ("name", "张三"),
        ("citizen_id", id.as_str()),
        ("phone", "13812345678"),
        ("email", ""),
        ("password", "Tongban-2026"),
        ("password_confirm", "Tongban-2026"),
    ];
    // Without the token nothing happens.
    let mut stranger = Browser::default();
    let forged = stranger.post(&s, "/register", &fields).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let mismatch = b.post(&s, "/register", &[&fields[..5], &[("password_confirm", "Other-2026")]].concat()).await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert!(mismatch.body.contains("href=\"#password_confirm\""), "{}", mismatch.body);
    assert!(!mismatch.body.contains("Tongban-2026"), "a password is never echoed");

    let done = b.post(&s, "/register", &fields).await;
    assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/account"));
    let session_cookie = done.set_cookies.iter().find(|c| c.starts_with("tb_session=")).expect("a session");
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"), "{session_cookie}");
    assert!(!session_cookie.contains("Secure"), "plain HTTP on loopback: {session_cookie}");
    // Registering numbers already in use says what to do, not whose they are or which of the two.
    let mut late = Browser::default();
    late.get(&s, "/register").await;
    let again = late.post(&s, "/register", &fields).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("登录") && again.body.contains("忘记口令"), "{}", again.body);
    assert!(!again.body.contains("证件号码已注册") && !again.body.contains("手机号码已注册"), "{}", again.body);

    let account = b.get(&s, "/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("1101**********0011") && account.body.contains("138****5678"));
    assert!(!account.body.contains(&id) && !account.body.contains("13812345678"), "only masked numbers");
    assert!(account.body.contains("一级"));

    // Not in the registry yet: verification fails and says why.
    let refused = b.post(&s, "/account/verify", &[]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("人口库"));
    tongban_app::identity::import_registry(&s.app, &format!("张三,{id}")).await.unwrap();
    let before = b.cookie("tb_session").unwrap();
    let verified = b.post(&s, "/account/verify", &[]).await;
    assert_eq!((verified.status, verified.location.as_str()), (StatusCode::SEE_OTHER, "/account?done=verified"));
    let after = b.cookie("tb_session").unwrap();
    assert_ne!(before, after, "the session is replaced when assurance rises");
    assert!(b.get(&s, "/account?done=verified").await.body.contains("二级"));
    let mut old = Browser { cookies: vec![("tb_session".into(), before)] };
    assert_eq!(old.get(&s, "/account").await.status, StatusCode::SEE_OTHER, "the old token is dead");

    // Level 3: a code texted to the registered phone.
    let sent = b.post(&s, "/account/phone/send", &[]).await;
    assert_eq!((sent.status, sent.location.as_str()), (StatusCode::SEE_OTHER, "/account?done=code_sent"));
    let text = s.dev.sms().last().expect("a text message").clone();
    assert_eq!(text.phone, "13812345678");
    let code: String = text.text.chars().filter(char::is_ascii_digit).take(6).collect();
    let wrong = b.post(&s, "/account/phone/confirm", &[("code", "12345x")]).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("href=\"#code\""), "{}", wrong.body);
    let l2_session = b.cookie("tb_session").unwrap();
    let confirmed = b.post(&s, "/account/phone/confirm", &[("code", &code)]).await;
    assert_eq!(confirmed.location, "/account?done=phone_verified");
    assert_ne!(b.cookie("tb_session").unwrap(), l2_session, "replaced again at L3");
    assert!(b.get(&s, "/account").await.body.contains("三级"));

    let out = b.post(&s, "/logout", &[]).await;
    assert_eq!((out.status, out.location.as_str()), (StatusCode::SEE_OTHER, "/"));
    let gone = b.get(&s, "/account").await;
    assert_eq!((gone.status, gone.location.as_str()), (StatusCode::SEE_OTHER, "/login?next=%2Faccount"));
}

#[tokio::test]
async fn login_errors_lockout_and_forms_without_the_token() {
    let s = server().await;
    registered(&s, 1, "13812345678").await;
    let mut b = Browser::default();
    assert_eq!(b.get(&s, "/login?next=//evil.example").await.status, StatusCode::OK);
    for off_site in ["//evil.example", "/%09/evil.example", "/\\evil.example", "https://evil.example"] {
        let page = b.get(&s, &format!("/login?next={off_site}")).await;
        assert!(page.body.contains("name=\"next\" value=\"/account\""), "{off_site} is replaced");
    }
    // A token that is not this browser's is refused like none.
    let mut other = Browser::default();
    other.get(&s, "/login").await;
    let theirs = other.cookie("tb_csrf").unwrap();
    let mixed = b
        .send(
            s.http.post(format!("{}/login", s.base)).header("content-type", "application/x-www-form-urlencoded").body(
                form_urlencoded::Serializer::new(String::new())
                    .extend_pairs([("identifier", "13812345678"), ("password", "Tongban-2026"), ("csrf", &theirs)])
                    .finish(),
            ),
        )
        .await;
    assert_eq!(mixed.status, StatusCode::FORBIDDEN);

    let mut no_token = Browser::default();
    let forged = no_token.post(&s, "/login", &[("identifier", "13812345678"), ("password", "Tongban-2026")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let nobody = b.post(&s, "/login", &[("identifier", "13900000000"), ("password", "wrong-2026")]).await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    for _ in 0..7 {
        // Wrong passwords lock the account, but the answer stays the one an unknown account gets:
        // only whoever knows the password learns that it is locked.
        let wrong = b.post(&s, "/login", &[("identifier", "13812345678"), ("password", "wrong-2026")]).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(main_text(&wrong.body), main_text(&nobody.body).replace("13900000000", "13812345678"));
    }
    let still = b.post(&s, "/login", &[("identifier", "13812345678"), ("password", "Tongban-2026")]).await;
    assert_eq!(still.status, StatusCode::LOCKED, "the right password waits for the lock to end");
}

/// A page's main content (what differs between two answers of the same form).
fn main_text(body: &str) -> String {
    body.split("<main").nth(1).and_then(|m| m.split("</main>").next()).unwrap_or(body).to_owned()
}

#[tokio::test]
async fn a_csrf_token_planted_by_another_site_is_not_this_sessions() {
    let s = server().await;
    let mut b = registered(&s, 1, "13812345678").await;
    let planted = "p".repeat(43);
    b.cookies.retain(|(k, _)| k != "tb_csrf");
    b.cookies.push(("tb_csrf".into(), planted.clone()));
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs([("csrf", planted.as_str())]).finish();
    let req = s.http.post(format!("{}/logout", s.base)).header("content-type", "application/x-www-form-urlencoded");
    assert_eq!(b.send(req.body(body)).await.status, StatusCode::FORBIDDEN, "the token is bound to the session");
    assert_eq!(b.get(&s, "/account").await.status, StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_host_bound_whatever_the_host_header() {
    let https = Config { public_url: Some("https://zwfw.example.gov.cn".into()), ..Config::default() };
    let s = common::server_with(https).await;
    let res = s.http.get(format!("{}/register", s.base)).header("host", "127.0.0.1").send().await.unwrap();
    let set: Vec<&str> = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(set.iter().any(|c| c.starts_with("__Host-tb_csrf=") && c.contains("; Secure") && c.contains("Path=/")));
    assert!(set.iter().all(|c| !c.contains("Domain=")), "{set:?}");
}

#[tokio::test]
async fn devices_can_be_logged_out_but_never_another_persons() {
    let s = server().await;
    let mut a = registered(&s, 1, "13812345678").await;
    let mut a2 = Browser::default();
    a2.get(&s, "/login").await;
    let login = a2.post(&s, "/login", &[("identifier", "13812345678"), ("password", "Tongban-2026")]).await;
    assert_eq!((login.status, login.location.as_str()), (StatusCode::SEE_OTHER, "/account"));
    let mut b = registered(&s, 2, "13912345678").await;

    let a_sessions = a.get(&s, "/account").await.body;
    let b_session_id = tongban_app::identity::authenticate(&s.app, &b.cookie("tb_session").unwrap())
        .await
        .unwrap()
        .unwrap()
        .session_id;
    assert!(!a_sessions.contains(&b_session_id), "A's page never lists B's sessions");
    let theirs = a.post(&s, "/account/sessions/revoke", &[("session", &b_session_id)]).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&s, "/account").await.status, StatusCode::OK, "B is still logged in");

    let a2_id = tongban_app::identity::authenticate(&s.app, &a2.cookie("tb_session").unwrap())
        .await
        .unwrap()
        .unwrap()
        .session_id;
    assert!(a_sessions.contains(&a2_id), "A sees the other device");
    let mine = a.post(&s, "/account/sessions/revoke", &[("session", &a2_id)]).await;
    assert_eq!((mine.status, mine.location.as_str()), (StatusCode::SEE_OTHER, "/account?done=revoked"));
    assert_eq!(a2.get(&s, "/account").await.status, StatusCode::SEE_OTHER, "that device must log in again");
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_code_to_the_phone() {
    let s = server().await;
    let mut old_device = registered(&s, 1, "13812345678").await;
    let mut b = Browser::default();
    let login = b.get(&s, "/login").await;
    assert!(login.body.contains("href=\"/password/forgot\""));
    b.get(&s, "/password/forgot").await;
    let sent = b.post(&s, "/password/forgot", &[("identifier", "13812345678")]).await;
    assert_eq!(sent.status, StatusCode::OK, "the reset form follows at once, the number in no URL");
    assert!(sent.body.contains("action=\"/password/reset\"") && sent.body.contains("value=\"13812345678\""));
    let nobody = b.post(&s, "/password/forgot", &[("identifier", "13900000000")]).await;
    assert_eq!(nobody.status, StatusCode::OK, "the same answer for an unknown account");
    assert!(nobody.body.contains("action=\"/password/reset\""));
    assert_eq!(s.dev.sms().len(), 1);
    let code: String = s.dev.sms()[0].text.chars().filter(char::is_ascii_digit).take(6).collect();

    let unknown = b
        .post(
            &s,
            "/password/reset",
            &[
                ("identifier", "13900000000"),
                ("code", &code),
                ("password", "New-Password-2027"),
                ("password_confirm", "New-Password-2027"),
            ],
        )
        .await;
    let wrong_code = b
        .post(
            &s,
            "/password/reset",
            &[
                ("identifier", "13812345678"),
                ("code", "12345x"),
                ("password", "New-Password-2027"),
                ("password_confirm", "New-Password-2027"),
            ],
        )
        .await;
    let message = |body: &str| {
        body.split("role=\"alert\"").nth(1).and_then(|m| m.split("</section>").next()).unwrap_or("").to_owned()
    };
    assert_eq!(message(&unknown.body), message(&wrong_code.body), "one answer for an unknown account and a wrong code");
    let new = [("identifier", "13812345678"), ("code", code.as_str()), ("password", "New-Password-2027")];
    let mismatch = b.post(&s, "/password/reset", &[&new[..], &[("password_confirm", "x")]].concat()).await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    let mut stranger = Browser::default();
    let forged =
        stranger.post(&s, "/password/reset", &[&new[..], &[("password_confirm", "New-Password-2027")]].concat()).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = b.post(&s, "/password/reset", &[&new[..], &[("password_confirm", "New-Password-2027")]].concat()).await;
    assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/login?reset=1"));
    assert!(b.get(&s, "/login?reset=1").await.body.contains("口令已重置"));

    assert_eq!(old_device.get(&s, "/account").await.status, StatusCode::SEE_OTHER, "every session ended");
    let in_again = b.post(&s, "/login", &[("identifier", "13812345678"), ("password", "New-Password-2027")]).await;
    assert_eq!((in_again.status, in_again.location.as_str()), (StatusCode::SEE_OTHER, "/account"));
}

#[tokio::test]
async fn two_step_verification_is_turned_on_and_then_asked_at_login() {
    let s = server().await;
    let mut b = registered(&s, 1, "13812345678").await;
    let begun = b.post(&s, "/account/totp/begin", &[]).await;
    assert_eq!(begun.status, StatusCode::OK);
    let secret = begun.body.split("<code id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let code_at =
        |shift: i64| tongban_crypto::totp::now_code(&secret, (chrono::Utc::now().timestamp() + shift) as u64).unwrap();
    // Each code is accepted once: confirm with the previous step's (drift allowed), log in with now's.
    let code = || code_at(0);
    let on = b.post(&s, "/account/totp/confirm", &[("totp", &code_at(-30))]).await;
    assert_eq!(on.location, "/account?done=totp_on");
    assert!(b.get(&s, "/account?done=totp_on").await.body.contains("两步验证已开启"));

    let mut other = Browser::default();
    other.get(&s, "/login").await;
    let creds = [("identifier", "13812345678"), ("password", "Tongban-2026")];
    let asked = other.post(&s, "/login", &creds).await;
    assert_eq!(asked.status, StatusCode::UNAUTHORIZED);
    assert!(asked.body.contains("id=\"totp\""), "the code field appears");
    let c = code();
    let done = other.post(&s, "/login", &[&creds[..], &[("totp", c.as_str())]].concat()).await;
    assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/account"));
}

#[tokio::test]
async fn an_agent_acts_for_the_organization_only_within_the_grant() {
    let s = server().await;
    let org = "91110101MA01TB014X";
    tongban_app::identity::import_registry(&s.app, &format!("张三,{}", citizen_id(1))).await.unwrap();
    tongban_app::organizations::import_legal_registry(
        &s.app,
        &format!("{org},北京通办示范科技有限公司,{}", citizen_id(1)),
    )
    .await
    .unwrap();
    let mut zhang = registered(&s, 1, "13812345678").await;
    let mut li = registered(&s, 2, "13912345678").await;

    let early = zhang.post(&s, "/account/organizations", &[("credit_code", org)]).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST, "real-name verification first");
    assert_eq!(zhang.post(&s, "/account/verify", &[]).await.status, StatusCode::SEE_OTHER);
    let registered_org = zhang.post(&s, "/account/organizations", &[("credit_code", org)]).await;
    assert_eq!(registered_org.location, "/account?done=org_registered");
    let switched = zhang.post(&s, "/account/act", &[("credit_code", org)]).await;
    assert_eq!(switched.location, "/org?done=switched");
    let page = zhang.get(&s, "/org").await;
    assert!(page.body.contains("北京通办示范科技有限公司") && page.body.contains("action=\"/org/agents/grant\""));
    let granted =
        zhang.post(&s, "/org/agents/grant", &[("agent", "13912345678"), ("scopes", "apply"), ("days", "30")]).await;
    assert_eq!(granted.location, "/org?done=granted");

    // 李四 sees the organization and switches to it: he may apply, nothing more.
    assert!(li.get(&s, "/account").await.body.contains("北京通办示范科技有限公司"));
    assert_eq!(li.post(&s, "/account/act", &[("credit_code", org)]).await.location, "/org?done=switched");
    let his = li.get(&s, "/org").await.body;
    assert!(his.contains("申办事项") && !his.contains("使用单位电子证照"), "only the granted scope");
    assert!(!his.contains("action=\"/org/agents/grant\""), "no agents section for an agent");
    let more =
        li.post(&s, "/org/agents/grant", &[("agent", "13812345678"), ("scopes", "licences"), ("days", "30")]).await;
    assert_eq!(more.status, StatusCode::FORBIDDEN);
    let grant_id = page_grant_id(&zhang.get(&s, "/org").await.body);
    assert_eq!(li.post(&s, "/org/agents/revoke", &[("grant", &grant_id)]).await.status, StatusCode::FORBIDDEN);
    // A person without a grant cannot switch to the organization.
    let mut stranger = registered(&s, 3, "13712345678").await;
    assert_eq!(stranger.post(&s, "/account/act", &[("credit_code", org)]).await.status, StatusCode::FORBIDDEN);

    // The legal representative withdraws the grant: 李四's next request acts for himself.
    assert_eq!(zhang.post(&s, "/org/agents/revoke", &[("grant", &grant_id)]).await.location, "/org?done=revoked");
    let after = li.get(&s, "/org").await;
    assert_eq!((after.status, after.location.as_str()), (StatusCode::SEE_OTHER, "/account"));
}

/// The id of the first grant listed on the legal representative's organization page.
fn page_grant_id(body: &str) -> String {
    body.split("name=\"grant\" value=\"").nth(1).expect("a grant listed").split('"').next().unwrap().to_owned()
}
