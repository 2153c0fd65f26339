//! JSON, read and written with miniserde: one small parser shared by every
//! document the client reads (discovery, keys, token and UserInfo answers,
//! ID-token claims, the configuration, language files, its own transit
//! data). It is not generic per type, so it costs the wasm a fraction of
//! serde_json's code; and parsing, writing and dropping never recurse, so
//! no nesting can overflow the stack there.
//!
//! A member name given twice: a JOSE header or a claims set that repeats
//! one is refused ([`member_names`], RFC 7515 §4, RFC 7519 §4); elsewhere
//! the last value counts.

pub use miniserde::de::Deserialize;
pub use miniserde::json::{Array, Number, Object, Value};
pub use miniserde::ser::Serialize;

/// Reads `text` as a `T`; `None` for anything else (miniserde's errors
/// carry no detail, so they cannot echo a token either).
pub fn parse<T: Deserialize>(text: &str) -> Option<T> {
    miniserde::json::from_str(text).ok()
}

/// `value` as JSON text.
pub fn to_string<T: ?Sized + Serialize>(value: &T) -> String {
    miniserde::json::to_string(value)
}

/// The text of a JSON string.
pub fn as_str(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) => Some(text),
        _ => None,
    }
}

/// A JSON `true` or `false`.
pub fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        _ => None,
    }
}

/// A JSON integer that fits an `i64` (not `1.0`: a fraction is no integer here).
pub fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(Number::I64(n)) => Some(*n),
        Value::Number(Number::U64(n)) => i64::try_from(*n).ok(),
        _ => None,
    }
}

/// A JSON integer that fits a `u64`.
pub fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(Number::U64(n)) => Some(*n),
        Value::Number(Number::I64(n)) => u64::try_from(*n).ok(),
        _ => None,
    }
}

/// The most members [`member_names`] takes: far more than any JOSE header
/// or claims set has, and few enough that comparing names stays cheap.
pub const MAX_MEMBERS: usize = 1_000;

/// The member names of `text`, a JSON object that names none twice (names
/// compared as unescaped) and has at most [`MAX_MEMBERS`]; `None` for
/// anything else. The values are not looked at: nested objects are the
/// typed parse's business.
pub fn member_names(text: &str) -> Option<Vec<String>> {
    struct Members(Vec<String>);
    struct Names<'a> {
        out: &'a mut Option<Members>,
        seen: Vec<String>,
    }
    impl miniserde::de::Map for Names<'_> {
        fn key(&mut self, name: &str) -> miniserde::Result<&mut dyn miniserde::de::Visitor> {
            if self.seen.len() == MAX_MEMBERS || self.seen.iter().any(|seen| seen == name) {
                return Err(miniserde::Error);
            }
            self.seen.push(name.to_owned());
            Ok(<dyn miniserde::de::Visitor>::ignore())
        }

        fn finish(&mut self) -> miniserde::Result<()> {
            *self.out = Some(Members(std::mem::take(&mut self.seen)));
            Ok(())
        }
    }
    impl Deserialize for Members {
        fn begin(out: &mut Option<Self>) -> &mut dyn miniserde::de::Visitor {
            miniserde::make_place!(Place);
            impl miniserde::de::Visitor for Place<Members> {
                fn map(&mut self) -> miniserde::Result<Box<dyn miniserde::de::Map + '_>> {
                    Ok(Box::new(Names { out: &mut self.out, seen: Vec::new() }))
                }
            }
            Place::new(out)
        }
    }
    parse::<Members>(text).map(|members| members.0)
}

/// A string to write, borrowed.
pub(crate) fn text_fragment(text: &str) -> miniserde::ser::Fragment<'_> {
    miniserde::ser::Fragment::Str(text.into())
}

/// `out`'s visitor for a value read from one JSON string, such as a
/// secret type: `T::from_json_text` decides whether the text is one.
pub(crate) fn text_visitor<T: FromJsonText>(out: &mut Option<T>) -> &mut dyn miniserde::de::Visitor {
    miniserde::make_place!(Place);
    impl<T: FromJsonText> miniserde::de::Visitor for Place<T> {
        fn string(&mut self, text: &str) -> miniserde::Result<()> {
            self.out = Some(T::from_json_text(text).ok_or(miniserde::Error)?);
            Ok(())
        }
    }
    Place::new(out)
}

/// A type read from a JSON string.
pub(crate) trait FromJsonText: Sized {
    /// The value, or `None` when `text` is not a valid one.
    fn from_json_text(text: &str) -> Option<Self>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_read_as_integers_only() {
        let numbers: Vec<Value> = parse("[1, -1, 1.0, 18446744073709551615, \"1\"]").unwrap();
        let as_i: Vec<Option<i64>> = numbers.iter().map(as_i64).collect();
        assert_eq!(as_i, [Some(1), Some(-1), None, None, None]);
        let as_u: Vec<Option<u64>> = numbers.iter().map(as_u64).collect();
        assert_eq!(as_u, [Some(1), None, None, Some(u64::MAX), None]);
    }

    #[test]
    fn member_names_are_those_of_an_object_that_repeats_none() {
        let names = member_names(r#"{"a": 1, "b": {"a": 2, "a": 3}, "c": [{"d": 1, "d": 2}], "e": null}"#);
        assert_eq!(names.unwrap(), ["a", "b", "c", "e"], "repeats inside values are not looked at");
        assert_eq!(member_names(r#"{"a": 1, "b": 2, "a": 1}"#), None);
        assert_eq!(member_names(r#"{"crit": ["b64"], "crit": null}"#), None);
        // Compared as read, escapes undone: "\u0061lg" is "alg".
        assert_eq!(member_names(r#"{"alg": 1, "\u0061lg": 2}"#), None);
        for not_an_object in ["[]", "null", "\"a\"", "{", "{} {}"] {
            assert_eq!(member_names(not_an_object), None, "{not_an_object}");
        }
    }

    #[test]
    fn an_object_with_too_many_members_is_refused() {
        let object = |members: usize| {
            let members: Vec<String> = (0..members).map(|i| format!(r#""m{i}":0"#)).collect();
            format!("{{{}}}", members.join(","))
        };
        assert_eq!(member_names(&object(MAX_MEMBERS)).map(|names| names.len()), Some(MAX_MEMBERS));
        assert_eq!(member_names(&object(MAX_MEMBERS + 1)), None);
    }

    #[test]
    fn a_repeated_member_counts_with_its_last_value() {
        let object: Object = parse(r#"{"sub": "alice", "sub": "mallory"}"#).unwrap();
        assert_eq!(object.get("sub").and_then(as_str), Some("mallory"));
    }

    #[test]
    fn anything_but_one_json_value_is_refused() {
        for text in ["", "{", "{} {}", "{\"a\": 1,}", "[01]", "\"\\ud800\"", "{\"a\" 1}", "nul"] {
            assert!(parse::<Value>(text).is_none(), "{text:?}");
        }
    }
}
