//! A Leptos app with one button and one signal: what any Leptos app pays.
use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| {
        let clicks = RwSignal::new(0);
        view! { <button on:click=move |_| clicks.update(|n| *n += 1)>"Clicked " {clicks} " times"</button> }
    });
}
