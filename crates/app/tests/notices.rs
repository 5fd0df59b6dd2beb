//! Notices of a case to its applicant on the backend `TEST_DATABASE_URL` selects: every change by
//! text and e-mail, combined within the window on the channels chosen, what a supplement lacks, the
//! licence issued with its link; in-site messages marked read.

use tongban_app::cases;
use tongban_domain::cases::CaseAction;

mod support;

use support::*;

#[tokio::test]
async fn every_change_reaches_the_applicant_by_sms_and_email_and_messages_are_marked_read() {
    let w = world().await;
    let n = submitted(&w).await;
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    // Each text and e-mail is kept with its change, before the answer: a crash after the commit
    // cannot lose it.
    let kept = w.app.store.outbound_of(&w.zhang.person_id, 10).await.unwrap();
    assert_eq!(kept.iter().filter(|m| m.kind == "case_changed").count(), 4, "{kept:?}");
    // Channels send off the request: wait for the background sends.
    for _ in 0..500 {
        if w.outbox.mails().len() >= 2 && w.outbox.sms().iter().filter(|m| m.text.contains(&n)).count() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let texts: Vec<String> = w.outbox.sms().into_iter().filter(|m| m.phone == "13812345678").map(|m| m.text).collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    // Each goes off its request, so in either order.
    assert!(texts.iter().any(|t| t.contains("已提交") && t.contains(&n)), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("受理") && t.contains(&n)), "{texts:?}");
    let mails = w.outbox.mails();
    assert_eq!(mails.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(), ["zhangsan@example.cn"; 2]);
    let accepted = mails.iter().find(|m| m.subject.contains("受理")).expect("the mail of the acceptance");
    assert!(accepted.body.contains("正在审查"), "the mail carries the next step: {}", accepted.body);

    let messages = cases::my_messages(&w.app, &w.zhang).await.unwrap();
    assert_eq!(messages.iter().filter(|m| !m.read).count(), 2);
    assert_eq!(cases::mark_messages_read(&w.app, &w.zhang).await.unwrap(), 2);
    assert!(cases::my_messages(&w.app, &w.zhang).await.unwrap().iter().all(|m| m.read));
    assert_eq!(cases::mark_messages_read(&w.app, &w.li).await.unwrap(), 0, "another's messages stay theirs");
}

#[tokio::test]
async fn notices_of_one_case_within_minutes_go_as_one_on_the_channels_chosen_and_say_what_is_missing() {
    use tongban_app::notify::{self, Channels, NoticeChannels};
    let mut w = world().await;
    let window = chrono::Duration::milliseconds(600);
    w.app.notify = std::sync::Arc::new(Channels {
        combine: window,
        base_url: Some("https://tongban.example.cn".into()),
        ..Channels::development(w.outbox.clone())
    });
    let texts = |w: &World, n: &str| -> Vec<String> {
        w.outbox.sms().into_iter().filter(|m| m.text.contains(n)).map(|m| m.text).collect()
    };
    let settle = || async {
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        notify::deliver_due(&w.app).await.unwrap();
    };
    // Submitted and accepted within the window: one text, saying both, linking to the case.
    let n = submitted(&w).await;
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    assert!(texts(&w, &n).is_empty(), "nothing goes before the window ends");
    settle().await;
    let sent = texts(&w, &n);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("受理") && sent[0].contains("此前：您的申请已提交"), "{}", sent[0]);
    assert!(sent[0].contains(&format!("https://tongban.example.cn/cases/{n}")), "{}", sent[0]);
    let mails = w.outbox.mails();
    assert_eq!(mails.len(), 1, "one e-mail as well");
    assert!(mails[0].body.contains("此前的变化") && mails[0].body.contains("您的申请已提交"), "{}", mails[0].body);
    let kept = w.app.store.outbound_of(&w.zhang.person_id, 10).await.unwrap();
    assert_eq!(kept.iter().filter(|m| m.status == "combined").count(), 2, "the first text and e-mail: {kept:?}");
    // The in-site messages stay one per change.
    assert_eq!(cases::my_messages(&w.app, &w.zhang).await.unwrap().len(), 2);

    // Text messages only, from now on; the supplement notice names every missing thing.
    notify::choose_channels(&w.app, &w.zhang.person_id, NoticeChannels { sms: true, email: false }).await.unwrap();
    assert_eq!(notify::notice_channels(&w.app, &w.zhang.person_id).await.unwrap(), NoticeChannels::parse("sms"));
    let missing = vec!["经营场所使用证明".to_owned(), "身份证复印件不清晰".to_owned()];
    act(&w, &w.approver, &n, CaseAction::RequestSupplement { missing }).await.unwrap();
    settle().await;
    let sent = texts(&w, &n);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1].contains("需补正：经营场所使用证明；身份证复印件不清晰"), "{}", sent[1]);
    assert_eq!(w.outbox.mails().len(), 1, "no e-mail when only text messages are chosen");
    let body = &cases::my_messages(&w.app, &w.zhang).await.unwrap()[0].body;
    assert!(body.contains("1. 经营场所使用证明") && body.contains("2. 身份证复印件不清晰"), "{body}");
}

#[tokio::test]
async fn the_applicant_is_told_the_licence_is_issued_with_a_link_to_it() {
    let mut w = world().await;
    w.app.notify = std::sync::Arc::new(tongban_app::notify::Channels {
        base_url: Some("https://tongban.example.cn".into()),
        ..tongban_app::notify::Channels::development(w.outbox.clone())
    });
    let n = submitted(&w).await;
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Pass).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Approve).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Conclude).await.unwrap();
    let id = tongban_app::licences::wallet(&w.app, &w.zhang).await.unwrap()[0].licence.id.clone();
    let messages = cases::my_messages(&w.app, &w.zhang).await.unwrap();
    assert!(messages.iter().any(|m| m.title.contains("电子证照《营业执照》已签发")), "{messages:?}");
    let link = format!("https://tongban.example.cn/licences/{id}");
    for _ in 0..100 {
        if w.outbox.sms().iter().any(|m| m.text.contains(&link)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no text with the licence's link: {:?}", w.outbox.sms());
}
