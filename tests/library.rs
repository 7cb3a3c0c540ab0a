//! The library without the CLI (issue 12): what a caller of `dipgraph` as a crate can do
//! with the same results as the binary.

use crate::util::{dipgraph, repo, run, TestStore, SAMPLE};
use dipgraph::store::{Engine, ImportOptions, Input, OpenMode, Store};
use dipgraph::vocab::Vocab;

#[test]
fn issue_12_the_library_import_chooses_the_reader_by_format() {
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    let graphml = s.run(&["export", "--all"]).ok().stdout;
    let jsonl = s.dump();
    let vocab = Vocab::embedded().unwrap();
    // GraphML recognised by its first bytes (the name says nothing), JSON Lines beside it;
    // the two hold the same records, which merge into one store.
    for inputs in [
        vec![("export", graphml.clone())],
        vec![("a.graphml", graphml.clone()), ("b.jsonl", jsonl.clone())],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.db");
        let store = Store::open(&path, OpenMode::CreateWith(Engine::Redb)).unwrap();
        let inputs = inputs
            .into_iter()
            .map(|(name, text)| Input {
                name: name.into(),
                reader: Box::new(std::io::Cursor::new(text.into_bytes())),
            })
            .collect();
        let report = store.import(inputs, &vocab, &ImportOptions::default()).unwrap();
        assert!(report.rejected.is_empty());
        drop(store);
        let dumped = run(dipgraph().arg("--db").arg(&path).arg("dump")).ok().stdout;
        assert_eq!(dumped, jsonl);
    }
}

#[test]
fn issue_12_the_library_import_reports_graphml_errors_with_file_and_line() {
    let vocab = Vocab::embedded().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("lib.db"), OpenMode::CreateWith(Engine::Redb)).unwrap();
    let bad = "<?xml version=\"1.0\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n<graph edgedefault=\"undirected\">\n<node id=\"x\"><data key=\"nope\">1</data></node>\n</graph>\n</graphml>\n";
    let input = Input {
        name: "bad.xml".into(),
        reader: Box::new(bad.as_bytes()),
    };
    let err = store
        .import(vec![input], &vocab, &ImportOptions::default())
        .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("bad.xml:"), "{text}");
    assert!(store.is_empty().unwrap(), "nothing was written");
}

#[test]
fn issue_12_neighbors_text_names_each_node_beside_its_key() {
    let s = TestStore::new("redb");
    s.import(&repo(SAMPLE)).ok();
    let r = s.run(&["neighbors", "Germany", "--until", "2022-05"]).ok();
    r.stdout
        .lines()
        .find(|l| *l == "  0 DEU Germany (country)")
        .expect(&r.stdout);
    r.stdout
        .lines()
        .find(|l| {
            *l == "  1 ev:2022-05-doelger-appointment Robert Dölger appointed German Ambassador Extraordinary and Plenipotentiary in Rabat (event:appointment)"
        })
        .expect(&r.stdout);
}
