//! The "Call protected API" panel.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::auth::api::GREETING_PATH;
use crate::auth::use_auth;

#[derive(Debug, Clone, PartialEq, Eq)]
enum ApiCall {
    NotYet,
    Calling,
    Answered(String),
    Refused(String),
}

#[component]
pub fn ApiDemo() -> impl IntoView {
    let auth = use_auth();
    let call = RwSignal::new(ApiCall::NotYet);

    let call_api = move |_| {
        call.set(ApiCall::Calling);
        spawn_local(async move {
            call.set(match auth.call_api(GREETING_PATH).await {
                Ok(body) => ApiCall::Answered(pretty_json(&body)),
                Err(message) => ApiCall::Refused(message),
            });
        });
    };

    view! {
        <div class="api-demo">
            <button class="primary" on:click=call_api disabled=move || call.get() == ApiCall::Calling>
                "Call protected API"
            </button>
            {move || match call.get() {
                ApiCall::NotYet => None,
                ApiCall::Calling => Some(view! { <p role="status">"Calling the API…"</p> }.into_any()),
                ApiCall::Answered(body) => {
                    Some(view! { <pre class="api-answer" data-testid="api-answer">{body}</pre> }.into_any())
                }
                ApiCall::Refused(message) => {
                    Some(view! { <p class="api-error" role="alert" data-testid="api-error">{message}</p> }.into_any())
                }
            }}
        </div>
    }
}

fn pretty_json(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .and_then(|value| serde_json::to_string_pretty(&value))
        .unwrap_or_else(|_| body.to_owned())
}
