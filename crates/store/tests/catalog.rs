//! Catalog storage on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set: publishing,
//! versions, drafts, idempotent re-publication and the index catch-up feed.

use tongban_domain::catalog::testing::sample;
use tongban_store::catalog::PublishOutcome;
use tongban_store::testing::fresh_store;

#[tokio::test]
async fn publish_keeps_every_version_and_is_idempotent() {
    let t = fresh_store().await;
    let s = &t.store;
    let mut o = sample();
    let code = o.offering_code.clone();
    assert_eq!(s.published(&code).await.unwrap(), None);
    assert_eq!(s.catalog_revision().await.unwrap(), 0);

    assert_eq!(s.publish_offering(&o, "import a.jsonl").await.unwrap(), PublishOutcome { version: 1, changed: true });
    // The same guide again makes no version and moves no revision.
    let rev = s.catalog_revision().await.unwrap();
    assert_eq!(s.publish_offering(&o, "import a.jsonl").await.unwrap(), PublishOutcome { version: 1, changed: false });
    assert_eq!(s.catalog_revision().await.unwrap(), rev);

    o.committed_limit = 2;
    o.hours = "工作日 8:30-17:30".into();
    assert_eq!(s.publish_offering(&o, "edit").await.unwrap(), PublishOutcome { version: 2, changed: true });
    let p = s.published(&code).await.unwrap().unwrap();
    assert_eq!((p.version, p.offering.committed_limit), (2, 2));
    assert!(p.revision > rev);
    assert_eq!(s.offering_version(&code, 1).await.unwrap().unwrap(), sample());
    let history: Vec<(i32, String)> =
        s.offering_versions(&code).await.unwrap().into_iter().map(|v| (v.version, v.note)).collect();
    assert_eq!(history, [(2, "edit".to_owned()), (1, "import a.jsonl".to_owned())]);
    assert_eq!(s.published_count().await.unwrap(), 1);
}

#[tokio::test]
async fn drafts_do_not_touch_the_published_guide() {
    let t = fresh_store().await;
    let s = &t.store;
    let mut o = sample();
    let code = o.offering_code.clone();
    // A new offering can exist as a draft only.
    s.save_draft(&o).await.unwrap();
    assert_eq!(s.draft(&code).await.unwrap().as_ref(), Some(&o));
    assert_eq!(s.published(&code).await.unwrap(), None);
    assert!(s.published_after(0, 10).await.unwrap().is_empty(), "drafts are not searchable");

    s.publish_offering(&o, "first").await.unwrap();
    assert_eq!(s.draft(&code).await.unwrap(), None, "publishing clears the draft");
    o.name = "个体工商户设立登记（草稿）".into();
    s.save_draft(&o).await.unwrap();
    assert_eq!(s.published(&code).await.unwrap().unwrap().offering, sample());
    assert_eq!(s.draft(&code).await.unwrap().unwrap().name, o.name);
}

#[tokio::test]
async fn published_after_feeds_the_index_in_revision_order() {
    let t = fresh_store().await;
    let s = &t.store;
    let mut codes = vec![];
    for i in 0..5 {
        let mut o = sample();
        o.offering_code.replace_range(30..31, &i.to_string());
        o.name = format!("事项 {i}");
        s.publish_offering(&o, "seed").await.unwrap();
        codes.push(o.offering_code);
    }
    let all = s.published_after(0, 100).await.unwrap();
    assert_eq!(all.iter().map(|p| p.offering.offering_code.clone()).collect::<Vec<_>>(), codes);
    let first_two = s.published_after(0, 2).await.unwrap();
    assert_eq!(first_two.len(), 2);
    let rest = s.published_after(first_two[1].revision, 100).await.unwrap();
    assert_eq!(rest.len(), 3);
    // A re-publication moves the offering to the end of the feed.
    let mut o = s.published(&codes[0]).await.unwrap().unwrap().offering;
    o.visits = 0;
    o.hours = "全天".into();
    s.publish_offering(&o, "edit").await.unwrap();
    let latest = s.published_after(all[4].revision, 100).await.unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].offering.offering_code, codes[0]);
}
