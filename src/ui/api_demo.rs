//! The "Call protected API" panel.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::auth::api::{self, GREETING_PATH};
use crate::auth::use_auth;
use crate::browser::fetch::Fetch;

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
        let (Some(session), Some(config)) = (auth.session(), auth.config()) else { return };
        call.set(ApiCall::Calling);
        spawn_local(async move {
            let result = api::get(&Fetch, &config.api_base_url, GREETING_PATH, &session.access_token).await;
            call.set(match result {
                Ok(body) => ApiCall::Answered(pretty_json(&body)),
                Err(error) => ApiCall::Refused(error.to_string()),
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
