//! Relevance, filters, division inheritance, facets, fuzzy Latin words and persistence of the
//! catalog index.

use tongban_domain::catalog::testing::sample;
use tongban_domain::catalog::{Audience, ExerciseLevel, Offering, OnlineDepth};
use tongban_search::{CatalogIndex, SearchQuery};

fn offering(n: u32, name: &str, division: &str, level: ExerciseLevel, audience: Audience, theme: &str) -> Offering {
    let mut o = sample();
    o.offering_code = format!("{}{:013}", &o.offering_code[..18], n);
    o.name = name.into();
    o.division_code = division.into();
    o.level = level;
    o.audience = vec![audience];
    o.themes = vec![theme.into()];
    o.aliases = vec![];
    // A neutral material, so that keywords match names rather than the shared sample's materials.
    o.materials[0].name = "申请表".into();
    o
}

fn catalog() -> Vec<Offering> {
    use Audience::*;
    use ExerciseLevel::*;
    let mut passport = offering(4, "普通护照签发", "110000", National, Person, "证件办理");
    passport.aliases = vec!["passport".into(), "办护照".into()];
    passport.online_depth = OnlineDepth::III;
    passport.visits = 1;
    vec![
        offering(1, "居民身份证换领", "110105", County, Person, "户籍"),
        offering(2, "居民身份证首次申领", "110105", County, Person, "户籍"),
        offering(3, "临时居民身份证申领", "440106", County, Person, "户籍"),
        passport,
        offering(5, "个体工商户设立登记", "110105", County, Person, "开办企业"),
        offering(6, "企业设立登记", "110000", Provincial, Organization, "开办企业"),
        offering(7, "食品经营许可", "440100", City, Organization, "经营许可"),
        offering(8, "住房公积金提取", "440000", Provincial, Person, "住房"),
    ]
}

fn index() -> CatalogIndex {
    let idx = CatalogIndex::in_memory().unwrap();
    idx.apply(&catalog(), 8).unwrap();
    idx
}

fn names(idx: &CatalogIndex, q: SearchQuery) -> Vec<String> {
    idx.search(&SearchQuery { per_page: 20, page: 1, ..q }).unwrap().items.into_iter().map(|h| h.name).collect()
}

fn q(words: &str) -> SearchQuery {
    SearchQuery { q: words.into(), ..SearchQuery::default() }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn chinese_keywords_and_exact_name_first() {
    let idx = index();
    let hits = names(&idx, q("身份证"));
    assert_eq!(hits.len(), 3, "{hits:?}");
    assert!(hits.iter().all(|h| h.contains("身份证")));
    assert_eq!(names(&idx, q("居民身份证换领"))[0], "居民身份证换领");
    assert_eq!(names(&idx, q("居民身份证首次申领"))[0], "居民身份证首次申领");
    assert_eq!(names(&idx, q("公积金"))[0], "住房公积金提取");
    // Aliases and agency names are searched too.
    assert_eq!(names(&idx, q("办护照")), ["普通护照签发"]);
    assert_eq!(names(&idx, q("朝阳区市场监督管理局")).len(), 8, "the sample agency runs all of them");
    assert!(names(&idx, q("火星移民")).is_empty());
    // Query syntax is text, never an error.
    assert!(idx.search(&q("身份证 AND (\"")).is_ok());
}

#[test]
fn latin_words_tolerate_one_typo() {
    let idx = index();
    assert_eq!(names(&idx, q("passport")), ["普通护照签发"]);
    assert_eq!(names(&idx, q("pasport")), ["普通护照签发"]);
    assert_eq!(names(&idx, q("PASSPORT")), ["普通护照签发"]);
}

#[test]
fn division_and_its_ancestors_and_national_services() {
    let idx = index();
    // A resident of Chaoyang (110105) under Beijing (110100, 110000).
    let beijing = Some(vec!["110105".into(), "110100".into(), "110000".into()]);
    let hits = sorted(names(&idx, SearchQuery { divisions: beijing, ..q("") }));
    let expected = sorted(
        ["个体工商户设立登记", "企业设立登记", "居民身份证换领", "居民身份证首次申领", "普通护照签发"]
            .map(String::from)
            .to_vec(),
    );
    assert_eq!(hits, expected);
    // Tianhe, Guangzhou: its own county service, the city's, the province's, and national ones.
    let tianhe = Some(vec!["440106".into(), "440100".into(), "440000".into()]);
    let hits = sorted(names(&idx, SearchQuery { divisions: tianhe, ..q("") }));
    let expected =
        sorted(["临时居民身份证申领", "住房公积金提取", "普通护照签发", "食品经营许可"].map(String::from).to_vec());
    assert_eq!(hits, expected);
}

#[test]
fn a_province_chosen_finds_the_services_of_every_division_under_it() {
    let idx = index();
    // 北京市 chosen: its own, national, and those of 朝阳区 (110105) under it — not Guangzhou's.
    let beijing = SearchQuery { divisions: Some(vec!["110000".into()]), under: Some("110000".into()), ..q("") };
    let expected = ["个体工商户设立登记", "企业设立登记", "居民身份证换领", "居民身份证首次申领", "普通护照签发"];
    assert_eq!(sorted(names(&idx, beijing)), sorted(expected.map(String::from).to_vec()));
    // 广东省: 天河区's and 广州市's services too.
    let guangdong = SearchQuery { divisions: Some(vec!["440000".into()]), under: Some("440000".into()), ..q("") };
    let expected = ["临时居民身份证申领", "住房公积金提取", "普通护照签发", "食品经营许可"];
    assert_eq!(sorted(names(&idx, guangdong)), sorted(expected.map(String::from).to_vec()));
    // Without `under`, only the province's own and national services.
    let own = SearchQuery { divisions: Some(vec!["440000".into()]), ..q("") };
    assert_eq!(sorted(names(&idx, own)), ["住房公积金提取", "普通护照签发"]);
}

#[test]
fn filters_facets_and_pages() {
    let idx = index();
    let r = idx.search(&SearchQuery { per_page: 20, ..q("") }).unwrap();
    assert_eq!(r.total, 8);
    assert_eq!(r.facets["audience"]["person"], 6);
    assert_eq!(r.facets["audience"]["organization"], 2);
    assert_eq!(r.facets["theme"]["户籍"], 3);
    assert_eq!(r.facets["depth"]["IV"], 7);
    assert_eq!(r.facets["level"]["county"], 4);

    let org = idx.search(&SearchQuery { audience: Some(Audience::Organization), per_page: 20, ..q("") }).unwrap();
    assert_eq!(org.total, 2);
    assert_eq!(org.facets["audience"].get("person"), None, "facets follow the filters");
    let themed = names(&idx, SearchQuery { theme: Some("开办企业".into()), ..q("登记") });
    assert_eq!(themed.len(), 2);
    assert_eq!(names(&idx, SearchQuery { depth: Some(OnlineDepth::III), ..q("") }), ["普通护照签发"]);

    let page1 = idx.search(&SearchQuery { per_page: 3, page: 1, ..q("") }).unwrap();
    let page3 = idx.search(&SearchQuery { per_page: 3, page: 3, ..q("") }).unwrap();
    assert_eq!((page1.items.len(), page3.items.len(), page3.total), (3, 2, 8));
}

#[test]
fn republishing_replaces_and_the_revision_persists() {
    let dir = tempfile::tempdir().unwrap();
    {
        let idx = CatalogIndex::open(dir.path()).unwrap();
        assert_eq!(idx.indexed_revision().unwrap(), 0);
        idx.apply(&catalog(), 8).unwrap();
        let mut renamed = catalog()[0].clone();
        renamed.name = "居民身份证换领（到期换证）".into();
        idx.apply([&renamed], 9).unwrap();
        assert_eq!(idx.len(), 8, "replaced, not added");
    }
    let idx = CatalogIndex::open(dir.path()).unwrap();
    assert_eq!(idx.indexed_revision().unwrap(), 9);
    assert!(names(&idx, q("到期换证")).contains(&"居民身份证换领（到期换证）".to_owned()));
    idx.clear().unwrap();
    assert!(idx.is_empty());
    assert_eq!(idx.indexed_revision().unwrap(), 0);
}

#[test]
fn optimizing_merges_into_one_segment_and_changes_no_result() {
    let idx = CatalogIndex::in_memory().unwrap();
    for (i, o) in catalog().iter().enumerate() {
        idx.apply([o], i as i64 + 1).unwrap();
    }
    // One commit a segment, unless tantivy's background merges already joined some (a fast
    // machine): optimizing must end with one either way.
    assert!(idx.segments() >= 1);
    let before = idx.search(&q("身份证")).unwrap();
    idx.optimize().unwrap();
    assert_eq!(idx.segments(), 1);
    let after = idx.search(&q("身份证")).unwrap();
    let names = |r: &tongban_search::SearchResults| sorted(r.items.iter().map(|h| h.name.clone()).collect());
    assert_eq!((after.total, names(&after), &after.facets), (before.total, names(&before), &before.facets));
    assert_eq!(idx.indexed_revision().unwrap(), 8);
    // Publishing goes on after it.
    idx.apply(&[offering(9, "居民身份证补领", "110105", ExerciseLevel::County, Audience::Person, "户籍")], 9).unwrap();
    assert_eq!(idx.search(&q("身份证")).unwrap().total, 4);
}

#[test]
fn offerings_with_several_audiences_and_themes_count_in_each_facet() {
    let idx = CatalogIndex::in_memory().unwrap();
    let mut both = offering(1, "个体工商户设立登记", "110105", ExerciseLevel::County, Audience::Person, "开办企业");
    both.audience = vec![Audience::Person, Audience::Organization];
    both.themes = vec!["开办企业".into(), "就业".into()];
    let single = offering(2, "居民身份证换领", "110105", ExerciseLevel::County, Audience::Person, "户籍");
    idx.apply(&[both, single], 2).unwrap();
    let r = idx.search(&q("")).unwrap();
    assert_eq!((r.facets["audience"]["person"], r.facets["audience"]["organization"]), (2, 1));
    assert_eq!((r.facets["theme"]["开办企业"], r.facets["theme"]["就业"], r.facets["theme"]["户籍"]), (1, 1, 1));
    assert_eq!(r.facets["level"]["county"], 2);
}

#[test]
fn one_word_nationwide_matches_what_the_same_word_with_a_filter_narrows() {
    let idx = index();
    // 申请表 is only in the guides' materials, never in a name: one word, no filter still finds
    // every guide (ranked as a union of terms), and a filter narrows the same set.
    let all = idx.search(&SearchQuery { per_page: 20, ..q("申请表") }).unwrap();
    assert_eq!(all.total, 8);
    // The page is ranked by the union of terms: it must hold exactly the counted matches.
    let ranked: Vec<String> = all.items.iter().map(|h| h.name.clone()).collect();
    assert_eq!(sorted(ranked), sorted(catalog().into_iter().map(|o| o.name).collect()));
    // A name that is found by its exact text ranks first even with query punctuation in it.
    assert_eq!(names(&idx, q("普通护照签发"))[0], "普通护照签发");
    // Only punctuation: no word to look for, nothing found.
    assert_eq!(idx.search(&q("() - :")).unwrap().total, 0);
    let people = idx.search(&SearchQuery { audience: Some(Audience::Person), per_page: 20, ..q("申请表") }).unwrap();
    assert_eq!(people.total, 6);
    assert_eq!(all.facets["audience"]["person"], 6);
    // A word in names ranks those names first, nationwide and filtered alike.
    let first = |r: &tongban_search::SearchResults| r.items[0].name.clone();
    let nationwide = idx.search(&q("护照")).unwrap();
    let filtered = idx.search(&SearchQuery { audience: Some(Audience::Person), ..q("护照") }).unwrap();
    assert_eq!((first(&nationwide), first(&filtered)), ("普通护照签发".to_owned(), "普通护照签发".to_owned()));
}

#[test]
fn when_no_service_has_every_word_those_with_some_are_found_and_said_to_be_partial() {
    let idx = index();
    let all = idx.search(&SearchQuery { per_page: 20, page: 1, ..q("护照 签发") }).unwrap();
    assert!(!all.partial && all.total == 1, "every word matched: not partial");
    let some = idx.search(&SearchQuery { per_page: 20, page: 1, ..q("外婆 护照") }).unwrap();
    assert!(some.partial, "外婆 is in no service");
    assert_eq!(some.items.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["普通护照签发"]);
    // A filter still holds; one unknown word alone is still nothing.
    let filtered = SearchQuery { per_page: 20, page: 1, audience: Some(Audience::Organization), ..q("外婆 护照") };
    assert_eq!(idx.search(&filtered).unwrap().total, 0);
    assert!(names(&idx, q("火星移民")).is_empty(), "one word unknown: nothing, and no fallback");
}

#[test]
fn other_searches_read_a_query_by_its_words_and_its_synonyms() {
    let idx = CatalogIndex::in_memory().unwrap();
    assert_eq!(idx.readings("我要人口核验"), [vec!["人口".to_owned(), "核验".to_owned()]], "fillers dropped");
    let synonyms = tongban_domain::catalog::Synonyms::parse("户口 => 户籍\n").unwrap();
    idx.set_synonyms(synonyms, 1);
    let read = idx.readings("户口信息");
    assert_eq!(read.len(), 2, "{read:?}");
    assert!(read[1].contains(&"户籍".to_owned()), "{read:?}");
}
