//! The messages table for the components below: every sentence a person
//! reads, in the language the app chose. The table itself (ids, English,
//! templates) is `browser_oidc::messages`; this adds the browser's plural
//! rules, `<html lang>` and reactivity.

use browser_oidc::messages::{Describe, Messages, MessagesError, PluralCategory, Text, is_language_tag};
use browser_oidc::oauth::http::{HttpClient, HttpRequest};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::browser::fetch::Fetch;

/// The messages handle: `Copy`. Get it with [`use_messages`].
///
/// Its methods read the table reactively: text rendered in a closure
/// follows a change of language.
#[derive(Clone, Copy)]
pub struct Translator {
    table: RwSignal<Messages>,
    plural: StoredValue<Option<PluralRules>, LocalStorage>,
}

/// Words every sentence below with `messages`: sets `<html lang>` to its
/// language, picks plurals with `Intl.PluralRules` for it, and sends it to
/// the provider as `ui_locales` on each sign-in (unless the sign-in's
/// options name other languages) and sign-out. Call it before
/// [`provide_auth`](crate::provide_auth), which keeps the handle. Without
/// it, the library reads English.
///
/// ```no_run
/// use leptos_browser_oidc::{Messages, provide_messages};
///
/// let mut french = Messages::new("fr");
/// french.set("notice.signed_out", "Vous êtes déconnecté.");
/// provide_messages(french);
/// ```
pub fn provide_messages(messages: Messages) -> Translator {
    let translator = Translator {
        table: RwSignal::new(Messages::english()),
        plural: StoredValue::new_local(None),
    };
    translator.set(messages);
    provide_context(translator);
    translator
}

/// The messages handle provided above this component. Without one, a new
/// handle on the library's English for this caller alone: it is never sent
/// as `ui_locales`, and changing it rewords only what this caller renders.
pub fn use_messages() -> Translator {
    use_context::<Translator>().unwrap_or_else(|| Translator {
        table: RwSignal::new(Messages::english()),
        plural: StoredValue::new_local(None),
    })
}

/// The handle the app provided above this point, if any.
pub(crate) fn provided() -> Option<Translator> {
    use_context::<Translator>()
}

impl Translator {
    /// The sentence for an error, a notice, a caption or any [`Describe`].
    pub fn text(&self, message: &impl Describe) -> String {
        self.render(&message.text())
    }

    /// The sentence `text` names.
    pub fn render(&self, text: &Text) -> String {
        let plural = self.plural;
        self.table.with(|table| {
            table.render(text, &|count| {
                plural.with_value(|rules| match rules {
                    Some(rules) => PluralCategory::from_name(&rules.select(count as f64)),
                    None => PluralCategory::english(count),
                })
            })
        })
    }

    /// The app's own sentence `id`, with nothing to quote.
    pub fn get(&self, id: &'static str) -> String {
        self.render(&Text::new(id))
    }

    /// The sentence `id` for a view: reworded in place when the language
    /// changes. Every call returns the same type of closure, so a page of
    /// sentences costs one copy of the rendering code in the wasm, where a
    /// `move || t.get(id)` per sentence would cost one each.
    pub fn sentence(self, id: &'static str) -> impl Fn() -> String + Copy + 'static {
        move || self.get(id)
    }

    /// `text` for a view, as [`Translator::sentence`].
    pub fn sentence_of(self, text: Text) -> impl Fn() -> String + 'static {
        move || self.render(&text)
    }

    /// Changes the table, such as to a language loaded later.
    pub fn set(&self, messages: Messages) {
        let language = messages.language().to_owned();
        // A tag the browser does not know keeps English plurals.
        let rules = if cfg!(target_arch = "wasm32") { PluralRules::new(&language).ok() } else { None };
        self.plural.set_value(rules);
        if let Some(root) = document_element() {
            root.set_attribute("lang", &language).ok();
        }
        self.table.set(messages);
    }

    /// Fetches `url`, a JSON object of id → template such as
    /// `/messages/fr.json`, sets its entries over `base` (the language's
    /// tag, and any sentences of the app's own that the file may lack), and
    /// switches to the result. On an error the current table stays.
    ///
    /// Fetched only when called, so a language costs nothing to those who
    /// never choose it.
    pub async fn load(self, mut base: Messages, url: &str) -> Result<(), MessagesError> {
        let unavailable = |status| MessagesError::Unavailable { url: url.to_owned(), status };
        let response = Fetch.send(HttpRequest::get_public_document(url)).await.map_err(|_| unavailable(None))?;
        if response.status != 200 {
            return Err(unavailable(Some(response.status)));
        }
        base.set_json(&response.body)?;
        self.set(base);
        Ok(())
    }

    /// The table's language tag.
    pub fn language(&self) -> String {
        self.table.with(|table| table.language().to_owned())
    }

    /// The language for a provider's `ui_locales`, if the tag is one (and
    /// the table still exists: its owner may have been disposed).
    pub(crate) fn ui_locales(&self) -> Option<String> {
        let language = self.table.try_with_untracked(|table| table.language().to_owned())?;
        is_language_tag(&language).then_some(language)
    }
}

fn document_element() -> Option<web_sys::Element> {
    if !cfg!(target_arch = "wasm32") {
        return None; // no document on a server
    }
    web_sys::window()?.document()?.document_element()
}

#[wasm_bindgen]
extern "C" {
    /// `Intl.PluralRules`, constructed so that a bad tag is an error, not a throw.
    #[derive(Clone)]
    type PluralRules;

    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str) -> Result<PluralRules, JsValue>;

    #[wasm_bindgen(method)]
    fn select(this: &PluralRules, count: f64) -> String;
}
