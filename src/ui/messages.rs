//! The demo's own sentences, and its languages: English, built in, and
//! French, fetched from `/messages/fr.json` only for someone who chooses it
//! (their browser's languages or the switch below the page; the choice is
//! remembered).

use leptos::prelude::*;
use leptos_browser_oidc::{Messages, MessagesError, Translator};

/// The demo's sentences in English; the library's are its own table.
pub const ENGLISH: &[(&str, &str)] = &[
    ("ui.tagline", "Code flow + PKCE · tokens in memory only"),
    ("ui.language.failed", "The other language could not be loaded: {reason}. Try again later."),
    ("ui.signed_out.heading", "Sign in with OpenID Connect"),
    (
        "ui.signed_out.about",
        "This app signs you in with the authorization code flow and PKCE, verifies the ID token's signature in your browser, and keeps every token in memory only: nothing is stored, so closing the tab forgets it all.",
    ),
    ("ui.sign_in", "Sign in"),
    ("ui.signed_in.heading", "Hello, {name}"),
    ("ui.email", "Email"),
    ("ui.email.not_shared", "not shared"),
    ("ui.subject", "Subject"),
    ("ui.granted_scopes", "Granted scopes"),
    ("ui.expires_in", "Access token expires in"),
    ("ui.expires_in.unknown", "unknown (the provider did not say)"),
    ("ui.expires_in.expired", "expired"),
    ("ui.expires_in.minutes_and_seconds", "{minutes} {seconds}"),
    ("ui.bound_to", "Tokens bound to"),
    ("ui.bound_to.this_tab", "this tab's key (DPoP): a copy is useless elsewhere"),
    ("ui.bound_to.nothing", "nothing (bearer tokens: the provider offers no DPoP)"),
    ("unit.minutes#one", "{count} minute"),
    ("unit.minutes#other", "{count} minutes"),
    ("ui.sign_out", "Sign out"),
    ("ui.api.call", "Call protected API"),
    ("ui.api.calling", "Calling the API…"),
    ("ui.api.answered", "The API answered."),
    ("ui.error.heading", "Something went wrong"),
    ("ui.error.reload", "Try again"),
    ("ui.error.sign_in_again", "Try signing in again"),
    ("ui.error.back_to_start", "Back to start"),
];

/// A language the demo speaks: its tag, its name in itself (as pickers
/// show it), and where its sentences are (none: built in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language {
    pub tag: &'static str,
    pub name: &'static str,
    pub file: Option<&'static str>,
}

pub const LANGUAGES: [Language; 2] = [
    Language { tag: "en", name: "English", file: None },
    Language { tag: "fr", name: "Français", file: Some("/messages/fr.json") },
];

/// Whether the page's words have arrived, and why not if they cannot.
#[derive(Debug, Clone, Copy)]
pub struct LanguageStatus {
    /// The page waits for this before it shows any words.
    pub ready: RwSignal<bool>,
    /// Why the last language asked for could not be loaded.
    pub problem: RwSignal<Option<MessagesError>>,
}

impl LanguageStatus {
    /// Puts a status in context; `ready` if the words are already here.
    pub fn provide(ready: bool) -> Self {
        let status = Self { ready: RwSignal::new(ready), problem: RwSignal::new(None) };
        provide_context(status);
        status
    }

    /// The status in context; ready, with no problem, if there is none
    /// (a page mounted on its own, as in tests).
    pub fn get() -> Self {
        use_context::<Self>().unwrap_or_else(|| Self { ready: RwSignal::new(true), problem: RwSignal::new(None) })
    }
}

/// Where the person's choice is kept: a preference, never a secret.
const CHOICE_KEY: &str = "oidc-spa.language";

/// The first of `preferred` (BCP 47 tags, most wanted first, as
/// `navigator.languages`) that the demo speaks, by primary language;
/// English if none.
pub fn choose_language(preferred: &[String]) -> Language {
    preferred
        .iter()
        .find_map(|tag| {
            let primary = tag.split(['-', '_']).next().unwrap_or_default();
            LANGUAGES.into_iter().find(|language| language.tag.eq_ignore_ascii_case(primary))
        })
        .unwrap_or(LANGUAGES[0])
}

/// The English table: the library's and the demo's sentences.
pub fn english() -> Messages {
    Messages::english().with(ENGLISH)
}

/// The language to start in: the person's earlier choice, else their
/// browser's languages.
pub fn initial_language() -> Language {
    let window = window();
    let saved = window.local_storage().ok().flatten().and_then(|storage| storage.get_item(CHOICE_KEY).ok().flatten());
    let browser = window.navigator().languages();
    choose_language(&saved.into_iter().chain(browser.iter().filter_map(|tag| tag.as_string())).collect::<Vec<_>>())
}

/// Switches to `language`: at once for English, after its file for
/// another. A file that cannot be loaded leaves the page as it was.
pub async fn switch_to(translator: Translator, language: Language) -> Result<(), MessagesError> {
    match language.file {
        None => {
            translator.set(english());
            Ok(())
        }
        Some(file) => translator.load(Messages::new(language.tag).with(ENGLISH), file).await,
    }
}

/// Remembers `language` for the next visit (and the return from the provider).
pub fn remember(language: Language) {
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item(CHOICE_KEY, language.tag);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_spoken_language_of_the_browser_is_chosen() {
        let tags = |tags: &[&str]| tags.iter().map(|tag| tag.to_string()).collect::<Vec<_>>();
        assert_eq!(choose_language(&tags(&["fr-CA", "en-US"])).tag, "fr");
        assert_eq!(choose_language(&tags(&["de-DE", "FR"])).tag, "fr");
        assert_eq!(choose_language(&tags(&["en-GB", "fr"])).tag, "en");
        assert_eq!(choose_language(&tags(&["de", "ja"])).tag, "en", "English when none is spoken");
        assert_eq!(choose_language(&[]).tag, "en");
        assert_eq!(choose_language(&tags(&["frr"])).tag, "en", "North Frisian is not French");
    }

    /// Every `{name}` a template quotes.
    fn placeholders(template: &str) -> std::collections::BTreeSet<&str> {
        template.split('{').skip(1).filter_map(|rest| rest.split_once('}')).map(|(name, _)| name).collect()
    }

    #[test]
    fn french_words_every_sentence_and_quotes_what_english_quotes() {
        let file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/public/messages/fr.json")).unwrap();
        let french: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&file).unwrap();
        let english: Vec<(&str, &str)> = browser_oidc::messages::ENGLISH.iter().chain(ENGLISH).copied().collect();
        // Words French spells as English does.
        let same_in_french = ["ui.expires_in.minutes_and_seconds", "unit.minutes#one", "unit.minutes#other"];
        for (id, template) in &english {
            let translated = french.get(*id).and_then(|value| value.as_str());
            let translated = translated.unwrap_or_else(|| panic!("fr.json lacks {id}"));
            assert_eq!(placeholders(translated), placeholders(template), "{id}: {translated}");
            if !same_in_french.contains(id) {
                assert_ne!(translated, *template, "{id} is not translated");
            }
        }
        let unknown: Vec<_> = french.keys().filter(|id| !english.iter().any(|(known, _)| known == id)).collect();
        assert!(unknown.is_empty(), "fr.json words ids no code uses: {unknown:?}");
    }

    /// The sources of the demo's pages (not of this table).
    fn pages() -> String {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/ui");
        std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| !path.ends_with("messages.rs"))
            .map(|path| std::fs::read_to_string(path).unwrap())
            .collect()
    }

    #[test]
    fn every_id_the_pages_use_is_worded() {
        let pages = pages();
        let worded = |id: &str| {
            browser_oidc::messages::ENGLISH.iter().chain(ENGLISH).any(|(known, _)| known.split('#').next() == Some(id))
        };
        let mut used = 0;
        for call in ["sentence(\"", ".get(\"", "Text::new(\"", "Text::counted(\""] {
            for (at, _) in pages.match_indices(call) {
                let rest = &pages[at + call.len()..];
                let id = &rest[..rest.find('"').unwrap()];
                assert!(worded(id), "{id} is used but no table words it");
                used += 1;
            }
        }
        assert!(used > 20, "the scan found only {used} ids");
    }

    #[test]
    fn every_sentence_of_the_demo_is_used_by_its_pages() {
        let pages = pages();
        for (id, _) in ENGLISH {
            let id = id.split('#').next().unwrap();
            assert!(pages.contains(&format!("\"{id}\"")), "{id} is worded but never shown");
        }
    }

    #[test]
    fn every_language_but_english_has_its_file() {
        assert_eq!(LANGUAGES[0].file, None, "English is built in");
        for language in &LANGUAGES[1..] {
            let file = language.file.unwrap();
            assert!(std::path::Path::new(&format!("{}/public{file}", env!("CARGO_MANIFEST_DIR"))).exists(), "{file}");
        }
    }
}
