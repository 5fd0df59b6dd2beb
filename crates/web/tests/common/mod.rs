//! The test harness of the HTTP tests: a real server on a loopback port over a fresh store
//! (SQLite by default, PostgreSQL when `TEST_DATABASE_URL` is set), driven by a real HTTP client.
#![allow(dead_code)]

pub mod api;

use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;
use tongban_app::notify::{Channels, DevOutbox};
use tongban_app::{App, Config};
use tongban_domain::codes::citizen_id_check_char;
use tongban_store::testing::fresh_target;
use tongban_web::AppState;

pub struct Server {
    pub base: String,
    /// Where the metrics listener answers.
    pub metrics: String,
    pub app: App,
    pub http: reqwest::Client,
    /// What the server sent by text message and e-mail.
    pub dev: Arc<DevOutbox>,
    _dir: Option<tempfile::TempDir>,
    _objects: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Fresh keys, password hashing cheap enough for tests, the configuration's login rules and the
/// development SMS inbox.
pub fn test_identity(config: &Config) -> tongban_app::identity::Identity {
    let ring = tongban_crypto::KeyRing::generate("test").unwrap();
    let params = tongban_crypto::PasswordParams { memory_kib: 64, passes: 1, lanes: 1 };
    tongban_app::identity::Identity::new(ring, tongban_app::identity::Policy::of(config), params).unwrap()
}

pub async fn server_with(config: Config) -> Server {
    let (target, dir) = fresh_target().await;
    let mut app = App::open(&target, tongban_app::catalog::IndexLocation::Memory, test_identity(&config))
        .await
        .expect("open app");
    let dev = Arc::new(DevOutbox::default());
    app.notify = Arc::new(Channels::development(dev.clone()));
    // Uploaded files on local disk, as `serve` keeps them by default.
    let objects = tempfile::tempdir().unwrap();
    app.objects = Arc::new(tongban_app::materials::Objects::local(objects.path()).unwrap());
    app.verifications = Arc::new(tongban_app::limit::PerMinute::new(config.verifications_per_minute));
    let policy = tongban_app::outbound::AddressPolicy::parse(&config.outbound_allow).unwrap();
    app.outbound = Arc::new(tongban_app::outbound::Outbound::new(policy).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(app.clone(), config);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let metrics_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = format!("http://{}/metrics", metrics_listener.local_addr().unwrap());
    tokio::spawn(tongban_web::serve_metrics(metrics_listener, state.clone(), std::future::pending()));
    tokio::spawn(tongban_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Server { base, metrics, app, http, dev, _dir: dir, _objects: objects, stop: Some(stop) }
}

pub async fn server() -> Server {
    server_with(Config::default()).await
}

impl Server {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    pub async fn json(&self, path: &str) -> (StatusCode, Value) {
        let res = self.get(path).await;
        let status = res.status();
        let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(ct.starts_with("application/json"), "{path}: content-type {ct}");
        (status, res.json().await.unwrap())
    }

    pub async fn post(&self, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (res.status(), res.json().await.unwrap())
    }
}

/// The error body every API error has: a stable code and a message in both languages.
pub fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

pub fn citizen_id(seq: u32) -> String {
    let first17 = format!("11010119900307{seq:03}");
    format!("{first17}{}", citizen_id_check_char(&first17))
}

/// A browser: the cookies it holds.
#[derive(Default, Clone)]
pub struct Browser {
    pub cookies: Vec<(String, String)>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub location: String,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Browser {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    pub fn keep(&mut self, res: &reqwest::Response) -> Vec<String> {
        let set: Vec<String> =
            res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        for c in &set {
            let (pair, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !c.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        set
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let (res, page) = self.answer(req).await;
        Page { body: res.text().await.unwrap(), ..page }
    }

    /// Sends with this browser's cookies, keeps those set, and reads the answer's head.
    async fn answer(&mut self, req: reqwest::RequestBuilder) -> (reqwest::Response, Page) {
        let cookie: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let res = req.header("cookie", cookie.join("; ")).send().await.unwrap();
        let set_cookies = self.keep(&res);
        let (status, headers) = (res.status(), res.headers().clone());
        let location = headers.get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        (res, Page { status, headers, location, set_cookies, body: String::new() })
    }

    /// Sends a request whose answer does not end (server-sent events): only its head is read.
    pub async fn head(&mut self, req: reqwest::RequestBuilder) -> Page {
        self.answer(req).await.1
    }

    pub async fn get(&mut self, s: &Server, path: &str) -> Page {
        self.send(s.http.get(format!("{}{path}", s.base))).await
    }

    /// Posts a form with this browser's CSRF token (if it has one) added.
    pub async fn post(&mut self, s: &Server, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        if let Some(t) = self.cookie("tb_csrf") {
            all.push(("csrf".into(), t));
        }
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&all).finish();
        let req = s.http.post(format!("{}{path}", s.base)).header("content-type", "application/x-www-form-urlencoded");
        self.send(req.body(body)).await
    }
}

pub async fn registered(s: &Server, seq: u32, phone: &str) -> Browser {
    let mut b = Browser::default();
    b.get(s, "/register").await;
    let id = citizen_id(seq);
    let page = b
        .post(
            s,
            "/register",
            &[
                ("name", "张三"),
                ("citizen_id", &id),
                ("phone", phone),
                ("email", ""),
                ("password", "Tongban-2026"),
                ("password_confirm", "Tongban-2026"),
            ],
        )
        .await;
    assert_eq!((page.status, page.location.as_str()), (StatusCode::SEE_OTHER, "/account"), "{}", page.body);
    b
}
