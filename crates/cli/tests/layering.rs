//! The guard of the layering inside each crate: the top-level modules of a crate may not import
//! each other in a circle. A module names another by a `crate::` path (or by enough `super::` to
//! reach the crate's root); items the root re-exports (`pub use x::Y`) count as module `x`'s.
//! On a circle the test prints every edge of it with the file and line that makes it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeMap<String, Vec<String>>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// The first segment of each path in a `{…}` group starting at `s` (just after the brace).
fn group_heads(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut heads) = (1, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' | ',' if depth == 1 => {
                heads.push(ident(s[start..i].trim_start()));
                start = i + 1;
                if c == '}' {
                    break;
                }
            }
            '}' => depth -= 1,
            _ => {}
        }
    }
    heads.into_iter().filter(|h| !h.is_empty()).collect()
}

/// The root items a crate's module references, with the line of each reference.
fn references(text: &str, depth: usize) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = ["crate::", "super::"].iter().filter_map(|p| rest.find(p)).min() {
            let (mut tail, mut climbs) = (&rest[at..], 0);
            let from_root = tail.starts_with("crate::");
            if from_root {
                tail = &tail["crate::".len()..];
            } else {
                while let Some(t) = tail.strip_prefix("super::") {
                    tail = t;
                    climbs += 1;
                }
            }
            if from_root || climbs == depth {
                if let Some(group) = tail.strip_prefix('{') {
                    out.extend(group_heads(group).into_iter().map(|h| (h.to_owned(), n + 1)));
                } else {
                    out.push((ident(tail).to_owned(), n + 1));
                }
            }
            rest = &rest[at + 7..];
        }
    }
    out
}

/// Top-level module → module it references → where.
fn graph(src: &Path) -> Graph {
    let root_file = ["lib.rs", "main.rs"].iter().map(|f| src.join(f)).find(|p| p.exists()).expect("a crate root");
    let root = std::fs::read_to_string(&root_file).expect("readable root");
    let mut modules = BTreeSet::new();
    let mut reexports = BTreeMap::new();
    for line in root.lines().map(str::trim) {
        let line = line.strip_prefix("pub ").or_else(|| line.strip_prefix("pub(crate) ")).unwrap_or(line);
        if let Some(m) = line.strip_prefix("mod ").filter(|l| l.ends_with(';')) {
            modules.insert(ident(m).to_owned());
        } else if let Some(u) = line.strip_prefix("use ") {
            let module = ident(u).to_owned();
            let items = u[module.len()..].trim_start_matches("::");
            let items: Vec<&str> = match items.strip_prefix('{') {
                Some(g) => group_heads(g),
                None => vec![ident(items.rsplit("::").next().unwrap_or_default())],
            };
            for item in items {
                reexports.insert(item.to_owned(), module.clone());
            }
        }
    }
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut g = Graph::new();
    for file in files.into_iter().filter(|f| *f != root_file) {
        let rel = file.strip_prefix(src).expect("under src");
        let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned()).collect();
        let depth = parts.len() - usize::from(parts.last().is_some_and(|p| p == "mod"));
        let from = parts[0].clone();
        let text = std::fs::read_to_string(&file).expect("readable source");
        for (item, line) in references(&text, depth) {
            let to = reexports.get(&item).cloned().unwrap_or(item);
            if to != from && modules.contains(&to) {
                let at = format!("{}:{line}", rel.display());
                let places = g.entry(from.clone()).or_default().entry(to).or_default();
                if !places.contains(&at) {
                    places.push(at);
                }
            }
        }
    }
    g
}

/// The strongly connected components of more than one module (Tarjan).
fn circles(g: &Graph) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        for w in t.g.get(v).into_iter().flat_map(|e| e.keys()) {
            if !t.index.contains_key(w.as_str()) {
                visit(t, w);
                let lw = t.low[w.as_str()];
                t.low.entry(v).and_modify(|l| *l = (*l).min(lw));
            } else if t.stack.contains(&w.as_str()) {
                let iw = t.index[w.as_str()];
                t.low.entry(v).and_modify(|l| *l = (*l).min(iw));
            }
        }
        if t.low[v] == t.index[v] {
            let mut component = Vec::new();
            while let Some(w) = t.stack.pop() {
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                t.out.push(component);
            }
        }
    }
    let mut t = T { g, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), out: Vec::new() };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_crate_has_modules_importing_each_other_in_a_circle() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the crates folder").to_path_buf();
    let mut report = String::new();
    let mut names: Vec<PathBuf> =
        std::fs::read_dir(&crates).expect("crates").map(|e| e.expect("entry").path().join("src")).collect();
    names.sort();
    for src in names.into_iter().filter(|s| s.is_dir()) {
        let g = graph(&src);
        for circle in circles(&g) {
            report += &format!("\n{}: modules in a circle: {}\n", src.display(), circle.join(", "));
            for from in &circle {
                for (to, places) in g[from].iter().filter(|(to, _)| circle.contains(to)) {
                    report += &format!("  {from} -> {to}  ({})\n", places.join(", "));
                }
            }
        }
    }
    assert!(report.is_empty(), "each module may only use modules below it:{report}");
}

#[test]
fn the_guard_sees_a_circle() {
    let dir = std::env::temp_dir().join(format!("tongban-layering-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod a;\nmod b;\nmod c;\npub use c::Thing;\n").unwrap();
    std::fs::write(dir.join("a.rs"), "use crate::{b::x, Thing};\n// crate::c in a comment is no edge\n").unwrap();
    std::fs::write(dir.join("b/mod.rs"), "mod y;\n").unwrap();
    std::fs::write(dir.join("b/y.rs"), "fn f() { super::super::c::g() }\n").unwrap();
    std::fs::write(dir.join("c.rs"), "fn g() { crate::a::h() }\n").unwrap();
    let g = graph(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(circles(&g), vec![vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]], "{g:?}");
    assert_eq!(g["a"]["c"], vec!["a.rs:1".to_owned()], "a re-exported item counts as its module's");
}
