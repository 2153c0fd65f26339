//! The English table and the code agree: every id the code names is
//! worded, and every worded id is used. A gap would show a person an id.

use std::collections::BTreeSet;
use std::path::Path;

use browser_oidc::messages::ENGLISH;

/// Every id given to `Text::new` or `Text::counted` in `dir`'s sources.
fn ids_in_code(dir: &Path, ids: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            ids_in_code(&path, ids);
        } else if path.extension().is_some_and(|ext| ext == "rs") && !path.ends_with("messages/tests.rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            for call in ["Text::new(\"", "Text::counted(\"", "because(\""] {
                for (at, _) in source.match_indices(call) {
                    let rest = &source[at + call.len()..];
                    ids.insert(rest[..rest.find('"').unwrap()].to_owned());
                }
            }
            // Ids picked by a `match` and then given to `Text::new(id)`.
            for line in source.lines().map(str::trim) {
                if let Some(rest) = line.split("=> \"").nth(1) {
                    let id = &rest[..rest.find('"').unwrap()];
                    if id.contains('.') && !id.contains(' ') {
                        ids.insert(id.to_owned());
                    }
                }
            }
        }
    }
}

#[test]
fn every_id_in_the_code_is_worded_in_english_and_every_english_id_is_used() {
    let mut used = BTreeSet::new();
    ids_in_code(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut used);
    // A counted id is worded per plural category: `unit.seconds#one`, `#other`.
    let worded: BTreeSet<String> =
        ENGLISH.iter().map(|(id, _)| id.split('#').next().unwrap().to_owned()).collect();
    let unworded: Vec<_> = used.difference(&worded).collect();
    assert!(unworded.is_empty(), "ids with no English: {unworded:?}");
    let unused: Vec<_> = worded.difference(&used).collect();
    assert!(unused.is_empty(), "English no code uses: {unused:?}");
    assert!(used.len() > 100, "the scan found only {} ids", used.len());
}

#[test]
fn every_counted_id_has_an_other_form() {
    for (id, _) in ENGLISH.iter().filter(|(id, _)| id.contains('#')) {
        let base = id.split('#').next().unwrap();
        assert!(ENGLISH.iter().any(|(other, _)| *other == format!("{base}#other")), "{id}");
    }
}
