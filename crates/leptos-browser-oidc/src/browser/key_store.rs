//! Keeps this tab's DPoP key across the round trip to the provider, for the
//! sign-in whose code is bound to it (`dpop_jkt`, RFC 9449 §10). IndexedDB
//! is the only browser storage that holds a `CryptoKey` itself: the private
//! half stays non-extractable there, so the page's script can use it but
//! nobody can read it out. An entry lives from the authorization request to
//! the callback, which deletes it; entries of sign-ins that never came back
//! are deleted by the next sign-in or callback an hour on or later. No
//! token is ever kept here.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, IdbDatabase, IdbRequest, IdbRequestReadyState, IdbTransaction, IdbTransactionMode};

use browser_oidc::oauth::dpop::PublicKey;

use super::clock;
use super::dpop::DpopKey;

const STORE: &str = "keys";
/// A sign-in not finished within the hour will not be: its key goes.
const STALE_AFTER_MS: f64 = 3_600_000.0;

/// IndexedDB refused or is missing (a browser setting, a private window of
/// an old browser): the caller goes on without binding the code.
#[derive(Debug)]
pub struct Unavailable;

impl From<JsValue> for Unavailable {
    fn from(_: JsValue) -> Self {
        Self
    }
}

/// Keeps `key` under `id` in the database `database`, and deletes stale entries.
pub async fn keep(database: &str, id: &str, key: &DpopKey) -> Result<(), Unavailable> {
    let db = open(database).await?;
    let now = clock::now_millis() as f64;
    let stale = stale_ids(&db, now).await?;
    let transaction = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?;
    let writes = transaction.object_store(STORE)?;
    for old in &stale {
        writes.delete(old)?;
    }
    let (private, public) = key.parts();
    let entry = Object::new();
    for (name, value) in [
        ("id", JsValue::from_str(id)),
        ("created", JsValue::from_f64(now)),
        ("private", private.into()),
        ("x", JsValue::from_str(&public.x)),
        ("y", JsValue::from_str(&public.y)),
    ] {
        Reflect::set(&entry, &name.into(), &value)?;
    }
    writes.put_with_key(&entry, &JsValue::from_str(id))?;
    committed(&transaction).await?;
    db.close();
    Ok(())
}

/// Opens `database` once, creating it the first time, so that keeping a
/// key at the click does not wait for that (a first open creates the
/// database and its store, the slowest step of keeping a key).
pub async fn get_ready(database: &str) -> Result<(), Unavailable> {
    open(database).await?.close();
    Ok(())
}

/// Takes the key kept under `id` out of `database`: it is deleted as it is
/// read, with any stale entries. `None` if there is no such key.
pub async fn take(database: &str, id: &str) -> Result<Option<DpopKey>, Unavailable> {
    let db = open(database).await?;
    let stale = stale_ids(&db, clock::now_millis() as f64).await?;
    let transaction = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?;
    let store = transaction.object_store(STORE)?;
    let read = store.get(&JsValue::from_str(id))?;
    for old in stale.iter().chain([&JsValue::from_str(id)]) {
        store.delete(old)?;
    }
    committed(&transaction).await?;
    db.close();
    let entry = read.result()?;
    let private = member(&entry, "private").dyn_into::<CryptoKey>().ok();
    let (x, y) = (member(&entry, "x").as_string(), member(&entry, "y").as_string());
    Ok(match (private, x, y) {
        (Some(private), Some(x), Some(y)) => Some(DpopKey::from_parts(private, PublicKey { x, y })),
        _ => None,
    })
}

/// The ids of entries kept over an hour ago: sign-ins that never came back.
/// An entry from the future (the clock was set back) is not stale: it may
/// be another tab's sign-in under way.
async fn stale_ids(db: &IdbDatabase, now: f64) -> Result<Vec<JsValue>, Unavailable> {
    let reads = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readonly)?.object_store(STORE)?;
    let entries = settled(&reads.get_all()?).await?;
    Ok(Array::from(&entries)
        .iter()
        .filter(|entry| member(entry, "created").as_f64().is_some_and(|at| at < now - STALE_AFTER_MS))
        .map(|entry| member(&entry, "id"))
        .filter(JsValue::is_string)
        .collect())
}

/// Opens (and at first creates) the database. One without the store (made
/// by something else) is deleted, to be made afresh next time.
async fn open(name: &str) -> Result<IdbDatabase, Unavailable> {
    let factory = web_sys::window().ok_or(Unavailable)?.indexed_db()?.ok_or(Unavailable)?;
    let request = factory.open_with_u32(name, 1)?;
    let creates = request.clone();
    let on_upgrade = Closure::<dyn FnMut()>::new(move || {
        if let Ok(db) = creates.result().and_then(|db| db.dyn_into::<IdbDatabase>()) {
            let _ = db.create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let Ok(db) = settled(&request).await else {
        // Given up on while pending or upgrading, the open may go through
        // later: it must still make the store, and its connection must not
        // stay open, which would hold up every later deletion and upgrade
        // of the database, in every tab. The upgrade handler lives until
        // the late answer, success or error.
        if request.ready_state() == IdbRequestReadyState::Pending || request.transaction().is_some() {
            let late = request.clone();
            let close = Closure::once_into_js(move || {
                drop(on_upgrade);
                if let Ok(db) = late.result().and_then(|db| db.dyn_into::<IdbDatabase>()) {
                    db.close();
                }
            });
            request.set_onsuccess(Some(close.unchecked_ref()));
            request.set_onerror(Some(close.unchecked_ref()));
        }
        return Err(Unavailable);
    };
    request.set_onupgradeneeded(None);
    let db: IdbDatabase = db.dyn_into()?;
    if !db.object_store_names().contains(STORE) {
        db.close();
        let _ = factory.delete_database(name);
        return Err(Unavailable);
    }
    Ok(db)
}

/// The request's result, once it has succeeded.
async fn settled(request: &IdbRequest) -> Result<JsValue, Unavailable> {
    let done = Promise::new(&mut |resolve: Function, reject: Function| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    within_time_limit(done).await?;
    Ok(request.result()?)
}

/// Resolves once `transaction` has committed; fails if it aborted.
async fn committed(transaction: &IdbTransaction) -> Result<(), Unavailable> {
    let done = Promise::new(&mut |resolve: Function, reject: Function| {
        transaction.set_oncomplete(Some(&resolve));
        transaction.set_onerror(Some(&reject));
        transaction.set_onabort(Some(&reject));
    });
    within_time_limit(done).await
}

/// Some browsers' IndexedDB can fail to answer at all: after 2 s a sign-in
/// goes on without it rather than wait forever.
async fn within_time_limit(done: Promise) -> Result<(), Unavailable> {
    let window = web_sys::window().ok_or(Unavailable)?;
    let late = Promise::new(&mut |_resolve: Function, reject: Function| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&reject, 2_000);
    });
    JsFuture::from(Promise::race(&Array::of2(&done, &late))).await?;
    Ok(())
}

fn member(entry: &JsValue, name: &str) -> JsValue {
    Reflect::get(entry, &name.into()).unwrap_or(JsValue::UNDEFINED)
}
