use super::*;

/// French's rule as CLDR states it (0 and 1 are singular), written out
/// here so these tests do not lean on the code under test.
fn french(count: u64) -> PluralCategory {
    if count <= 1 { PluralCategory::One } else { PluralCategory::Other }
}

#[test]
fn a_template_quotes_values_and_nested_sentences() {
    let mut table = Messages::new("fr");
    table.set("outer", "Échec : {reason} ({code}).");
    table.set("inner", "la réponse est refusée");
    let text = Text::new("outer").with("reason", Text::new("inner")).quoting("code", "x_y");
    assert_eq!(table.render(&text, &french), "Échec : la réponse est refusée (x_y).");
}

#[test]
fn the_plural_form_is_the_languages_category_of_the_count() {
    let mut table = Messages::new("fr");
    table.set("unit.seconds#one", "{count} seconde");
    table.set("unit.seconds#other", "{count} secondes");
    let seconds = |n| table.render(&Text::counted("unit.seconds", n), &french);
    assert_eq!(seconds(0), "0 seconde", "French counts zero as one");
    assert_eq!(seconds(1), "1 seconde");
    assert_eq!(seconds(2), "2 secondes");
    // English's rule, from the library's own table: zero is plural there.
    let english = Messages::english();
    assert_eq!(english.render(&Text::counted("unit.seconds", 0), &PluralCategory::english), "0 seconds");
    assert_eq!(english.render(&Text::counted("unit.seconds", 1), &PluralCategory::english), "1 second");
}

#[test]
fn a_category_the_table_does_not_word_falls_back_to_other() {
    let mut table = Messages::new("pl");
    table.set("unit.seconds#other", "{count} s.");
    let text = Text::counted("unit.seconds", 5);
    assert_eq!(table.render(&text, &|_| PluralCategory::Few), "5 s.");
}

#[test]
fn an_id_the_table_lacks_reads_in_english_and_an_unknown_id_shows_itself() {
    let table = Messages::new("fr");
    assert_eq!(table.render(&Text::new("notice.signed_out"), &french), "You have been signed out.");
    assert_eq!(table.render(&Text::new("no.such.id"), &french), "no.such.id");
}

#[test]
fn setting_an_id_twice_keeps_the_last_wording() {
    let mut table = Messages::english();
    table.set("notice.signed_out", "Bye.");
    table.set("notice.signed_out", "See you.");
    assert_eq!(table.get("notice.signed_out"), Some("See you."));
    assert_eq!(Messages::english().with(&[("notice.signed_out", "Bye.")]).get("notice.signed_out"), Some("Bye."));
}

#[test]
fn a_quoted_value_is_shortened_and_loses_control_characters() {
    let long = "a".repeat(200);
    let text = Text::new("unreachable").quoting("url", format!("{long}\n\u{202e}"));
    let rendered = Messages::english().render(&text, &PluralCategory::english);
    assert_eq!(rendered, format!("could not reach {}…", "a".repeat(MAX_QUOTED_CHARS)));
    let text = Text::new("unreachable").quoting("url", "http://x/\r\nInjected\u{202e}lmth.\u{2066}");
    assert_eq!(Messages::english().render(&text, &PluralCategory::english), "could not reach http://x/Injectedlmth.");
}

#[test]
fn a_brace_without_a_value_stays_as_written() {
    let mut table = Messages::new("en");
    table.set("t", "{missing} and {unclosed");
    assert_eq!(table.render(&Text::new("t"), &PluralCategory::english), "{missing} and {unclosed");
}

#[test]
fn english_has_one_entry_per_id() {
    let mut ids: Vec<&str> = ENGLISH.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "an id is worded twice");
}

#[test]
fn every_template_quotes_only_values_well_formed() {
    for (id, template) in ENGLISH {
        assert_eq!(template.matches('{').count(), template.matches('}').count(), "{id}: {template}");
        assert!(!template.is_empty(), "{id}");
    }
}

#[test]
fn a_language_file_sets_its_entries_or_nothing() {
    let mut table = Messages::new("fr");
    table.set_json(r#"{"notice.signed_out": "Vous êtes déconnecté.", "unit.seconds#one": "{count} seconde"}"#).unwrap();
    assert_eq!(table.get("notice.signed_out"), Some("Vous êtes déconnecté."));
    assert_eq!(table.render(&Text::counted("unit.seconds", 0), &french), "0 seconde");

    let mut untouched = Messages::new("fr");
    assert_eq!(untouched.set_json("[1]"), Err(MessagesError::NotAnObject));
    assert_eq!(untouched.set_json("not json"), Err(MessagesError::NotAnObject));
    assert_eq!(
        untouched.set_json(r#"{"notice.signed_out": "Au revoir", "notice.session_ended": 3}"#),
        Err(MessagesError::NotText("notice.session_ended".into()))
    );
    assert_eq!(untouched, Messages::new("fr"), "a bad file sets nothing");
}

#[test]
fn quoted_values_lose_every_invisible_character() {
    // Written out from the Unicode tables (Cf, Zl, Zp), not from the filter.
    for invisible in [
        '\u{200b}', '\u{200e}', '\u{200f}', '\u{61c}', '\u{feff}', '\u{2028}', '\u{2029}', '\u{ad}', '\u{2060}',
        '\u{e0041}', '\u{3164}', '\u{fe0f}', '\u{34f}', '\u{e0100}',
    ] {
        let text = Text::new("unreachable").quoting("url", format!("a{invisible}b"));
        assert_eq!(Messages::english().render(&text, &PluralCategory::english), "could not reach ab", "U+{:04X}", invisible as u32);
    }
    // What people write stays.
    // Only what shows counts towards the length: nothing cut, no ellipsis.
    let exactly_full = format!("{}\u{200b}\u{200b}", "a".repeat(MAX_QUOTED_CHARS));
    let text = Text::new("unreachable").quoting("url", exactly_full);
    assert_eq!(Messages::english().render(&text, &PluralCategory::english), format!("could not reach {}", "a".repeat(MAX_QUOTED_CHARS)));
    let text = Text::new("unreachable").quoting("url", "https://exemple.fr/é?q=ü 1");
    assert_eq!(Messages::english().render(&text, &PluralCategory::english), "could not reach https://exemple.fr/é?q=ü 1");
}

#[test]
fn only_a_language_tag_is_one() {
    for tag in ["fr", "en", "pt-BR", "zh-Hant-TW", "de-CH-1996", "x-klingon"] {
        assert!(is_language_tag(tag), "{tag}");
    }
    for tag in ["", "pt BR", "fr,en", "fr_FR", "-fr", "fr-", "toolongtag", "fr-abcdefghi", "12", "fr\"", "é", "a", "q-b", "fr-x", "x"] {
        assert!(!is_language_tag(tag), "{tag}");
    }
}

#[test]
fn a_text_names_its_id_and_a_table_its_language() {
    assert_eq!(Text::new("callback.state_mismatch").id(), "callback.state_mismatch");
    assert_eq!(Messages::new("fr").language(), "fr");
}

#[test]
fn every_cldr_category_is_read_by_name_and_anything_else_is_other() {
    let read = ["zero", "one", "two", "few", "many", "other", "One", ""].map(PluralCategory::from_name);
    use PluralCategory::*;
    assert_eq!(read, [Zero, One, Two, Few, Many, Other, Other, Other]);
}
