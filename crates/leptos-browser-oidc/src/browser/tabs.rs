//! Telling the app's other tabs that the person signed out
//! (BroadcastChannel: same origin only, and the message holds no secret).

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, MessageEvent};

use super::names::Names;

const SIGNED_OUT: &str = "signed-out";

/// Tells the app's other tabs that this one signed out.
pub fn announce_sign_out(names: &Names) {
    if let Ok(channel) = BroadcastChannel::new(&names.channel()) {
        let _ = channel.post_message(&SIGNED_OUT.into());
        channel.close();
    }
}

/// Calls `on_sign_out` whenever another tab of this app signs out.
pub fn listen_for_sign_out(names: &Names, on_sign_out: impl Fn() + 'static) {
    let Ok(channel) = BroadcastChannel::new(&names.channel()) else { return };
    let listener = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        if event.data().as_string().as_deref() == Some(SIGNED_OUT) {
            on_sign_out();
        }
    });
    channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
    // Both live as long as the page.
    listener.forget();
    std::mem::forget(channel);
}
