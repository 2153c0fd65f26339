//! The "Call protected API" panel.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use super::announce::use_announcer;
use leptos_browser_oidc::{ApiCallError, ApiResponse, use_auth, use_messages};

/// The demo API's greeting, below the first protected API of the configuration.
const GREETING_PATH: &str = "/api/greeting";

#[derive(Debug, Clone, PartialEq, Eq)]
enum ApiCall {
    NotYet,
    Calling,
    Answered(String),
    Refused(ApiCallError),
}

#[component]
pub fn ApiDemo() -> impl IntoView {
    let auth = use_auth();
    let t = use_messages();
    let announcer = use_announcer();
    let call = RwSignal::new(ApiCall::NotYet);

    let call_api = move |_| {
        if call.get_untracked() == ApiCall::Calling {
            return; // one call at a time
        }
        call.set(ApiCall::Calling);
        announcer.status(t.get("ui.api.calling"));
        spawn_local(async move {
            let api = auth.protected_apis().into_iter().next().unwrap_or_default();
            let url = format!("{}{GREETING_PATH}", api.trim_end_matches('/'));
            match auth.get(&url).await {
                Ok(ApiResponse { body, .. }) => {
                    announcer.status(t.get("ui.api.answered"));
                    call.set(ApiCall::Answered(pretty_json(&body)));
                }
                Err(error) => {
                    announcer.alert(t.text(&error));
                    call.set(ApiCall::Refused(error));
                }
            }
        });
    };

    view! {
        <div class="api-demo">
            // `aria-disabled`, not `disabled`: a disabled button loses focus,
            // and a screen-reader user with it.
            <button class="primary" on:click=call_api aria-disabled=move || (call.get() == ApiCall::Calling).then_some("true")>
                {t.sentence("ui.api.call")}
            </button>
            {move || match call.get() {
                ApiCall::NotYet => None,
                ApiCall::Calling => Some(view! { <p>{t.get("ui.api.calling")}</p> }.into_any()),
                ApiCall::Answered(body) => {
                    Some(view! { <pre class="api-answer" data-testid="api-answer">{body}</pre> }.into_any())
                }
                ApiCall::Refused(error) => {
                    Some(view! { <p class="api-error" data-testid="api-error">{t.text(&error)}</p> }.into_any())
                }
            }}
        </div>
    }
}

/// Indented by the browser's own JSON (no JSON printer in the wasm); a
/// body that is not JSON is shown as it came.
fn pretty_json(body: &str) -> String {
    js_sys::JSON::parse(body)
        .and_then(|value| js_sys::JSON::stringify_with_replacer_and_space(&value, &JsValue::NULL, &2.into()))
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| body.to_owned())
}
