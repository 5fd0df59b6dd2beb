//! Organizations on the backend `TEST_DATABASE_URL` selects: registration by the legal
//! representative against the legal-person registry, agents with scopes and expiry, switching,
//! and the one authorization check — an agent does only what the grant allows.

use tongban_app::access::{Need, Principal, authorize};
use tongban_app::identity::{self, Client, Identity, NewPerson, Policy};
use tongban_app::organizations;
use tongban_app::{App, AppError};
use tongban_crypto::{KeyRing, PasswordParams};
use tongban_domain::codes::citizen_id_check_char;
use tongban_domain::identity::AgentScope;
use tongban_store::testing::{TestStore, fresh_store};

const ORG: &str = "91110101MA01TB014X";

fn citizen_id(seq: u32) -> String {
    let first17 = format!("11010119900307{seq:03}");
    format!("{first17}{}", citizen_id_check_char(&first17))
}

async fn app() -> (App, TestStore) {
    let t = fresh_store().await;
    let params = PasswordParams { memory_kib: 64, passes: 1, lanes: 1 };
    let identity = Identity::new(KeyRing::generate("t").unwrap(), Policy::default(), params).unwrap();
    let app = App::open(&t.target, tongban_app::catalog::IndexLocation::None, identity).await.unwrap();
    identity::import_registry(&app, &format!("张三,{}\n李四,{}", citizen_id(1), citizen_id(2))).await.unwrap();
    organizations::import_legal_registry(&app, &format!("{ORG},北京通办示范科技有限公司,{}", citizen_id(1)))
        .await
        .unwrap();
    (app, t)
}

async fn person(app: &App, seq: u32, name: &str, phone: &str) -> Principal {
    let form = NewPerson {
        name: name.into(),
        citizen_id: citizen_id(seq),
        phone: phone.into(),
        email: None,
        password: "Tongban-2026".into(),
    };
    identity::register(app, form, &Client::default()).await.unwrap();
    identity::login(app, phone, "Tongban-2026", None, &Client::default()).await.unwrap().principal
}

/// Real-name verification, then the principal of the replaced session.
async fn verified(app: &App, who: &Principal) -> Principal {
    identity::verify_real_name(app, who).await.unwrap();
    identity::rotate_session(app, who, &Client::default()).await.unwrap().principal
}

fn field_names(e: AppError) -> Vec<String> {
    match e {
        AppError::Validation { fields } => fields.into_keys().collect(),
        e => panic!("expected a validation error, got {e:?}"),
    }
}

#[tokio::test]
async fn the_legal_representative_registers_and_an_agent_does_only_what_the_grant_allows() {
    let (app, _t) = app().await;
    let zhang = person(&app, 1, "张三", "13812345678").await;
    assert_eq!(field_names(organizations::register(&app, &zhang, ORG).await.unwrap_err()), ["credit_code"], "L2 first");
    let zhang = verified(&app, &zhang).await;
    let li = verified(&app, &person(&app, 2, "李四", "13912345678").await).await;
    assert_eq!(field_names(organizations::register(&app, &li, ORG).await.unwrap_err()), ["credit_code"], "not his");
    assert_eq!(
        field_names(organizations::register(&app, &zhang, "91110101MA01TB0140").await.unwrap_err()),
        ["credit_code"]
    );
    let org = organizations::register(&app, &zhang, ORG).await.unwrap();
    assert_eq!(org.name, "北京通办示范科技有限公司");
    assert!(matches!(organizations::register(&app, &zhang, ORG).await, Err(AppError::Conflict { .. })));

    // Acting for himself, nobody may act for the organization.
    assert!(matches!(authorize(&app, &zhang, Need::Organization(AgentScope::Apply)).await, Err(AppError::Forbidden)));
    assert!(matches!(organizations::grants(&app, &zhang).await, Err(AppError::Forbidden)));
    let zhang = organizations::switch(&app, &zhang, Some(ORG), &Client::default()).await.unwrap().principal;
    assert!(zhang.acting.as_ref().is_some_and(|a| a.legal_rep && a.scopes == AgentScope::ALL));

    // He authorizes 李四 to apply, for 30 days.
    let bad = organizations::grant(&app, &zhang, "13700000000", &[], 0).await.unwrap_err();
    assert_eq!(field_names(bad), ["agent", "days", "scopes"]);
    let myself = organizations::grant(&app, &zhang, "13812345678", &[AgentScope::Apply], 30).await.unwrap_err();
    assert_eq!(field_names(myself), ["agent"]);
    let g = organizations::grant(&app, &zhang, "13912345678", &[AgentScope::Apply], 30).await.unwrap();
    assert_eq!((g.agent_name.as_str(), g.agent_phone_masked.as_str()), ("李四", "139****5678"));
    assert_eq!(organizations::grants(&app, &zhang).await.unwrap().len(), 1);

    // 李四 sees the organization, switches, and may apply — nothing else.
    let mine = organizations::memberships(&app, &li.person_id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].legal_rep, mine[0].scopes.clone()), (false, vec![AgentScope::Apply]));
    let switched = organizations::switch(&app, &li, Some(ORG), &Client::default()).await.unwrap();
    let li = switched.principal;
    assert!(authorize(&app, &li, Need::Organization(AgentScope::Apply)).await.is_ok());
    assert!(matches!(authorize(&app, &li, Need::Organization(AgentScope::Licences)).await, Err(AppError::Forbidden)));
    assert!(matches!(authorize(&app, &li, Need::Organization(AgentScope::Cases)).await, Err(AppError::Forbidden)));
    assert!(matches!(authorize(&app, &li, Need::OrganizationManagement).await, Err(AppError::Forbidden)));
    assert!(matches!(organizations::grants(&app, &li).await, Err(AppError::Forbidden)));
    assert!(matches!(organizations::revoke(&app, &li, &g.id).await, Err(AppError::Forbidden)));

    // The grant ends: 李四's very next request acts for himself again.
    organizations::revoke(&app, &zhang, &g.id).await.unwrap();
    let li_now = identity::authenticate(&app, &switched.token).await.unwrap().unwrap();
    assert_eq!(li_now.acting, None);
    assert!(matches!(
        organizations::switch(&app, &li_now, Some(ORG), &Client::default()).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(organizations::revoke(&app, &zhang, &g.id).await, Err(AppError::NotFound { .. })));
}

#[tokio::test]
async fn the_legal_registry_keeps_no_plaintext_id_and_reports_bad_lines() {
    let (app, _t) = app().await;
    let text = format!(
        "credit_code,name,legal_rep_citizen_id\n{ORG},某公司,{}\nbad,x,y\n91110101MA01TB0140,某公司,{}\n",
        citizen_id(3),
        citizen_id(3)
    );
    let report = organizations::import_legal_registry(&app, &text).await.unwrap();
    assert_eq!(report.loaded, 1);
    assert_eq!(report.rejected.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [3, 4]);
    for row in tongban_store::testing::raw_rows(&app.store, "legal_registry").await {
        assert!(!row.contains(&citizen_id(3)) && !row.contains(&citizen_id(1)), "{row}");
    }
}

#[tokio::test]
async fn window_staff_raise_a_person_seen_in_person_to_l4() {
    let (app, _t) = app().await;
    let citizen = person(&app, 1, "张三", "13812345678").await;
    let clerk = person(&app, 2, "李四", "13912345678").await;
    let place = tongban_app::staff::NewAssignment {
        person: "13912345678".into(),
        role: "window_staff".into(),
        agency_code: "11110000000000019K".into(),
        division_code: "110101".into(),
    };
    let admin = person(&app, 3, "王五", "13712345678").await;
    let platform = tongban_app::staff::NewAssignment {
        person: "13712345678".into(),
        role: "platform_admin".into(),
        agency_code: String::new(),
        division_code: String::new(),
    };
    tongban_app::staff::assign(&app, None, platform).await.unwrap();
    tongban_app::staff::assign(&app, Some(&admin), place).await.unwrap();

    let not_staff = tongban_app::staff::verify_in_person(&app, &citizen, "13912345678", &citizen_id(2)).await;
    assert!(matches!(not_staff, Err(AppError::Forbidden)));
    let wrong_card = tongban_app::staff::verify_in_person(&app, &clerk, "13812345678", &citizen_id(2)).await;
    assert_eq!(field_names(wrong_card.unwrap_err()), ["card_number"]);
    tongban_app::staff::verify_in_person(&app, &clerk, "13812345678", &citizen_id(1)).await.unwrap();
    let me = identity::me(&app, &citizen).await.unwrap();
    assert_eq!(me.assurance, tongban_domain::identity::Assurance::L4);
}

#[tokio::test]
async fn a_login_for_a_department_system_made_acting_for_the_organization_names_it() {
    use tongban_app::oidc::{self, AuthorizeRequest};
    let (app, _t) = app().await;
    let zhang = verified(&app, &person(&app, 1, "张三", "13812345678").await).await;
    organizations::register(&app, &zhang, ORG).await.unwrap();
    let acting = organizations::switch(&app, &zhang, Some(ORG), &Client::default()).await.unwrap().principal;
    let redirect = "https://rp.example.gov.cn/cb".to_owned();
    let client =
        oidc::add_client(&app, "税务系统", std::slice::from_ref(&redirect), &["authorization_code".into()], false)
            .await
            .unwrap();
    let verifier = "a-code-verifier-of-enough-length-0123456789-abcdef";
    let req = AuthorizeRequest {
        client_id: client.client_id.clone(),
        redirect_uri: redirect.clone(),
        response_type: "code".into(),
        scope: "openid profile".into(),
        code_challenge: tongban_crypto::pkce_s256(verifier),
        code_challenge_method: "S256".into(),
        ..AuthorizeRequest::default()
    };
    let back = oidc::approve(&app, &acting, &req).await.unwrap();
    let code = back.split("code=").nth(1).unwrap().to_owned();
    let issuer = "https://zwfw.example.gov.cn";
    let tokens =
        oidc::exchange_code(&app, issuer, (&client.client_id, &client.client_secret), &code, &redirect, verifier)
            .await
            .unwrap();
    let jwks = oidc::jwks(&app).unwrap();
    let id = tongban_crypto::jws::verify(&tokens.id_token, &jwks["keys"][0]).unwrap();
    assert_eq!(id["subject_type"], "organization");
    assert_eq!(
        (id["organization"]["credit_code"].as_str(), id["organization"]["role"].as_str()),
        (Some(ORG), Some("legal_representative"))
    );
    let info = oidc::userinfo(&app, &tokens.access_token).await.unwrap();
    assert_eq!(info["organization"]["name"], "北京通办示范科技有限公司");

    // Acting for himself, the same person is a person to the system.
    let back = oidc::approve(&app, &zhang_again(&app, &acting).await, &req).await.unwrap();
    let code = back.split("code=").nth(1).unwrap().to_owned();
    let tokens =
        oidc::exchange_code(&app, issuer, (&client.client_id, &client.client_secret), &code, &redirect, verifier)
            .await
            .unwrap();
    let id = tongban_crypto::jws::verify(&tokens.id_token, &jwks["keys"][0]).unwrap();
    assert_eq!((id["subject_type"].as_str(), id.get("organization")), (Some("person"), None));
}

/// The same person, switched back to acting for himself.
async fn zhang_again(app: &App, who: &Principal) -> Principal {
    organizations::switch(app, who, None, &Client::default()).await.unwrap().principal
}
