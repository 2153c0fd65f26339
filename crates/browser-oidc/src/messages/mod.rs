//! Every sentence a person reads, from one table an app can replace.
//!
//! Each error, notice and progress caption names its sentence with a
//! [`Text`]: an id such as `callback.state_mismatch`, and the values the
//! sentence quotes. A [`Messages`] table turns the id into words. The
//! library's English is [`ENGLISH`]; an app replaces any entry, adds its
//! own, or loads a whole language (`Messages::new("fr")` and
//! [`Messages::set`]), and ids a table lacks read in English.
//!
//! A template quotes values as `{name}`. A counted sentence has one entry
//! per plural category, `id#one`, `id#other` and so on (CLDR names, as
//! `Intl.PluralRules.select` returns them), and `{count}` is the number;
//! `id#other` is used for a category the table does not word.

mod english;

use std::borrow::Cow;

pub use english::ENGLISH;

/// Anything a person may be told: an error, a notice, a caption.
pub trait Describe {
    /// The sentence, by id, with the values it quotes.
    fn text(&self) -> Text;
}

/// A sentence by its id in a [`Messages`] table, with the values it quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    id: &'static str,
    count: Option<u64>,
    args: Vec<(&'static str, Arg)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Arg {
    Text(Text),
    Verbatim(String),
}

/// Longest value quoted verbatim: values come from configuration files,
/// providers and tokens, and a message must stay a sentence.
const MAX_QUOTED_CHARS: usize = 80;

impl Text {
    /// The sentence `id`.
    pub fn new(id: &'static str) -> Self {
        Self { id, count: None, args: Vec::new() }
    }

    /// The sentence `id` worded for `count` (its plural category picks the entry).
    pub fn counted(id: &'static str, count: u64) -> Self {
        Self { count: Some(count), ..Self::new(id) }
    }

    /// Fills `{name}` with another sentence.
    pub fn with(mut self, name: &'static str, text: Text) -> Self {
        self.args.push((name, Arg::Text(text)));
        self
    }

    /// Fills `{name}` with `value` as it is (a field name, a status, a URL),
    /// shortened, and without control, format or separator characters:
    /// bidirectional overrides, zero-width and line-breaking characters
    /// could make the rest of the sentence read differently.
    pub fn quoting(self, name: &'static str, value: impl std::fmt::Display) -> Self {
        self.quoting_text(name, &value.to_string())
    }

    /// [`Text::quoting`]'s work, once in the wasm rather than once per type quoted.
    fn quoting_text(mut self, name: &'static str, value: &str) -> Self {
        let visible: Vec<char> = value.chars().filter(|c| !is_invisible(*c)).collect();
        let mut quoted: String = visible.iter().take(MAX_QUOTED_CHARS).collect();
        if visible.len() > MAX_QUOTED_CHARS {
            quoted.push('…');
        }
        self.args.push((name, Arg::Verbatim(quoted)));
        self
    }

    /// The id, which an app's table words.
    pub fn id(&self) -> &'static str {
        self.id
    }
}

/// A control (Cc), format (Cf), line or paragraph separator (Zl, Zp), or
/// default-ignorable character (fillers, variation selectors): the Unicode
/// 16 code points of those kinds, none of which shows as itself.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{ad}' | '\u{34f}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}'
            | '\u{890}'..='\u{891}' | '\u{8e2}' | '\u{115f}'..='\u{1160}' | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}' | '\u{110bd}' | '\u{110cd}' | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}' | '\u{e0000}'..='\u{e0fff}')
}

/// Is `tag` shaped like a BCP 47 language tag (`fr`, `pt-BR`,
/// `zh-Hant-TW`, `x-klingon`)? Subtags of 1 to 8 letters or digits joined
/// by `-`: first a language of 2 to 8 letters (or the singleton `x` or
/// `i`), and every singleton followed by a subtag. A shape check, not a
/// registry lookup; only such a tag is sent to a provider as `ui_locales`.
pub fn is_language_tag(tag: &str) -> bool {
    let subtags: Vec<&str> = tag.split('-').collect();
    let alphanumeric = |subtag: &&str| (1..=8).contains(&subtag.len()) && subtag.bytes().all(|b| b.is_ascii_alphanumeric());
    let first = subtags[0];
    let language = (2..=8).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_alphabetic());
    let private = matches!(first.to_ascii_lowercase().as_str(), "x" | "i");
    let singleton_last = subtags.last().is_some_and(|last| last.len() == 1);
    (language || private) && subtags.iter().all(alphanumeric) && !singleton_last
}

/// A CLDR plural category, as `Intl.PluralRules.select` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluralCategory {
    /// `zero`
    Zero,
    /// `one`
    One,
    /// `two`
    Two,
    /// `few`
    Few,
    /// `many`
    Many,
    /// `other`
    Other,
}

impl PluralCategory {
    /// The category named `name`; `other` for a name CLDR does not have.
    pub fn from_name(name: &str) -> Self {
        match name {
            "zero" => Self::Zero,
            "one" => Self::One,
            "two" => Self::Two,
            "few" => Self::Few,
            "many" => Self::Many,
            _ => Self::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Zero => "zero",
            Self::One => "one",
            Self::Two => "two",
            Self::Few => "few",
            Self::Many => "many",
            Self::Other => "other",
        }
    }

    /// English's rule, for [`Display`](std::fmt::Display) and tests; a
    /// browser gives every language's rule through `Intl.PluralRules`.
    pub fn english(count: u64) -> Self {
        if count == 1 { Self::One } else { Self::Other }
    }
}

/// A messages table: templates by id, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Messages {
    language: Cow<'static, str>,
    entries: Vec<(Cow<'static, str>, Cow<'static, str>)>,
}

impl Default for Messages {
    fn default() -> Self {
        Self::english()
    }
}

impl Messages {
    /// The library's English, with nothing replaced.
    pub fn english() -> Self {
        Self::new("en")
    }

    /// A table in `language` (a BCP 47 tag such as `fr` or `pt-BR`), empty
    /// until entries are set: every id reads in English till then.
    pub fn new(language: impl Into<Cow<'static, str>>) -> Self {
        Self { language: language.into(), entries: Vec::new() }
    }

    /// The language tag, for `<html lang>`, `ui_locales` and plural rules.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// Words `id` (or one plural form, `id#one`) with `template`, replacing
    /// what the table had.
    pub fn set(&mut self, id: impl Into<Cow<'static, str>>, template: impl Into<Cow<'static, str>>) {
        let (id, template) = (id.into(), template.into());
        match self.entries.iter_mut().find(|(known, _)| *known == id) {
            Some(entry) => entry.1 = template,
            None => self.entries.push((id, template)),
        }
    }

    /// This table with every entry of `entries` set, such as an app's own
    /// sentences next to the library's.
    pub fn with(mut self, entries: &'static [(&'static str, &'static str)]) -> Self {
        for (id, template) in entries {
            self.set(*id, *template);
        }
        self
    }

    /// Sets every entry of `json`, an object of id → template such as a
    /// language file; a file that is not one sets nothing.
    pub fn set_json(&mut self, json: &str) -> Result<(), MessagesError> {
        let Some(entries) = crate::json::parse::<crate::json::Object>(json) else {
            return Err(MessagesError::NotAnObject);
        };
        let mut templates = Vec::with_capacity(entries.len());
        for (id, template) in entries {
            match template {
                crate::json::Value::String(template) => templates.push((id, template)),
                _ => return Err(MessagesError::NotText(id)),
            }
        }
        for (id, template) in templates {
            self.set(id, template);
        }
        Ok(())
    }

    /// The template for `id`: this table's, else the library's English.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(known, _)| known == id)
            .map(|(_, template)| template.as_ref())
            .or_else(|| ENGLISH.iter().find(|(known, _)| *known == id).map(|(_, template)| *template))
    }

    /// `text` in words; `plural` gives the category of a count in this
    /// table's language. An id no table words shows as itself, so a gap is
    /// visible rather than blank.
    pub fn render(&self, text: &Text, plural: &dyn Fn(u64) -> PluralCategory) -> String {
        let template = match text.count {
            Some(count) => {
                let form = |category: PluralCategory| self.get(&format!("{}#{}", text.id, category.name()));
                form(plural(count)).or_else(|| form(PluralCategory::Other))
            }
            None => self.get(text.id),
        };
        let Some(template) = template else { return text.id.to_owned() };
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|close| open + close) else { break };
            out.push_str(&rest[..open]);
            let name = &rest[open + 1..close];
            match (name, text.count) {
                ("count", Some(count)) => out.push_str(&count.to_string()),
                _ => match text.args.iter().find(|(known, _)| *known == name) {
                    Some((_, Arg::Text(inner))) => out.push_str(&self.render(inner, plural)),
                    Some((_, Arg::Verbatim(value))) => out.push_str(value),
                    None => out.push_str(&rest[open..=close]),
                },
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Why a messages file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessagesError {
    /// The file could not be fetched from `url`: no answer (`status` is
    /// `None`), or an HTTP status other than 200.
    Unavailable {
        /// Where the file was fetched from.
        url: String,
        /// The HTTP status, if the server answered.
        status: Option<u16>,
    },
    /// The file is not a JSON object.
    NotAnObject,
    /// The entry for this id is not a string.
    NotText(String),
}

impl Describe for MessagesError {
    fn text(&self) -> Text {
        match self {
            Self::Unavailable { url, status: Some(status) } => {
                Text::new("messages.unavailable").quoting("url", url).quoting("status", status)
            }
            Self::Unavailable { url, status: None } => Text::new("messages.unanswered").quoting("url", url),
            Self::NotAnObject => Text::new("messages.not_an_object"),
            Self::NotText(id) => Text::new("messages.not_text").quoting("id", id),
        }
    }
}

display_in_english!(MessagesError);

/// `message` in the library's English: its `Display`.
pub fn in_english(message: &impl Describe) -> String {
    Messages::english().render(&message.text(), &PluralCategory::english)
}

/// `Display` in English, through the table, for types that [`Describe`].
macro_rules! display_in_english {
    ($($type:ty),+ $(,)?) => {$(
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&$crate::messages::in_english(self))
            }
        }
    )+};
}
pub(crate) use display_in_english;

#[cfg(test)]
mod tests;
