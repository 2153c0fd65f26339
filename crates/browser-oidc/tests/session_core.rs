//! The session core, natively: whole conversations with a fake provider
//! that rotates refresh tokens and revokes a grant on reuse. One test per
//! rule, each written to fail without the rule (see the README's list).
#![cfg(not(target_arch = "wasm32"))]

#[path = "fake/world.rs"]
mod world;

use browser_oidc::session::Event;
use browser_oidc::oauth::http::Method;
use browser_oidc::session::api::{ApiAnswer, ApiCallError, ApiCallKind, ApiError, ApiRequest, ApiResponse};
use browser_oidc::session::error::AuthError;
use browser_oidc::session::state::{AuthState, Notice, Progress};
use browser_oidc::session::{SignInMode, SignInOptions};
use world::{API, APP, Fate, Pending, START, Wire, World};

const TOKEN: &str = "https://op.test/token";
const JWKS: &str = "https://op.test/jwks";

fn refresh_tokens_sent(world: &World, tab: usize) -> Vec<String> {
    world
        .provider
        .refreshes_by(tab)
        .iter()
        .map(|l| match &l.wire {
            Wire::Refresh { token } => token.clone(),
            _ => unreachable!(),
        })
        .collect()
}

/// A signed-in tab whose first refresh (due 60 s before its 600-second
/// token expires) has just gone out.
fn refresh_due() -> (World, usize) {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.advance(560_000);
    (world, tab)
}

// ------------------------------------------------------------- happy path

#[test]
fn a_session_is_refreshed_ahead_of_expiry_again_and_again() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    for _ in 0..5 {
        world.advance(600_000);
        world.settle(20);
    }
    let sent = refresh_tokens_sent(&world, tab);
    assert_eq!(sent.len(), 5, "one refresh per lifetime");
    let mut unique = sent.clone();
    unique.dedup();
    assert_eq!(unique, sent, "each refresh sent the newest token");
    assert!(world.tabs[tab].is_signed_in());
    assert!(!world.provider.reuse_detected());
}

// --------------------------------------------- 1. never resend a spent token

#[test]
fn a_refresh_answer_lost_after_the_provider_rotated_never_resends_the_spent_token() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.advance(560_000); // due: 60 s before expiry
    world.answer(tab, TOKEN, Fate::LostAfter);
    assert!(world.tabs[tab].problem.is_some(), "the person is told");
    // Every later attempt, whatever the timers do, never reuses the token.
    for _ in 0..10 {
        world.advance(30_000);
        world.settle(20);
    }
    assert!(!world.provider.reuse_detected(), "the provider never saw the spent token again");
    assert_eq!(refresh_tokens_sent(&world, tab).len(), 1);
    // It was renewed by a silent re-sign-in instead: a new code exchange.
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
    let exchanges = world.provider.log.iter().filter(|l| l.wire == Wire::CodeExchange).count();
    assert_eq!(exchanges, 2);
}

#[test]
fn while_the_provider_stays_unreachable_the_re_sign_in_waits_and_backs_off() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::LostBefore);
    let mut probes = 0;
    for _ in 0..6 {
        world.advance(60_000);
        while world.has_pending(tab, TOKEN) {
            world.answer(tab, TOKEN, Fate::LostBefore);
            probes += 1;
        }
    }
    assert!((5..=12).contains(&probes), "probes back off to every 30 s: {probes}");
    assert!(world.tabs[tab].is_signed_in(), "still signed in while the provider is away");
    assert!(world.tabs[tab].problem.as_ref().unwrap().to_string().contains("Retrying in 30 s"));
    assert!(!world.provider.log.iter().any(|l| l.wire == Wire::CodeExchange && l.page > 2));
}

#[test]
fn a_jwks_outage_during_a_refresh_keeps_the_rotated_token() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.provider.rotate_key(true);
    world.provider.jwks_down = true;
    world.advance(560_000);
    world.answer(tab, TOKEN, Fate::Deliver);
    world.answer(tab, JWKS, Fate::Deliver); // 503
    assert!(world.tabs[tab].is_signed_in());
    world.provider.jwks_down = false;
    world.advance(600_000);
    world.settle(20);
    assert!(!world.provider.reuse_detected());
    let sent = refresh_tokens_sent(&world, tab);
    assert_eq!(sent.len(), 2);
    assert_ne!(sent[0], sent[1], "the second refresh sent the rotated token");
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
    let session = world.tabs[tab].session().unwrap().clone();
    assert!(world.provider.jwks_fetches() >= 2);
    assert_eq!(session.id_token_claims.sub.as_deref(), Some("alice"));
}

/// A JWKS that failed to answer is asked again as soon as the 10 s
/// interval allows, not at the next renewal minutes later.
#[test]
fn a_jwks_that_failed_to_answer_is_asked_again_ten_seconds_on() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.provider.rotate_key(true);
    world.provider.jwks_down = true;
    world.advance(560_000);
    world.answer(tab, TOKEN, Fate::Deliver);
    world.answer(tab, JWKS, Fate::Deliver); // 503
    let fetches = world.provider.jwks_fetches();
    world.provider.jwks_down = false;
    for _ in 0..105 {
        world.advance(100);
        world.settle(20);
    }
    assert_eq!(world.provider.jwks_fetches(), fetches + 1, "asked again 10 s on");
    assert_eq!(world.provider.refreshes_by(tab).len(), 1, "before any other renewal");
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn the_jwks_is_cached_for_the_session() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    for _ in 0..3 {
        world.advance(600_000);
        world.settle(20);
    }
    assert_eq!(refresh_tokens_sent(&world, tab).len(), 3);
    assert_eq!(world.provider.jwks_fetches(), 0, "the keys of the sign-in verify every refreshed ID token");
}

#[test]
fn an_unknown_kid_refetches_the_jwks_once_then_is_refused() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.provider.rotate_key(false); // signs with a key it does not publish
    world.advance(560_000);
    world.settle(20);
    assert_eq!(world.provider.jwks_fetches(), 1, "one refetch for the unknown kid");
    let error = world.tabs[tab].failed().expect("the refreshed ID token was refused");
    assert!(error.to_string().contains("kid"), "{error}");
    assert!(world.tabs[tab].session().is_none());
}

#[test]
fn a_rotated_signing_key_is_fetched_and_the_session_goes_on() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.provider.rotate_key(true);
    world.advance(560_000);
    world.settle(20);
    assert_eq!(world.provider.jwks_fetches(), 1);
    assert!(world.tabs[tab].is_signed_in());
}

/// A key rotated soon after the keys were fetched: the refetch waits out
/// its interval, then happens by itself, not at the next renewal.
#[test]
fn a_key_rotated_soon_after_sign_in_is_fetched_as_soon_as_the_interval_allows() {
    let mut world = World::new();
    world.provider.expires_in = Some(8); // refreshed 2 s before expiry, at 6 s
    let tab = world.signed_in_tab();
    let fetches = world.provider.jwks_fetches();
    world.provider.rotate_key(true);
    for _ in 0..65 {
        world.advance(100);
        world.settle(20);
    }
    assert_eq!(world.provider.refreshes_by(tab).len(), 1);
    assert_eq!(world.provider.jwks_fetches(), fetches, "not within 10 s of the last fetch");
    for _ in 0..40 {
        world.advance(100);
        world.settle(20);
    }
    assert_eq!(world.provider.refreshes_by(tab).len(), 1, "before the next refresh at 12 s");
    assert_eq!(world.provider.jwks_fetches(), fetches + 1, "fetched at 10 s");
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn a_refreshed_id_token_for_another_person_ends_the_session_with_a_reason() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.provider.refreshed_sub = "mallory";
    world.advance(560_000);
    world.settle(20);
    let error = world.tabs[tab].failed().expect("refused");
    assert!(error.to_string().contains("person (sub)"), "{error}");
    assert!(world.tabs[tab].session().is_none());
    let newest = world.provider.grants[0].refresh_tokens.last().unwrap().0.clone();
    assert!(world.provider.revoked(&newest), "the tokens it brought are revoked");
}

/// OIDC Core §12.2: a refreshed ID token may leave `auth_time` out, but one it
/// carries must be the sign-in's, however many refreshes came between.
#[test]
fn a_refreshed_sign_in_time_is_checked_against_the_original_sign_in() {
    let mut world = World::new();
    world.provider.auth_time = Some(1_700_000_000);
    let tab = world.signed_in_tab();
    world.provider.refreshed_auth_time = None;
    world.advance(560_000);
    world.settle(20);
    assert!(world.tabs[tab].is_signed_in(), "a refreshed ID token without auth_time is fine");
    assert!(world.provider.refreshes_by(tab).len() == 1);

    world.provider.refreshed_auth_time = Some(1_700_000_060);
    world.advance(600_000);
    world.settle(20);
    assert_eq!(world.provider.refreshes_by(tab).len(), 2);
    let error = world.tabs[tab].failed().expect("refused");
    assert!(error.to_string().contains("the provider reported a different sign-in"), "{error}");
    assert!(world.tabs[tab].session().is_none());
}

// ------------------------------------------------ 2. loops and timer overflow

#[test]
fn one_second_tokens_never_refresh_more_than_every_five_seconds() {
    let mut world = World::new();
    world.provider.expires_in = Some(1);
    let tab = world.signed_in_tab();
    for _ in 0..80 {
        world.advance(100);
        world.settle(20);
    }
    let refreshes = world.provider.refreshes_by(tab);
    assert!(refreshes.len() <= 2, "{} refreshes in 8 s", refreshes.len());
    for pair in refreshes.windows(2) {
        assert!(pair[1].at - pair[0].at >= 5_000);
    }
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn expires_in_of_zero_one_absent_and_ten_billion_behave() {
    // 0 and 1 s: at once, then every 5 s; absent: on demand only; 10^10 s: not soon.
    for (expires_in, expected_refreshes) in [(Some(0), 3), (Some(1), 3), (None, 0), (Some(10_000_000_000), 0)]
    {
        let mut world = World::new();
        world.provider.expires_in = expires_in;
        let tab = world.signed_in_tab();
        // Timers must fit a browser's 32-bit delay (the world asserts it).
        for _ in 0..10 {
            world.advance(1_000);
            world.settle(20);
        }
        let refreshes = world.provider.refreshes_by(tab).len();
        assert_eq!(refreshes, expected_refreshes, "expires_in {expires_in:?}");
        assert!(world.tabs[tab].is_signed_in(), "expires_in {expires_in:?}");
    }
}

#[test]
fn a_timer_for_a_token_that_lasts_for_years_is_clamped_and_rearmed() {
    let mut world = World::new();
    world.provider.expires_in = Some(10_000_000_000);
    let tab = world.signed_in_tab();
    let armed = world.tabs[tab].timers.values().next().copied().expect("a renewal timer");
    assert_eq!(armed - world.now, i32::MAX as u64, "clamped to the longest browser delay");
    world.advance(i32::MAX as u64);
    assert!(world.tabs[tab].timers.values().next().is_some(), "re-armed, not fired into a refresh");
    assert!(world.provider.refreshes_by(tab).is_empty());
}

// ----------------------------------------- DPoP-bound sessions

#[test]
fn a_bound_session_refreshes_and_calls_apis_with_proofs() {
    let mut world = World::new();
    world.provider.token_type = "DPoP";
    let tab = world.signed_in_tab();
    assert!(world.tabs[tab].session().unwrap().dpop);
    // The fake provider and API refuse (panic on) any use of the bound
    // tokens without a proof or in the Bearer scheme.
    world.advance(560_000);
    world.settle(20);
    assert_eq!(world.provider.refreshes_by(tab).len(), 1);
    assert!(world.tabs[tab].session().unwrap().dpop, "still bound after the refresh");
    world.call_api(tab);
    world.settle(20);
    assert!(world.provider.log.iter().any(|l| matches!(l.wire, Wire::Api { .. })));
}

#[test]
fn a_refresh_that_drops_the_binding_ends_the_session_rather_than_downgrade() {
    let mut world = World::new();
    world.provider.token_type = "DPoP";
    let tab = world.signed_in_tab();
    // The provider turns (or an attacker in the middle turns it) to bearer tokens.
    world.provider.token_type = "Bearer";
    world.advance(560_000);
    world.settle(20);
    assert!(world.tabs[tab].session().is_none(), "no unbound token is taken");
    let shown = format!("{:?}", world.tabs[tab].shown);
    assert!(shown.contains("NotBound"), "{shown}");
    // The refused tokens are not left alive: the new refresh token is revoked.
    let grant = &world.provider.grants[0];
    let newest = &grant.refresh_tokens.last().unwrap().0;
    assert_eq!(grant.refresh_tokens.len(), 2, "one refresh happened");
    assert!(world.provider.revoked(newest), "the refused refresh token was revoked");
}

// ----------------------------------------- 3. sign-out against a refresh

#[test]
fn sign_out_during_a_refresh_revokes_the_newest_refresh_token() {
    let (mut world, tab) = refresh_due();
    assert!(world.has_pending(tab, TOKEN));
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    assert!(world.tabs[tab].session().is_none(), "no token is held after sign-out");
    // The refresh answers after the sign-out: its new token is revoked.
    world.answer(tab, TOKEN, Fate::Deliver);
    world.settle(20);
    let grant = &world.provider.grants[0];
    let newest = &grant.refresh_tokens.last().unwrap().0;
    assert_eq!(grant.refresh_tokens.len(), 2);
    assert!(world.provider.revoked(newest), "the rotated token was revoked");
    assert_eq!(world.tabs[tab].url, format!("{APP}/"), "back from the provider's end-session");
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SignedOut));
}

#[test]
fn the_sign_out_page_is_asked_for_in_the_apps_language() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.handle(tab, Event::SignOutRequested { ui_locales: Some("fr".into()) });
    world.settle(20);
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SignedOut));
    assert_eq!(world.provider.sign_out_languages, [Some("fr".to_owned())]);
}

#[test]
fn signed_out_in_another_tab_is_not_overwritten_by_session_ended() {
    let mut world = World::new();
    let first = world.signed_in_tab();
    let second = world.open_tab(&format!("{APP}/"));
    world.settle(50);
    assert!(world.tabs[second].is_signed_in());
    world.advance(560_000);
    assert!(world.has_pending(second, TOKEN));
    world.handle(first, Event::SignOutRequested { ui_locales: None });
    world.settle(50); // the message, the end-session, the refresh's invalid_grant
    assert_eq!(world.tabs[second].notice(), Some(Notice::SignedOutElsewhere));
}

#[test]
fn a_tab_completing_its_callback_honours_a_sign_out_elsewhere() {
    let mut world = World::new();
    let first = world.signed_in_tab();
    let second = world.open_tab(&format!("{APP}/"));
    // The second tab's silent restore reaches its callback; before the code
    // exchange answers, the first tab signs out.
    while !world.tabs[second].saw("FinishSignIn") {
        world.complete(second, 0, Fate::Deliver);
    }
    world.handle(first, Event::SignOutRequested { ui_locales: None });
    let message =
        world.tabs[second].pending.iter().position(|p| matches!(p, world::Pending::Message(_))).unwrap();
    world.complete(second, message, Fate::Deliver);
    world.settle(50);
    assert_eq!(world.tabs[second].notice(), Some(Notice::SignedOutElsewhere));
    assert!(world.tabs[second].session().is_none());
    assert!(!world.had_session, "the hint is not written back");
    let grant = world.provider.grants.iter().find(|g| g.tab == second).unwrap();
    assert!(world.provider.revoked(&grant.refresh_tokens[0].0), "what the exchange brought is revoked");
}

#[test]
fn a_page_restored_from_the_back_forward_cache_honours_a_sign_out() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    // Another tab signed out while this page sat in the cache: the message
    // never reached it, but the time of the sign-out is recorded.
    world.advance(1_000);
    world.handle(tab, Event::PageRestored { last_sign_out_at: Some(world.now) });
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SignedOutElsewhere));
    assert!(world.tabs[tab].session().is_none());
}

#[test]
fn back_from_the_providers_page_shows_the_sign_in_button_again() {
    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    world.handle(tab, Event::SignInRequested { current_page: "/".into(), options: SignInOptions::default() });
    // The page went to the provider, and the Back button restored it.
    world.handle(tab, Event::PageRestored { last_sign_out_at: None });
    assert!(matches!(world.tabs[tab].shown, Some(AuthState::SignedOut(None))));
}

// ------------------------------------------- getting ready for a click

fn times_got_ready(world: &World, tab: usize) -> usize {
    world.tabs[tab].times_sent("GetReadyToSignIn")
}

#[test]
fn the_signed_out_page_gets_ready_for_a_click_once() {
    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    assert!(matches!(world.tabs[tab].shown, Some(AuthState::SignedOut(None))));
    assert_eq!(times_got_ready(&world, tab), 1, "{:?}", world.tabs[tab].commands);
    // Back from the provider's page, the same page shows the button again.
    world.handle(tab, Event::SignInRequested { current_page: "/".into(), options: SignInOptions::default() });
    world.handle(tab, Event::PageRestored { last_sign_out_at: None });
    assert!(matches!(world.tabs[tab].shown, Some(AuthState::SignedOut(None))));
    assert_eq!(times_got_ready(&world, tab), 1, "once a page is enough");
}

#[test]
fn the_page_gets_ready_without_dpop_but_not_without_a_configuration() {
    // Without DPoP, the page still gets ready (it discovers the provider).
    let mut world = World::new();
    world.config_fields.insert("dpop".into(), "off".into());
    let tab = world.open_tab(&format!("{APP}/"));
    assert!(matches!(world.tabs[tab].shown, Some(AuthState::SignedOut(None))));
    assert_eq!(times_got_ready(&world, tab), 1);

    // Signed out shown before the configuration came, then a click: the
    // sign-in goes at once, with nothing ahead of it.
    let mut world = World::new();
    world.tabs.push(world::Tab::new(&format!("{APP}/")));
    let location = browser_oidc::session::Location::parse(&format!("{APP}/"));
    world.handle(0, Event::Started { location, stored: Default::default() });
    assert!(matches!(world.tabs[0].shown, Some(AuthState::SignedOut(None))));
    assert_eq!(times_got_ready(&world, 0), 0, "not before the configuration");
    world.tabs[0].pending.clear();
    world.handle(0, Event::SignInRequested { current_page: "/".into(), options: SignInOptions::default() });
    world.handle(0, Event::ConfigLoaded(Ok(world::config())));
    assert!(world.tabs[0].saw("PrepareSignIn"));
    assert_eq!(times_got_ready(&world, 0), 0);
}

#[test]
fn a_page_that_completes_or_restores_a_sign_in_does_not_get_ready() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    assert_eq!(times_got_ready(&world, tab), 0, "the callback page: {:?}", world.tabs[tab].commands);
    world.reload(tab);
    world.settle(50);
    assert!(world.tabs[tab].is_signed_in());
    assert_eq!(times_got_ready(&world, tab), 0, "the restored page");
}

/// The provider's metadata in the last sign-in prepared on `tab`, if found ahead.
fn found_ahead(world: &World, tab: usize) -> Option<bool> {
    world.tabs[tab].pending.iter().rev().find_map(|pending| match pending {
        Pending::PrepareSignIn { discovered, .. } => Some(discovered.is_some()),
        _ => None,
    })
}

#[test]
fn a_click_uses_what_the_page_found_ahead_once_and_only_while_fresh() {
    let click = |world: &mut World, tab: usize| {
        world.handle(tab, Event::SignInRequested { current_page: "/".into(), options: SignInOptions::default() });
    };
    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    click(&mut world, tab);
    assert_eq!(found_ahead(&world, tab), Some(true), "no discovery at the click");
    world.tabs[tab].pending.clear();
    world.handle(tab, Event::PageRestored { last_sign_out_at: None }); // Back from the provider
    click(&mut world, tab);
    assert_eq!(found_ahead(&world, tab), Some(false), "used once: the second click discovers");

    // A page read for five minutes discovers afresh, and so does one whose
    // clock was set back.
    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    world.advance(300_000);
    click(&mut world, tab);
    assert_eq!(found_ahead(&world, tab), Some(false));
    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    world.now -= 60_000;
    click(&mut world, tab);
    assert_eq!(found_ahead(&world, tab), Some(false), "a clock set back");

    // A click before the page found anything discovers by itself.
    let mut world = World::new();
    world.hold_get_ready = true;
    let tab = world.open_tab(&format!("{APP}/"));
    click(&mut world, tab);
    assert_eq!(found_ahead(&world, tab), Some(false));
}

#[test]
fn a_click_prepares_the_sign_in_before_the_page_changes() {
    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    let before = world.tabs[tab].commands.len();
    world.handle(tab, Event::SignInRequested { current_page: "/".into(), options: SignInOptions::default() });
    let after = &world.tabs[tab].commands[before..];
    let prepare = after.iter().position(|c| c.starts_with("PrepareSignIn"));
    let redirecting = after.iter().position(|c| c.contains("RedirectingToProvider"));
    assert!(prepare.is_some() && redirecting.is_some(), "{after:?}");
    assert!(prepare < redirecting, "the preparation's waits overlap the rendering: {after:?}");
}

// ------------------------------------------------ 4. the sign-out return

#[test]
fn an_app_url_with_its_own_state_is_not_a_sign_out_return() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.tabs[tab].url = format!("{APP}/?state=CA&view=map");
    world.reload(tab);
    assert!(!world.tabs[tab].saw("ReplaceUrl"), "the app's own query is left alone");
    world.settle(50);
    assert!(world.tabs[tab].is_signed_in(), "the session is restored: {:?}", world.tabs[tab].shown);
    assert_eq!(world.tabs[tab].url, format!("{APP}/?state=CA&view=map"), "and the page is where it was");
}

#[test]
fn a_real_sign_out_return_is_confirmed() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    world.settle(20);
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SignedOut));
    assert_eq!(world.tabs[tab].url, format!("{APP}/"), "the state left the address bar");
    assert!(world.tabs[tab].sign_out.is_none(), "the pending sign-out was used once");
}

// ------------------------------------------- 6. temporary is temporary

#[test]
fn too_many_requests_and_unavailable_follow_retry_after() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::TooMany); // Retry-After: 20
    assert!(world.tabs[tab].problem.as_ref().unwrap().to_string().contains("Retrying in 20 s"));
    world.advance(19_000);
    assert!(!world.has_pending(tab, TOKEN), "not before Retry-After");
    world.advance(1_000);
    world.answer(tab, TOKEN, Fate::Unavailable); // no Retry-After: backoff (4 s), and 5 s apart
    world.advance(4_000);
    assert!(!world.has_pending(tab, TOKEN), "never two refreshes closer than 5 s");
    world.advance(1_000);
    world.answer(tab, TOKEN, Fate::Deliver);
    assert!(world.tabs[tab].is_signed_in());
    assert!(world.tabs[tab].problem.is_none());
    assert!(!world.provider.reuse_detected());
}

#[test]
fn an_unlisted_status_never_signs_the_person_out() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::Teapot);
    assert!(world.tabs[tab].is_signed_in());
    assert!(world.tabs[tab].problem.is_some());
    // Not the provider's own answer: the token may be spent, so the session
    // is renewed by a silent re-sign-in rather than by sending it again.
    world.advance(2_000);
    world.settle(50);
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
    let sent = world.sent.iter().filter(|s| matches!(s.wire, Wire::Refresh { .. })).count();
    assert_eq!(sent, 1, "the token went out once");
    assert!(!world.provider.reuse_detected());
}

#[test]
fn a_gateway_error_after_the_provider_rotated_never_resends_the_token() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::GatewayErrorAfter); // rotated, then 502
    for _ in 0..5 {
        world.advance(30_000);
        world.settle(50);
    }
    assert!(!world.provider.reuse_detected(), "the spent token was never sent again");
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn invalid_grant_ends_the_session() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.provider.end_session();
    world.advance(560_000);
    world.settle(20);
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SessionEnded));
    assert!(!world.had_session);
}

#[test]
fn a_failed_configuration_load_can_be_retried() {
    let mut world = World::new();
    world.tabs.push(world::Tab::new(&format!("{APP}/")));
    let tab = 0;
    world.handle(
        tab,
        Event::Started {
            location: browser_oidc::session::Location::parse(&format!("{APP}/")),
            stored: Default::default(),
        },
    );
    let error = browser_oidc::config::ConfigError::Unavailable { url: "/config.json".into(), status: Some(503) };
    world.tabs[tab].pending.clear();
    world.handle(tab, Event::ConfigLoaded(Err(error)));
    assert!(world.tabs[tab].failed().is_some());
    world.handle(tab, Event::RetryRequested);
    assert!(world.tabs[tab].saw("LoadConfig"), "loads again");
    world.handle(tab, Event::ConfigLoaded(Ok(world::config())));
    assert!(matches!(world.tabs[tab].shown, Some(AuthState::SignedOut(None))));
}

#[test]
fn sign_in_options_go_with_the_sign_in_even_when_the_configuration_comes_later() {
    let options = SignInOptions::new().prompt("login").login_hint("alice").max_age(60);
    let prepared = |world: &World, tab: usize| {
        world.tabs[tab].pending.iter().find_map(|pending| match pending {
            Pending::PrepareSignIn { mode: SignInMode::Interactive, options, .. } => Some(options.clone()),
            _ => None,
        })
    };
    // The configuration is there: the sign-in is prepared at once.
    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    world.handle(tab, Event::SignInRequested { current_page: "/".into(), options: options.clone() });
    assert_eq!(prepared(&world, tab), Some(options.clone()));

    // The click came first: the options wait with it for the configuration.
    let mut world = World::new();
    world.tabs.push(world::Tab::new(&format!("{APP}/")));
    let location = browser_oidc::session::Location::parse(&format!("{APP}/"));
    world.handle(0, Event::Started { location, stored: Default::default() });
    world.tabs[0].pending.clear();
    world.handle(0, Event::SignInRequested { current_page: "/".into(), options: options.clone() });
    assert_eq!(prepared(&world, 0), None, "not before the configuration");
    world.handle(0, Event::ConfigLoaded(Ok(world::config())));
    assert_eq!(prepared(&world, 0), Some(options));
}

// ------------------------------------------------------------- API calls

#[test]
fn ten_api_calls_with_an_expired_token_cause_one_refresh() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.advance(601_000); // expired (the tab's timer was frozen)
    world.tabs[tab].timers.clear();
    let calls: Vec<_> = (0..10).map(|_| world.call_api(tab)).collect();
    world.settle(100);
    assert_eq!(world.provider.refreshes_by(tab).len(), 1);
    for call in calls {
        assert!(world.api_answer(tab, call).unwrap().is_ok());
    }
}

#[test]
fn invalid_token_from_the_api_refreshes_once_and_retries_once() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.advance(10_000);
    // The provider revokes the access token behind the app's back.
    world.provider.grants[0].access_tokens[0].2 = world::TokenState::Revoked;
    let call = world.call_api(tab);
    world.settle(20);
    assert!(world.api_answer(tab, call).unwrap().is_ok());
    assert_eq!(world.provider.refreshes_by(tab).len(), 1);
    let api_calls = world.provider.api_calls();
    assert_eq!(api_calls, 2);
}

#[test]
fn an_api_that_refuses_every_token_gets_one_retry() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.advance(10_000);
    for grant in &mut world.provider.grants {
        grant.access_tokens.iter_mut().for_each(|t| t.1 = Some(START));
    }
    world.provider.expires_in = Some(0);
    let call = world.call_api(tab);
    world.settle(20);
    world.advance(5_000);
    world.settle(20);
    let answer = world.api_answer(tab, call).unwrap();
    assert!(matches!(answer, Err(ApiCallError::Api(ApiError::InvalidToken(_)))), "{answer:?}");
    let api_calls = world.provider.api_calls();
    assert_eq!(api_calls, 2, "one call, one retry");
}

#[test]
fn api_calls_when_signed_out_say_so() {
    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    let call = world.call_api(tab);
    assert_eq!(world.api_answer(tab, call), Some(&Err(ApiCallError::Renewal(AuthError::NotSignedIn))));
}

// ------------------------------------------------------ protected APIs

#[test]
fn the_token_never_goes_to_an_api_the_configuration_does_not_list() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    let sent_before = world.provider.log.len();
    for url in [
        "https://evil.test/api",
        "https://api.test@evil.test/api",
        "https://api.test.evil.test/",
        "http://api.test/",
        "https://api.test/v1/../../admin",
        "https://api.test/%2e%2e/admin",
    ] {
        let call = world.request(tab, ApiCallKind::Send(ApiRequest::new(Method::Get, url)));
        let authorize = world.request(tab, ApiCallKind::Authorize { method: Method::Get, url: url.into() });
        world.settle(20);
        for call in [call, authorize] {
            assert_eq!(world.api_answer(tab, call), Some(&Err(ApiCallError::NotProtected(url.into()))), "{url}");
        }
    }
    assert_eq!(world.provider.log.len(), sent_before, "nothing was sent at all");
}

#[test]
fn a_request_to_an_unlisted_api_is_refused_signed_in_or_not() {
    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    let call = world.request(tab, ApiCallKind::Send(ApiRequest::new(Method::Get, "https://evil.test/")));
    assert_eq!(world.api_answer(tab, call), Some(&Err(ApiCallError::NotProtected("https://evil.test/".into()))));
    let call = world.call_api(tab);
    assert_eq!(world.api_answer(tab, call), Some(&Err(ApiCallError::Renewal(AuthError::NotSignedIn))));
}

#[test]
fn the_app_cannot_put_its_own_authorization_on_a_request() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    let request = ApiRequest::new(Method::Get, "https://api.test/x").header("authorization", "Bearer forged");
    world.request(tab, ApiCallKind::Send(request));
    let token = world.tabs[tab].session().unwrap().access_token.secret().to_owned();
    let sent = world.tabs[tab].pending.iter().find_map(|pending| match pending {
        Pending::Http { http, .. } if http.url == "https://api.test/x" => Some(http.headers.clone()),
        _ => None,
    });
    let authorizations: Vec<String> = sent
        .expect("the request went out")
        .into_iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .map(|(_, value)| value)
        .collect();
    assert_eq!(authorizations, [format!("Bearer {token}")], "one Authorization, the session's");
}

#[test]
fn authorize_near_expiry_without_a_refresh_token_answers_and_stays_on_the_page() {
    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    let tab = world.signed_in_tab();
    let page = world.tabs[tab].page;
    let token = world.tabs[tab].session().unwrap().access_token.secret().to_owned();
    let expires_at = world.tabs[tab].session().unwrap().access_token_expires_at_ms.unwrap();
    world.advance(expires_at - world.now - 10_000);
    let call = world.request(tab, ApiCallKind::Authorize { method: Method::Get, url: "https://api.test/".into() });
    world.settle(20);
    let Some(Ok(ApiAnswer::Authorization(headers))) = world.api_answer(tab, call) else { panic!("no headers") };
    assert_eq!(headers.0[0].1, format!("Bearer {token}"), "the token that still works");
    assert_eq!(world.tabs[tab].page, page, "no re-sign-in just for headers");
}

#[test]
fn authorize_wants_a_token_with_some_life_left() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    let token = world.tabs[tab].session().unwrap().access_token.secret().to_owned();
    let expires_at = world.tabs[tab].session().unwrap().access_token_expires_at_ms.unwrap();
    // 10 s before expiry: too little for a request the app sends itself.
    world.advance(expires_at - world.now - 10_000);
    let call = world.request(tab, ApiCallKind::Authorize { method: Method::Get, url: "https://api.test/".into() });
    world.settle(20);
    let Some(Ok(ApiAnswer::Authorization(headers))) = world.api_answer(tab, call) else { panic!("no headers") };
    assert_ne!(headers.0[0].1, format!("Bearer {token}"), "a fresh token, not the one about to expire");
}

#[test]
fn a_request_keeps_its_method_headers_and_body_and_gains_the_token() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    let request = ApiRequest::new(Method::Post, "https://api.test/orders").json(r#"{"item":1}"#);
    let call = world.request(tab, ApiCallKind::Send(request));
    world.settle(20);
    assert!(matches!(world.api_answer(tab, call), Some(Ok(ApiAnswer::Response(ApiResponse { status: 200, .. })))));
    let token = world.tabs[tab].session().unwrap().access_token.secret().to_owned();
    let sent = world.provider.log.iter().find_map(|l| match &l.wire {
        Wire::Api { token, method, url, content_type, body } => {
            Some((token.clone(), *method, url.clone(), content_type.clone(), body.clone()))
        }
        _ => None,
    });
    let expected = (token, Method::Post, "https://api.test/orders".to_owned(), Some("application/json".to_owned()), Some(r#"{"item":1}"#.to_owned()));
    assert_eq!(sent, Some(expected));
}

#[test]
fn authorize_gives_the_headers_of_a_fresh_token_and_sends_nothing() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    let sent_before = world.provider.log.len();
    let call = world.request(tab, ApiCallKind::Authorize { method: Method::Delete, url: "https://api.test/orders/1".into() });
    let token = world.tabs[tab].session().unwrap().access_token.secret().to_owned();
    let Some(Ok(ApiAnswer::Authorization(headers))) = world.api_answer(tab, call) else { panic!("no headers") };
    assert_eq!(headers.0, [("Authorization".to_owned(), format!("Bearer {token}"))]);
    assert!(!format!("{headers:?}").contains(&token), "Debug shows no token");
    assert_eq!(world.provider.log.len(), sent_before);

    // Once the token has expired, the headers wait for a fresh one.
    world.advance(3_600_000);
    let call = world.request(tab, ApiCallKind::Authorize { method: Method::Get, url: "https://api.test/".into() });
    assert_eq!(world.api_answer(tab, call), None, "not with the expired token");
    world.settle(20);
    let fresh = world.tabs[tab].session().unwrap().access_token.secret().to_owned();
    assert_ne!(fresh, token);
    let Some(Ok(ApiAnswer::Authorization(headers))) = world.api_answer(tab, call) else { panic!("no headers") };
    assert_eq!(headers.0[0].1, format!("Bearer {fresh}"));
}

// ------------------------------------------- found by the independent review

#[test]
fn a_provider_without_refresh_tokens_never_leaves_the_page_by_itself() {
    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    world.provider.expires_in = Some(1);
    let tab = world.signed_in_tab();
    let page = world.tabs[tab].page;
    for _ in 0..20 {
        world.advance(1_000);
        world.settle(20);
    }
    assert_eq!(world.tabs[tab].page, page, "no redirect the person did not ask for");
    assert!(world.tabs[tab].is_signed_in());
    let call = world.call_api(tab);
    let answer = world.api_answer(tab, call).expect("answered at once");
    assert_eq!(answer, &Err(ApiCallError::Renewal(AuthError::NoRefreshToken)));
}

#[test]
fn without_refresh_tokens_a_due_session_is_renewed_at_a_safe_moment_and_only_then() {
    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    world.provider.expires_in = Some(300);
    let tab = world.signed_in_tab();
    let (page, token) = (world.tabs[tab].page, world.tabs[tab].session().unwrap().access_token.secret().to_owned());

    // Past the minute after signing in, but the token is not due: nothing.
    world.advance(70_000);
    world.handle(tab, Event::SafeMoment);
    world.settle(20);
    assert_eq!(world.tabs[tab].page, page);

    // Due: the page still never leaves by itself...
    world.advance(225_000);
    world.settle(20);
    assert_eq!(world.tabs[tab].page, page, "no redirect the person did not ask for");
    // ...but at a safe moment it renews, with a silent re-sign-in.
    world.handle(tab, Event::SafeMoment);
    world.settle(50);
    assert_ne!(world.tabs[tab].page, page, "left for the provider and came back");
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
    assert_ne!(world.tabs[tab].session().unwrap().access_token.secret(), token, "a fresh access token");
}

#[test]
fn a_safe_moment_leaves_alone_a_session_that_refreshes_or_is_signed_out() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    // Due, with its timer held: a refresh token renews by the timer, not here.
    world.tabs[tab].timers.clear();
    world.advance(3_600_000);
    let sent = world.provider.log.len();
    world.handle(tab, Event::SafeMoment);
    assert_eq!(world.provider.log.len(), sent, "nothing sent at the safe moment");
    assert!(world.tabs[tab].pending.is_empty(), "{:?}", world.tabs[tab].pending);

    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    let page = world.tabs[tab].page;
    world.handle(tab, Event::SafeMoment);
    world.settle(20);
    assert_eq!(world.tabs[tab].page, page, "signed out: nothing to renew");
}

#[test]
fn a_safe_moment_is_brief_and_waits_a_minute_after_signing_in() {
    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    world.provider.expires_in = Some(40);
    let tab = world.signed_in_tab();
    let page = world.tabs[tab].page;
    // Due within the first minute after signing in: not yet.
    world.advance(35_000);
    world.handle(tab, Event::SafeMoment);
    world.settle(20);
    assert_eq!(world.tabs[tab].page, page, "a minute after signing in at least");

    // The provider's answer comes 3 s after the moment: the person is busy
    // on the new page by then, so the page stays.
    world.advance(30_000);
    world.handle(tab, Event::SafeMoment);
    assert!(world.has_pending(tab, "https://op.test/token"), "the provider is asked first");
    world.advance(3_000);
    world.settle(20);
    assert_eq!(world.tabs[tab].page, page, "too late to leave");
    assert!(world.tabs[tab].is_signed_in(), "the session is kept");
}

/// A signed-in tab of a provider that issues no refresh token, its access
/// token valid for 300 s (a re-sign-in is due from 150 s), 70 s after
/// signing in.
fn without_refresh_tokens() -> (World, usize) {
    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    world.provider.expires_in = Some(300);
    let tab = world.signed_in_tab();
    world.advance(70_000);
    (world, tab)
}

#[test]
fn the_page_is_watched_for_safe_moments_only_when_a_re_sign_in_is_the_only_renewal() {
    let (world, tab) = without_refresh_tokens();
    let watch: Vec<&String> = world.tabs[tab].commands.iter().filter(|c| c.starts_with("WatchForSafeMoments")).collect();
    assert_eq!(watch, ["WatchForSafeMoments { idle_after_ms: Some(120000), page_changes: true }"], "once, with the defaults");

    let mut world = World::new();
    let tab = world.signed_in_tab();
    assert!(!world.tabs[tab].saw("WatchForSafeMoments"), "a refresh token renews without leaving the page");
    // An idle report or a safe moment changes nothing for such a session,
    // even past the half of its token's life.
    world.advance(400_000);
    let sent = world.sent.len();
    world.handle(tab, Event::PageIdle);
    world.handle(tab, Event::SafeMoment);
    assert_eq!(world.sent.len(), sent, "nothing sent when the page goes idle");
    assert!(world.tabs[tab].pending.is_empty());
}

#[test]
fn an_idle_page_renews_once_due_by_itself() {
    let (mut world, tab) = without_refresh_tokens();
    let (page, token) = (world.tabs[tab].page, world.tabs[tab].session().unwrap().access_token.secret().to_owned());
    // Idle before the token is due: nothing yet...
    world.handle(tab, Event::PageIdle);
    world.settle(20);
    assert_eq!(world.tabs[tab].page, page);
    assert!(!world.has_pending(tab, TOKEN), "not due: the provider is not asked");
    // ...and when it comes due, the idle page leaves and comes back renewed.
    world.advance(75_000);
    assert!(!world.has_pending(tab, TOKEN), "not due yet");
    world.advance(6_000);
    assert!(world.has_pending(tab, TOKEN), "due (half the token's life) while idle: the provider is asked first");
    world.settle(50);
    assert_ne!(world.tabs[tab].page, page, "left for a silent re-sign-in and came back");
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
    assert_ne!(world.tabs[tab].session().unwrap().access_token.secret(), token, "a fresh access token");
}

#[test]
fn a_page_idle_when_the_token_is_already_due_renews_at_once() {
    let (mut world, tab) = without_refresh_tokens();
    let page = world.tabs[tab].page;
    world.advance(200_000);
    world.settle(20);
    assert_eq!(world.tabs[tab].page, page, "in use: the page stays although the token is due");
    world.handle(tab, Event::PageIdle);
    world.settle(50);
    assert_ne!(world.tabs[tab].page, page, "renewed as soon as nobody uses the page");
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn a_page_in_use_again_never_leaves_for_a_renewal_under_way() {
    // In use before the provider answers the probe.
    let (mut world, tab) = without_refresh_tokens();
    let page = world.tabs[tab].page;
    world.advance(200_000);
    world.handle(tab, Event::PageIdle);
    assert!(world.has_pending(tab, TOKEN));
    world.handle(tab, Event::PageInUse);
    world.settle(50);
    assert_eq!(world.tabs[tab].page, page, "in use when the provider answered: stays");
    // No timer takes over while it is in use.
    world.advance(600_000);
    world.settle(50);
    assert_eq!(world.tabs[tab].page, page, "never leaves while in use");
    assert!(!world.tabs[tab].saw("PrepareSignIn"), "no re-sign-in prepared");

    // In use while the re-sign-in's URL is being prepared.
    let (mut world, tab) = without_refresh_tokens();
    let page = world.tabs[tab].page;
    world.advance(200_000);
    world.handle(tab, Event::PageIdle);
    world.answer(tab, TOKEN, Fate::Deliver);
    assert!(world.tabs[tab].pending.iter().any(|p| matches!(p, Pending::PrepareSignIn { .. })));
    world.handle(tab, Event::PageInUse);
    world.settle(50);
    assert_eq!(world.tabs[tab].page, page, "prepared after the person came back: dropped");
    assert!(world.tabs[tab].is_signed_in(), "the session is kept");
    assert!(world.tabs[tab].sign_in.is_none(), "and the dropped re-sign-in's transit data is deleted");

    // Idle again: renewed then.
    world.advance(10_000);
    world.handle(tab, Event::PageIdle);
    world.settle(50);
    assert_ne!(world.tabs[tab].page, page, "renewed at the next idle moment");
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn an_idle_page_waits_for_a_slow_provider_but_a_page_change_does_not() {
    // A page change: an answer 2.5 s later finds the person busy on the
    // new page, so it stays, and a provider that stays slow is asked less
    // and less often.
    let (mut world, tab) = without_refresh_tokens();
    let page = world.tabs[tab].page;
    world.advance(100_000);
    let mut asked_at = Vec::new();
    for _ in 0..300 {
        if asked_at.len() == 5 {
            break;
        }
        world.advance(1_000);
        world.handle(tab, Event::SafeMoment); // the person changes pages every second
        if world.has_pending(tab, TOKEN) {
            asked_at.push(world.now);
            world.advance(2_500);
            world.answer(tab, TOKEN, Fate::Deliver);
            assert_eq!(world.tabs[tab].page, page, "too late for the page change");
        }
    }
    assert_eq!(asked_at.len(), 5, "asked again and again within 5 minutes");
    let gaps: Vec<u64> = asked_at.windows(2).map(|w| (w[1] - w[0]) / 1_000).collect();
    assert!(gaps.windows(2).all(|w| w[1] >= w[0]), "backing off: {gaps:?}");
    assert!(*gaps.last().unwrap() >= 10, "backing off past the 5 s between attempts: {gaps:?}");

    // An idle page: nobody is there to be disturbed, so it waits.
    let (mut world, tab) = without_refresh_tokens();
    let page = world.tabs[tab].page;
    world.advance(100_000);
    world.handle(tab, Event::PageIdle);
    world.advance(2_500);
    world.answer(tab, TOKEN, Fate::Deliver);
    world.settle(50);
    assert_ne!(world.tabs[tab].page, page, "renewed although the answer was slow");
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn idle_renewal_can_be_turned_off() {
    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    world.config_fields.insert("renew_when_idle_after_seconds".into(), 0.into());
    let tab = world.signed_in_tab();
    assert!(world.tabs[tab].saw("WatchForSafeMoments { idle_after_ms: None, page_changes: true }"));

    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    world.config_fields.insert("renew_at_page_changes".into(), false.into());
    let tab = world.signed_in_tab();
    assert!(world.tabs[tab].saw("WatchForSafeMoments { idle_after_ms: Some(120000), page_changes: false }"));
}

#[test]
fn without_refresh_tokens_a_refused_access_token_is_renewed_at_the_next_safe_moment() {
    // An API that refuses every token (set up for another audience, say):
    // its refusals are no reason to re-sign in, however often it is called
    // and however many safe moments come, before the token is due.
    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    world.provider.expires_in = Some(300);
    let tab = world.signed_in_tab();
    let page = world.tabs[tab].page;
    for grant in &mut world.provider.grants {
        grant.access_tokens.iter_mut().for_each(|t| t.2 = world::TokenState::Revoked);
    }
    for _ in 0..14 {
        let call = world.call_api(tab);
        world.settle(20);
        assert_eq!(world.api_answer(tab, call), Some(&Err(ApiCallError::Renewal(AuthError::NoRefreshToken))));
        world.advance(10_000);
        world.handle(tab, Event::SafeMoment);
        world.settle(50);
    }
    assert_eq!(world.tabs[tab].page, page, "no re-sign-in for a token the API never took");

    // A token the API took, then refused (revoked): renewed at the next
    // safe moment, not at half its life.
    let (mut world, tab) = without_refresh_tokens();
    let page = world.tabs[tab].page;
    let call = world.call_api(tab);
    world.settle(20);
    assert!(matches!(world.api_answer(tab, call), Some(Ok(_))), "accepted first");
    for grant in &mut world.provider.grants {
        grant.access_tokens.iter_mut().for_each(|t| t.2 = world::TokenState::Revoked);
    }
    let call = world.call_api(tab);
    world.settle(20);
    assert_eq!(
        world.api_answer(tab, call),
        Some(&Err(ApiCallError::Renewal(AuthError::NoRefreshToken))),
        "answered at once: nothing renews before a safe moment"
    );
    world.handle(tab, Event::SafeMoment);
    world.settle(50);
    assert_ne!(world.tabs[tab].page, page, "renewed at the next safe moment, not at half its life");
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn back_from_the_provider_during_a_re_sign_in_tries_again() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::LostAfter);
    world.advance(2_000);
    world.answer(tab, TOKEN, Fate::Deliver); // the probe: the provider answers
    world.abandon_next_navigation = true;
    world.complete(tab, 0, Fate::Deliver); // prepared, navigated, and Back: restored
    assert!(world.tabs[tab].is_signed_in());
    let exchanges =
        |world: &World| world.provider.log.iter().filter(|l| l.wire == Wire::CodeExchange).count();
    // Back does not send the person straight forward again...
    for _ in 0..50 {
        world.advance(1_000);
        world.settle(50);
    }
    assert_eq!(exchanges(&world), 1, "no re-sign-in within a minute of the last one");
    // ...but a minute after the last one, the session is renewed.
    world.advance(10_000);
    world.settle(50);
    assert_eq!(exchanges(&world), 2, "the re-sign-in was tried again and completed");
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn a_re_sign_in_whose_page_never_left_is_tried_again_later() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::LostAfter);
    world.advance(2_000);
    world.answer(tab, TOKEN, Fate::Deliver); // the probe
    world.ignore_next_navigation = true; // a beforeunload prompt kept the page
    world.complete(tab, 0, Fate::Deliver);
    world.settle(50);
    let exchanges =
        |world: &World| world.provider.log.iter().filter(|l| l.wire == Wire::CodeExchange).count();
    assert_eq!(exchanges(&world), 1, "nothing happens at once");
    world.advance(30_000);
    world.settle(50);
    assert_eq!(exchanges(&world), 1, "not within a minute of the last re-sign-in");
    world.advance(30_000);
    world.settle(50);
    let exchanges = world.provider.log.iter().filter(|l| l.wire == Wire::CodeExchange).count();
    assert_eq!(exchanges, 2, "tried again a minute later");
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn a_renewal_banner_says_when_the_next_attempt_really_comes() {
    let mut world = World::new();
    world.provider.expires_in = Some(10);
    let tab = world.signed_in_tab();
    world.advance(8_000);
    world.answer(tab, TOKEN, Fate::LostAfter); // 8 s after signing in
    let problem = world.tabs[tab].problem.as_ref().unwrap().to_string();
    assert!(problem.contains("Retrying in 52 s"), "{problem}");
}

#[test]
fn calls_waiting_when_a_re_sign_in_starts_are_answered() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::LostAfter);
    world.advance(60_000); // the access token has expired meanwhile
    let call = world.call_api(tab);
    world.answer(tab, TOKEN, Fate::Deliver); // the probe: the page will leave
    assert!(world.api_answer(tab, call).is_some(), "the call is not left hanging");
}

#[test]
fn a_set_back_clock_does_not_hold_a_retry_up() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::Unavailable); // retry in 2 s
    world.now -= 3_600_000; // then the device's clock goes back an hour
    world.tabs[tab].timers.clear();
    world.advance(2_000);
    world.handle(tab, Event::PageVisible);
    assert!(world.has_pending(tab, TOKEN), "retried now, not in an hour");
}

#[test]
fn one_revocation_answered_is_enough_to_go_to_the_providers_sign_out() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    world.answer(tab, "https://op.test/revoke", Fate::Deliver);
    world.answer(tab, "https://op.test/revoke", Fate::LostBefore); // an extension blocked one
    assert!(!world.provider.logged_in, "went to the end-session endpoint");
}

#[test]
fn an_invalid_client_refusal_keeps_the_token_and_a_server_error_never_ends_the_session() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::InvalidClient);
    assert!(world.tabs[tab].is_signed_in());
    world.advance(5_000);
    world.answer(tab, TOKEN, Fate::ServerInvalidGrant); // 500 with invalid_grant: not the provider's refusal
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
    let sent: Vec<_> = world.sent.iter().filter(|s| matches!(s.wire, Wire::Refresh { .. })).collect();
    assert_eq!(sent[0].wire, sent[1].wire, "after invalid_client the same token went out again");
}

#[test]
fn back_from_the_end_session_page_shows_signed_out() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.abandon_next_navigation = true;
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    world.settle(20);
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SignedOut), "no spinner left behind");
}

#[test]
fn sign_out_after_a_lost_refresh_revokes_the_dropped_token() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::LostBefore); // never arrived: still valid
    let dropped = world.provider.grants[0].refresh_tokens[0].0.clone();
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    world.settle(20);
    assert!(world.provider.revoked(&dropped), "the maybe-valid token is revoked");
}

#[test]
fn another_tabs_ended_session_does_not_sign_out_a_page_in_the_cache() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    // Another tab's session ended (its hint is gone), but nobody signed out.
    world.had_session = false;
    world.handle(tab, Event::PageRestored { last_sign_out_at: None });
    assert!(world.tabs[tab].is_signed_in());
    // A sign-out before this page signed in does not count either.
    world.handle(tab, Event::PageRestored { last_sign_out_at: Some(START - 1) });
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn a_sign_out_elsewhere_before_the_callback_is_routed_is_honoured() {
    let mut world = World::new();
    let first = world.signed_in_tab();
    let second = world.open_tab(&format!("{APP}/"));
    // The second tab goes to the provider and comes back to its callback,
    // whose configuration is still loading when the first tab signs out.
    world.hold_config_loads = true;
    world.complete(second, 0, Fate::Deliver); // prepared: navigates, returns
    world.handle(first, Event::SignOutRequested { ui_locales: None });
    let message = world.tabs[second].pending.iter().position(|p| matches!(p, world::Pending::Message(_)));
    world.complete(second, message.unwrap(), Fate::Deliver);
    world.settle(50);
    assert_eq!(world.tabs[second].notice(), Some(Notice::SignedOutElsewhere));
    assert!(world.tabs[second].session().is_none());
    assert!(!world.had_session);
}

#[test]
fn a_stale_prepared_sign_in_is_ignored() {
    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    world.handle(tab, Event::SignInRequested { current_page: "/".into(), options: SignInOptions::default() });
    let world::Pending::PrepareSignIn { request: first, .. } = world.tabs[tab].pending.remove(0) else {
        panic!("a sign-in is prepared")
    };
    // Back from the provider, then a second click.
    world.handle(tab, Event::PageRestored { last_sign_out_at: None });
    world.handle(tab, Event::SignInRequested { current_page: "/".into(), options: SignInOptions::default() });
    let page = world.tabs[tab].page;
    let url = browser_oidc::oauth::secret::SecretUrl::new("https://op.test/authorize?state=old");
    world.handle(tab, Event::SignInPrepared { request: first, result: Ok(url) });
    assert_eq!(world.tabs[tab].page, page, "the first attempt's answer is not followed");
    assert!(matches!(world.tabs[tab].pending[..], [world::Pending::PrepareSignIn { .. }]));
}

#[test]
fn a_refreshed_id_token_for_another_person_is_refused_before_its_access_token_is_used() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.advance(601_000);
    world.tabs[tab].timers.clear();
    world.provider.refreshed_sub = "mallory";
    let call = world.call_api(tab); // waits for the refresh
    world.answer(tab, TOKEN, Fate::Deliver);
    let api_calls = world.sent.iter().filter(|s| matches!(s.wire, Wire::Api { .. })).count();
    assert_eq!(api_calls, 0, "no call went out with the new access token");
    assert!(world.api_answer(tab, call).unwrap().is_err());
    assert!(world.tabs[tab].failed().is_some());
}

#[test]
fn a_slow_refresh_does_not_skip_the_providers_sign_out() {
    let (mut world, tab) = refresh_due();
    assert!(world.has_pending(tab, TOKEN));
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    // The revocations answer; the refresh is still out at the deadline.
    while world.has_pending(tab, "https://op.test/revoke") {
        world.answer(tab, "https://op.test/revoke", Fate::Deliver);
    }
    world.advance(5_000);
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SignedOut), "went to the end-session endpoint");
    assert!(!world.provider.logged_in, "the provider's session ended");
}

#[test]
fn events_and_commands_never_show_a_secret_in_debug_output() {
    let (mut world, tab) = refresh_due();
    world.settle(20);
    world.call_api(tab);
    world.settle(20);
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    world.settle(20);
    let mut shown = world.commands_seen.clone();
    shown.extend(world.events_seen.iter().cloned());
    for kind in [
        "Send",
        "CheckSignature",
        "FinishSignIn",
        "Navigate",
        "StoreSignOut",
        "Show(SignedIn",
        "HttpAnswered",
    ] {
        assert!(shown.iter().any(|line| line.starts_with(kind)), "no {kind} was looked at");
    }
    let secrets: Vec<String> = world
        .provider
        .grants
        .iter()
        .flat_map(|g| {
            g.refresh_tokens.iter().map(|t| t.0.clone()).chain(g.access_tokens.iter().map(|t| t.0.clone()))
        })
        .chain(["code-".to_owned(), "random-".to_owned(), "eyJ".to_owned()])
        .collect();
    assert!(!shown.is_empty());
    for line in &shown {
        for secret in &secrets {
            assert!(!line.contains(secret.as_str()), "{secret} shown in: {line}");
        }
    }
}

#[test]
fn a_server_error_after_the_provider_rotated_never_resends_the_token() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::ServerErrorAfter); // rotated, then 500 with a JSON error
    for _ in 0..5 {
        world.advance(30_000);
        world.settle(50);
    }
    assert!(!world.provider.reuse_detected(), "the maybe-spent token was never sent again");
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn a_busy_answer_keeps_the_token_for_the_next_try() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::TooMany);
    world.advance(20_000);
    world.answer(tab, TOKEN, Fate::Deliver);
    let sent: Vec<_> = world.sent.iter().filter(|s| matches!(s.wire, Wire::Refresh { .. })).collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].wire, sent[1].wire, "the same token was sent again after the delay");
    assert!(world.tabs[tab].is_signed_in());
    assert!(!world.provider.reuse_detected());
}

#[test]
fn a_page_that_is_not_the_providers_answer_is_no_reason_to_leave() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::LostAfter);
    world.advance(60_000);
    world.answer(tab, TOKEN, Fate::Teapot); // the probe meets a portal page
    assert!(!world.tabs[tab].pending.iter().any(|p| matches!(p, world::Pending::PrepareSignIn { .. })));
    assert!(world.tabs[tab].problem.is_some());
}

#[test]
fn a_re_sign_in_waits_a_minute_after_the_last_sign_in() {
    let mut world = World::new();
    world.provider.expires_in = Some(10);
    let tab = world.signed_in_tab();
    world.advance(8_000);
    world.answer(tab, TOKEN, Fate::LostAfter);
    for _ in 0..100 {
        world.advance(1_000);
        world.settle(50);
    }
    let exchanges: Vec<u64> =
        world.provider.log.iter().filter(|l| l.wire == Wire::CodeExchange).map(|l| l.at).collect();
    assert_eq!(exchanges.len(), 2, "{exchanges:?}");
    assert!(exchanges[1] >= exchanges[0] + 60_000, "no re-sign-in within a minute of a sign-in");
    assert!(world.tabs[tab].is_signed_in());
}

#[test]
fn a_declined_re_sign_in_says_the_session_has_ended() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::LostAfter);
    world.provider.logged_in = false; // the provider forgot the person
    world.advance(2_000);
    world.settle(50);
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SessionEnded));
}

#[test]
fn a_callback_query_leaves_the_address_bar_before_the_configuration_arrives() {
    let mut world = World::new();
    world.hold_config_loads = true;
    let tab = world.open_tab(&format!("{APP}/callback?code=c-1&state=s-1&iss=https%3A%2F%2Fop.test"));
    assert_eq!(world.tabs[tab].url, format!("{APP}/callback"), "stripped while the config loads");
    // The app's own query that merely looks like one is put back.
    let other = world.open_tab(&format!("{APP}/import?code=x&state=y"));
    world.complete(other, 0, Fate::Deliver); // the configuration
    assert_eq!(world.tabs[other].url, format!("{APP}/import?code=x&state=y"));
}

#[test]
fn a_slow_revocation_does_not_skip_the_providers_sign_out() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    world.advance(5_000); // the revocations are still out at the deadline
    assert!(!world.provider.logged_in, "went to the end-session endpoint all the same");
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SignedOut));
}

#[test]
fn a_provider_that_refuses_the_connection_is_signed_out_of_locally() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    while world.has_pending(tab, "https://op.test/revoke") {
        world.answer(tab, "https://op.test/revoke", Fate::LostBefore);
    }
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SignedOutLocally));
    assert!(world.provider.logged_in, "no navigation to a provider that cannot be reached");
}

// ------------------------------------------------ refreshed ID tokens, checked

/// A refreshed ID token must verify like the first: a forged one is a security failure, not a new identity.
#[test]
fn a_refreshed_id_token_whose_signature_does_not_verify_ends_the_session_and_its_tokens_are_revoked() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.provider.forge_refreshed_signature = true;
    world.advance(560_000);
    world.settle(20);
    assert_eq!(world.tabs[tab].failed(), Some(&AuthError::InvalidSignature), "{:?}", world.tabs[tab].shown);
    assert!(world.tabs[tab].session().is_none());
    assert!(!world.had_session);
    let grant = &world.provider.grants[0];
    assert_eq!(grant.refresh_tokens.len(), 2, "one refresh happened");
    assert!(world.provider.revoked(&grant.refresh_tokens[1].0), "the refresh token it came with is revoked");
    assert!(world.provider.revoked(&grant.access_tokens[1].0), "and the access token");
}

/// The session holds the newest verified ID token and its claims, not the sign-in's for ever.
#[test]
fn a_refreshed_id_token_that_verifies_replaces_the_sessions_id_token() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    let first = world.tabs[tab].session().unwrap().clone();
    world.advance(560_000);
    world.settle(20);
    let session = world.tabs[tab].session().unwrap();
    assert_eq!(world.provider.refreshes_by(tab).len(), 1);
    assert_ne!(session.id_token.secret(), first.id_token.secret(), "the refreshed ID token is held");
    let issued_at = i64::try_from((START + 560_000) / 1000).unwrap();
    assert_eq!(session.id_token_claims.iat, Some(issued_at), "with its own claims");
    assert_eq!(first.id_token_claims.iat, Some(i64::try_from(START / 1000).unwrap()));
}

/// The JWKS is fetched again at most every 10 s, even for a key rotated the moment the keys were read.
#[test]
fn a_key_rotated_the_moment_the_keys_were_read_waits_out_the_refetch_interval() {
    let mut world = World::new();
    world.provider.expires_in = Some(1); // refreshed at once, then every 5 s
    let tab = world.signed_in_tab();
    world.provider.rotate_key(true);
    world.advance(0); // the refresh, due now
    world.settle(20);
    assert_eq!(world.provider.refreshes_by(tab).len(), 1);
    assert_eq!(world.provider.jwks_fetches(), 0, "not in the instant the sign-in read the keys");
    world.advance(10_000);
    world.settle(20);
    assert_eq!(world.provider.jwks_fetches(), 1, "fetched once 10 s have passed");
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
}

/// Only a key set asked for after a refreshed ID token arrived proves its key unknown: one already on its way may predate the key.
#[test]
fn a_key_set_asked_for_before_a_refreshed_id_token_arrived_does_not_prove_its_key_unknown() {
    let mut world = World::new();
    world.provider.expires_in = Some(4); // refreshed 2 s before expiry, and 5 s apart
    let tab = world.signed_in_tab();
    world.provider.rotate_key(true); // k2, published
    world.advance(2_000);
    world.answer(tab, TOKEN, Fate::Deliver); // signed with k2: the keys were read 2 s ago, it waits
    assert_eq!(world.provider.jwks_fetches(), 0);
    world.advance(5_000);
    assert!(world.has_pending(tab, TOKEN), "the next refresh went out at 7 s");
    world.advance(3_000);
    world.handle(tab, Event::PageVisible); // 10 s after the sign-in read them: the keys are asked for
    assert!(world.has_pending(tab, JWKS));
    // The refresh answers first, with an ID token signed by a key the
    // provider publishes only a moment later (k3).
    world.provider.rotate_key(false);
    world.answer(tab, TOKEN, Fate::Deliver);
    world.answer(tab, JWKS, Fate::Deliver); // k1 and k2: asked for before that ID token came
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
    world.provider.published.push("k3".into());
    for _ in 0..30 {
        world.advance(1_000);
        world.settle(20);
    }
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
    assert_eq!(world.provider.jwks_fetches(), 2, "k3 was found by the next fetch");
}

// ------------------------------------------------ a refresh's answer, taken

/// A refresh restarts the token's clock (its lifetime counts from its arrival) and its scope is the one granted now.
#[test]
fn a_refresh_updates_the_sessions_arrival_time_expiry_and_scope() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.provider.refreshed_scope = Some("openid profile");
    world.advance(560_000);
    world.advance(1_500); // the answer comes 1.5 s after the request
    world.answer(tab, TOKEN, Fate::Deliver);
    let session = world.tabs[tab].session().unwrap().clone();
    assert_eq!(session.received_at_ms, START + 561_500);
    assert_eq!(session.access_token_expires_at_ms, Some(START + 561_500 + 600_000));
    assert_eq!(session.scope.as_deref(), Some("openid profile"), "the narrower scope granted now");
    // A refresh that names no scope keeps the one last granted.
    world.provider.refreshed_scope = None;
    world.advance(600_000);
    world.settle(20);
    assert_eq!(world.provider.refreshes_by(tab).len(), 2);
    assert_eq!(world.tabs[tab].session().unwrap().scope.as_deref(), Some("openid profile"));
}

/// RFC 6750 §3.1: a call refused with an older token is retried at once with the newer one, not after another refresh.
#[test]
fn an_api_call_refused_with_an_older_token_is_retried_at_once_with_the_newer_one() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.advance(559_900);
    let call = world.call_api(tab); // goes out with the first access token
    world.advance(100); // the refresh goes out, and answers before the call does
    world.answer(tab, TOKEN, Fate::Deliver);
    world.provider.grants[0].access_tokens[0].2 = world::TokenState::Revoked; // the API refuses the old one
    world.answer(tab, API, Fate::Deliver);
    world.settle(20);
    assert!(
        matches!(world.api_answer(tab, call), Some(Ok(ApiAnswer::Response(_)))),
        "{:?}",
        world.api_answer(tab, call)
    );
    assert_eq!(world.provider.refreshes_by(tab).len(), 1, "no second refresh");
    let api_calls = world.provider.api_calls();
    assert_eq!(api_calls, 2, "the call and its retry");
}

// ------------------------------------------------ what the page shows

/// Dismissing an error brings back the Sign in button, but only where signing in can work and nothing else is shown.
#[test]
fn dismissing_an_error_shows_the_sign_in_button_only_where_signing_in_can_work() {
    // A sign-in that could not be prepared (the provider unreachable).
    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    world.handle(tab, Event::SignInRequested { current_page: "/".into(), options: SignInOptions::default() });
    world.complete(tab, 0, Fate::LostBefore);
    assert!(world.tabs[tab].failed().is_some());
    world.handle(tab, Event::ErrorDismissed);
    assert!(matches!(world.tabs[tab].shown, Some(AuthState::SignedOut(None))), "{:?}", world.tabs[tab].shown);

    // The configuration failed: there is nothing to sign in with, the error stays.
    let mut world = World::new();
    world.tabs.push(world::Tab::new(&format!("{APP}/")));
    let location = browser_oidc::session::Location::parse(&format!("{APP}/"));
    world.handle(0, Event::Started { location, stored: Default::default() });
    world.tabs[0].pending.clear();
    let error =
        browser_oidc::config::ConfigError::Unavailable { url: "/config.json".into(), status: Some(503) };
    world.handle(0, Event::ConfigLoaded(Err(error)));
    world.handle(0, Event::ErrorDismissed);
    assert!(world.tabs[0].failed().is_some(), "{:?}", world.tabs[0].shown);

    // Signed in: a late dismissal changes nothing.
    let tab = world.signed_in_tab();
    world.handle(tab, Event::ErrorDismissed);
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
}

/// A plain visit shows the Sign in button at once; a callback or a session to restore shows a spinner until routed.
#[test]
fn the_first_thing_shown_is_the_sign_in_button_on_a_plain_visit_and_a_spinner_otherwise() {
    let mut world = World::new();
    world.hold_config_loads = true;
    let plain = world.open_tab(&format!("{APP}/"));
    assert!(
        matches!(world.tabs[plain].shown, Some(AuthState::SignedOut(None))),
        "{:?}",
        world.tabs[plain].shown
    );
    let callback = world.open_tab(&format!("{APP}/callback?code=c-1&state=s-1"));
    assert!(matches!(world.tabs[callback].shown, Some(AuthState::Loading(Progress::Starting))));
    world.had_session = true;
    let restoring = world.open_tab(&format!("{APP}/"));
    assert!(matches!(world.tabs[restoring].shown, Some(AuthState::Loading(Progress::Starting))));
}

/// A Sign in clicked before the configuration came puts the app's own query back (and returns there), never a callback's.
#[test]
fn a_sign_in_clicked_before_the_configuration_puts_back_only_the_apps_own_query() {
    let mut world = World::new();
    world.hold_config_loads = true;
    let tab = world.open_tab(&format!("{APP}/import?code=x&state=y"));
    assert_eq!(world.tabs[tab].url, format!("{APP}/import"), "stripped while the configuration loads");
    world.handle(
        tab,
        Event::SignInRequested { current_page: "/import".into(), options: SignInOptions::default() },
    );
    world.complete(tab, 0, Fate::Deliver); // the configuration
    assert_eq!(world.tabs[tab].url, format!("{APP}/import?code=x&state=y"), "the app's query is back");
    let return_path = world.tabs[tab].pending.iter().find_map(|p| match p {
        Pending::PrepareSignIn { return_path, .. } => return_path.clone(),
        _ => None,
    });
    assert_eq!(return_path.as_deref(), Some("/import?code=x&state=y"), "and the sign-in returns there");

    let tab = world.open_tab(&format!("{APP}/callback?code=c-1&state=s-1"));
    world.handle(
        tab,
        Event::SignInRequested { current_page: "/callback".into(), options: SignInOptions::default() },
    );
    world.complete(tab, 0, Fate::Deliver);
    assert_eq!(world.tabs[tab].url, format!("{APP}/callback"), "a code never comes back to the address bar");
}

/// A tab restores silently at most once a minute (a provider that never answers cannot cause a loop), and a set-back clock does not hold it up.
#[test]
fn a_tab_tries_a_silent_restore_at_most_once_a_minute() {
    let restoring = |world: &World, tab: usize| {
        world.tabs[tab]
            .pending
            .iter()
            .any(|p| matches!(p, Pending::PrepareSignIn { mode: SignInMode::Silent, .. }))
    };
    let mut world = World::new();
    let tab = world.signed_in_tab();
    // A reload restores; its redirect goes out and never comes back.
    world.reload(tab);
    assert!(restoring(&world, tab));
    world.ignore_next_navigation = true;
    world.complete(tab, 0, Fate::Deliver);
    assert_eq!(world.tabs[tab].silent_attempt_at, Some(world.now));
    // Reloaded at once, and 30 s later: no second try within the minute.
    for wait in [0, 30_000, 29_999] {
        world.advance(wait);
        world.reload(tab);
        assert!(!restoring(&world, tab), "{wait} ms later");
        assert!(
            matches!(world.tabs[tab].shown, Some(AuthState::SignedOut(None))),
            "{:?}",
            world.tabs[tab].shown
        );
    }
    // A minute after: tried again.
    world.advance(1);
    world.reload(tab);
    assert!(restoring(&world, tab), "a minute later");
    world.ignore_next_navigation = true;
    world.complete(tab, 0, Fate::Deliver);
    // The device's clock goes back an hour: the attempt "in the future" does not hold it up.
    world.now -= 3_600_000;
    world.reload(tab);
    assert!(restoring(&world, tab), "after the clock was set back");
}

/// The spinner says what is happening: a click goes to the provider, a reload restores the session.
#[test]
fn a_click_shows_going_to_the_provider_and_a_reload_shows_restoring() {
    let mut world = World::new();
    let tab = world.open_tab(&format!("{APP}/"));
    world.handle(tab, Event::SignInRequested { current_page: "/".into(), options: SignInOptions::default() });
    assert!(matches!(world.tabs[tab].shown, Some(AuthState::Loading(Progress::RedirectingToProvider))));
    world.settle(50);
    assert!(world.tabs[tab].is_signed_in());
    world.reload(tab);
    assert!(
        matches!(world.tabs[tab].shown, Some(AuthState::Loading(Progress::RestoringSession))),
        "{:?}",
        world.tabs[tab].shown
    );
}

/// A restore that cannot start (the provider unreachable) ends quietly signed out; a click that cannot start says why.
#[test]
fn a_sign_in_that_cannot_be_prepared_is_quiet_when_silent_and_explained_when_clicked() {
    let mut world = World::new();
    world.had_session = true;
    let tab = world.open_tab(&format!("{APP}/"));
    assert!(matches!(world.tabs[tab].pending[..], [Pending::PrepareSignIn { mode: SignInMode::Silent, .. }]));
    world.complete(tab, 0, Fate::LostBefore);
    assert!(matches!(world.tabs[tab].shown, Some(AuthState::SignedOut(None))), "{:?}", world.tabs[tab].shown);
    world.handle(tab, Event::SignInRequested { current_page: "/".into(), options: SignInOptions::default() });
    world.complete(tab, 0, Fate::LostBefore);
    assert!(
        matches!(world.tabs[tab].failed(), Some(AuthError::ProviderUnreachable(_))),
        "{:?}",
        world.tabs[tab].shown
    );
}

/// A person who cancels at the provider's page is told the sign-in was cancelled, not shown an error.
#[test]
fn a_sign_in_cancelled_at_the_provider_says_so() {
    let mut world = World::new();
    world.provider.person_cancels = true;
    let tab = world.open_tab(&format!("{APP}/"));
    world.handle(tab, Event::SignInRequested { current_page: "/".into(), options: SignInOptions::default() });
    world.settle(50);
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SignInCancelled), "{:?}", world.tabs[tab].shown);
    assert!(world.tabs[tab].session().is_none());
}

/// An authorization response is `state` with `code` or `error`: an app's own `?code=` (a gift code) stays in the address bar.
#[test]
fn an_apps_own_code_parameter_without_state_is_left_in_the_address_bar() {
    let mut world = World::new();
    world.hold_config_loads = true;
    let tab = world.open_tab(&format!("{APP}/redeem?code=GIFT-1"));
    world.complete(tab, 0, Fate::Deliver); // the configuration
    assert!(!world.tabs[tab].saw("ReplaceUrl"), "{:?}", world.tabs[tab].commands);
    assert_eq!(world.tabs[tab].url, format!("{APP}/redeem?code=GIFT-1"));
}

// ------------------------------------------------ sign-out, here and elsewhere

/// A sign-out gives its revocations up to 5 s before it leaves for the provider's end-session page.
#[test]
fn a_sign_out_waits_for_its_revocations_before_leaving_for_the_provider() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    world.advance(4_000);
    assert!(world.provider.logged_in, "still waiting for the revocations");
    assert!(matches!(world.tabs[tab].shown, Some(AuthState::Loading(Progress::SigningOut))));
    while world.has_pending(tab, "https://op.test/revoke") {
        world.answer(tab, "https://op.test/revoke", Fate::Deliver);
    }
    assert!(!world.provider.logged_in, "then went to the end-session endpoint");
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SignedOut));
    let revoked = world.provider.log.iter().filter(|l| matches!(l.wire, Wire::Revoke { .. })).count();
    assert_eq!(revoked, 2, "both tokens were revoked first");
}

/// A provider without an end-session endpoint: the tokens are revoked and the sign-out ends here, as a real sign-out.
#[test]
fn a_provider_without_an_end_session_endpoint_is_signed_out_of_here() {
    let mut world = World::new();
    world.provider.end_session_supported = false;
    let tab = world.signed_in_tab();
    let page = world.tabs[tab].page;
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    world.settle(20);
    assert_eq!(world.tabs[tab].notice(), Some(Notice::SignedOut), "{:?}", world.tabs[tab].shown);
    assert_eq!(world.tabs[tab].page, page, "nowhere to go");
    let revoked = world.provider.log.iter().filter(|l| matches!(l.wire, Wire::Revoke { .. })).count();
    assert_eq!(revoked, 2);
}

/// A restore that has not left the page yet stops when another tab signs out: the latest word was sign-out.
#[test]
fn a_restore_not_yet_gone_to_the_provider_stops_when_another_tab_signs_out() {
    let mut world = World::new();
    let first = world.signed_in_tab();
    let second = world.open_tab(&format!("{APP}/"));
    assert!(matches!(
        world.tabs[second].pending[..],
        [Pending::PrepareSignIn { mode: SignInMode::Silent, .. }]
    ));
    let page = world.tabs[second].page;
    world.handle(first, Event::SignOutRequested { ui_locales: None });
    let message = world.tabs[second].pending.iter().position(|p| matches!(p, Pending::Message(_))).unwrap();
    world.complete(second, message, Fate::Deliver);
    assert_eq!(world.tabs[second].notice(), Some(Notice::SignedOutElsewhere));
    world.settle(50); // the restore's preparation answers late
    assert_eq!(world.tabs[second].page, page, "it never went to the provider");
    assert_eq!(world.tabs[second].notice(), Some(Notice::SignedOutElsewhere));
}

/// A tab that was signed out all along is not told it "signed out in another tab".
#[test]
fn a_tab_signed_out_all_along_is_not_told_of_a_sign_out_elsewhere() {
    let mut world = World::new();
    let bystander = world.open_tab(&format!("{APP}/"));
    let tab = world.signed_in_tab();
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    world.settle(50);
    assert!(world.tabs[bystander].pending.is_empty(), "the message was delivered");
    assert!(
        matches!(world.tabs[bystander].shown, Some(AuthState::SignedOut(None))),
        "{:?}",
        world.tabs[bystander].shown
    );
}

// ------------------------------------------------ renewal, API calls waiting

/// After Back from a re-sign-in's page nothing can renew the session for a minute: a call whose token has expired is answered at once.
#[test]
fn after_back_from_a_re_sign_in_a_call_with_an_expired_token_is_answered_at_once() {
    let mut world = World::new();
    world.provider.expires_in = Some(10);
    let tab = world.signed_in_tab();
    world.advance(8_000);
    // The token may be spent: a re-sign-in, a minute after signing in.
    world.answer(tab, TOKEN, Fate::LostAfter);
    world.advance(52_000);
    world.answer(tab, TOKEN, Fate::Deliver); // the probe: the provider answers
    world.abandon_next_navigation = true;
    world.complete(tab, 0, Fate::Deliver); // prepared, navigated, and Back: restored
    assert!(world.tabs[tab].is_signed_in());
    let call = world.call_api(tab);
    let answer = world.api_answer(tab, call).expect("answered at once, not left waiting");
    assert!(matches!(answer, Err(ApiCallError::Renewal(_))), "{answer:?}");
}

/// A call waiting for a fresh token gives up when the refresh fails, rather than go out with an expired one.
#[test]
fn a_call_waiting_on_a_refresh_that_fails_gives_up_rather_than_send_an_expired_token() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.tabs[tab].timers.clear(); // a background tab, its timers frozen
    world.advance(601_000);
    let call = world.call_api(tab);
    world.answer(tab, TOKEN, Fate::Unavailable);
    assert!(
        matches!(world.api_answer(tab, call), Some(Err(ApiCallError::Renewal(_)))),
        "{:?}",
        world.api_answer(tab, call)
    );
    assert!(
        !world.sent.iter().any(|s| matches!(s.wire, Wire::Api { .. })),
        "the expired token never went out"
    );
}

/// Headers asked for near expiry wait for a refresh; if it fails, the token that still works serves them.
#[test]
fn authorize_near_expiry_falls_back_to_the_token_that_still_works_when_the_refresh_fails() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.tabs[tab].timers.clear();
    let token = world.tabs[tab].session().unwrap().access_token.secret().to_owned();
    world.advance(590_000); // 10 s left: within the 30 s margin
    let call = world.request(tab, ApiCallKind::Authorize { method: Method::Get, url: format!("{API}/") });
    assert_eq!(world.api_answer(tab, call), None, "waits for a fresh token");
    world.answer(tab, TOKEN, Fate::Unavailable);
    let Some(Ok(ApiAnswer::Authorization(headers))) = world.api_answer(tab, call) else {
        panic!("no headers: {:?}", world.api_answer(tab, call))
    };
    assert_eq!(headers.0[0].1, format!("Bearer {token}"));
}

/// A call the API refused is retried only with a fresh token: when the refresh fails, it gives up after one request.
#[test]
fn a_call_the_api_refused_is_not_resent_with_the_same_token_when_the_refresh_fails() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.advance(10_000);
    world.provider.grants[0].access_tokens[0].2 = world::TokenState::Revoked;
    let call = world.call_api(tab);
    world.answer(tab, API, Fate::Deliver); // 401 invalid_token: a refresh
    world.answer(tab, TOKEN, Fate::Unavailable);
    assert!(
        matches!(world.api_answer(tab, call), Some(Err(ApiCallError::Renewal(_)))),
        "{:?}",
        world.api_answer(tab, call)
    );
    let api_calls = world.sent.iter().filter(|s| matches!(s.wire, Wire::Api { .. })).count();
    assert_eq!(api_calls, 1);
}

/// A call made while a refresh waits out the server's Retry-After waits with it, and is served by the refreshed token.
#[test]
fn a_call_made_while_the_refresh_waits_out_retry_after_is_served_after_the_retry() {
    let mut world = World::new();
    let tab = world.signed_in_tab();
    world.tabs[tab].timers.clear();
    world.advance(601_000); // expired
    let first = world.call_api(tab);
    world.answer(tab, TOKEN, Fate::TooMany); // 429, Retry-After: 20; the token is kept
    assert!(world.api_answer(tab, first).is_some());
    let call = world.call_api(tab);
    assert_eq!(world.api_answer(tab, call), None, "waits for the retry");
    world.advance(20_000);
    world.settle(20);
    assert!(
        matches!(world.api_answer(tab, call), Some(Ok(ApiAnswer::Response(_)))),
        "{:?}",
        world.api_answer(tab, call)
    );
}

/// Without a refresh token, a token the API refused is not sent again: the call says no refresh token was issued.
#[test]
fn without_a_refresh_token_a_call_the_api_refused_is_not_sent_again() {
    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    let tab = world.signed_in_tab();
    world.advance(10_000);
    world.provider.grants[0].access_tokens[0].2 = world::TokenState::Revoked;
    let call = world.call_api(tab);
    world.answer(tab, API, Fate::Deliver); // 401 invalid_token
    assert_eq!(world.api_answer(tab, call), Some(&Err(ApiCallError::Renewal(AuthError::NoRefreshToken))));
    let api_calls = world.sent.iter().filter(|s| matches!(s.wire, Wire::Api { .. })).count();
    assert_eq!(api_calls, 1);
}

/// Without a refresh token, headers for an expired token are refused with the reason, not handed out.
#[test]
fn authorize_with_an_expired_token_and_no_refresh_token_says_so() {
    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    let tab = world.signed_in_tab();
    world.advance(601_000);
    let call = world.request(tab, ApiCallKind::Authorize { method: Method::Get, url: format!("{API}/") });
    assert_eq!(world.api_answer(tab, call), Some(&Err(ApiCallError::Renewal(AuthError::NoRefreshToken))));
}

/// A short-lived token is not renewed for every authorize: the margin is a quarter of its lifetime when that is under 30 s.
#[test]
fn a_short_lived_token_is_not_renewed_for_every_authorize() {
    let mut world = World::new();
    world.provider.expires_in = Some(20); // a margin of 5 s
    let tab = world.signed_in_tab();
    let token = world.tabs[tab].session().unwrap().access_token.secret().to_owned();
    world.advance(1_000);
    let call = world.request(tab, ApiCallKind::Authorize { method: Method::Get, url: format!("{API}/") });
    let Some(Ok(ApiAnswer::Authorization(headers))) = world.api_answer(tab, call) else {
        panic!("no headers at once: {:?}", world.api_answer(tab, call))
    };
    assert_eq!(headers.0[0].1, format!("Bearer {token}"));
    assert!(world.provider.refreshes_by(tab).is_empty() && !world.has_pending(tab, TOKEN));
}

/// On the way to a re-sign-in, headers come from the token that still works rather than wait for the page to leave.
#[test]
fn authorize_on_the_way_to_a_re_sign_in_gives_the_token_that_still_works() {
    let (mut world, tab) = refresh_due();
    world.answer(tab, TOKEN, Fate::LostAfter); // the token may be spent
    world.advance(17_000); // the probe went out 5 s after; 23 s of the token are left
    assert!(world.has_pending(tab, TOKEN), "the probe is still out");
    let token = world.tabs[tab].session().unwrap().access_token.secret().to_owned();
    let call = world.request(tab, ApiCallKind::Authorize { method: Method::Get, url: format!("{API}/") });
    let Some(Ok(ApiAnswer::Authorization(headers))) = world.api_answer(tab, call) else {
        panic!("no headers at once: {:?}", world.api_answer(tab, call))
    };
    assert_eq!(headers.0[0].1, format!("Bearer {token}"));
}

/// A safe moment lasts 2 s: a probe answered just within them still leaves for the re-sign-in.
#[test]
fn a_probe_answered_two_seconds_after_the_safe_moment_still_leaves() {
    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    world.provider.expires_in = Some(40);
    let tab = world.signed_in_tab();
    let page = world.tabs[tab].page;
    world.advance(65_000); // due, and a minute after signing in
    world.handle(tab, Event::SafeMoment);
    assert!(world.has_pending(tab, TOKEN), "the provider is asked first");
    world.advance(2_000);
    world.settle(20);
    assert_ne!(world.tabs[tab].page, page, "left for the provider and came back");
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
}

// ------------------------------------------------ renewal in a hidden frame

/// A signed-in tab of a provider that issues no refresh token (300-second
/// access tokens), with a `silent_redirect_uri`: renewals go through a
/// hidden frame.
fn renewing_in_a_frame() -> (World, usize) {
    renewing_in_a_frame_with(|_| {})
}

/// The same, the world set up by `setup` before signing in.
fn renewing_in_a_frame_with(setup: impl FnOnce(&mut World)) -> (World, usize) {
    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    world.provider.expires_in = Some(300);
    allow_frames(&mut world);
    setup(&mut world);
    let tab = world.signed_in_tab();
    (world, tab)
}

fn allow_frames(world: &mut World) {
    world.config_fields.insert("silent_redirect_uri".into(), format!("{APP}/silent-callback.html").into());
}

fn frames_pending(world: &World, tab: usize) -> usize {
    world.tabs[tab].pending.iter().filter(|p| matches!(p, Pending::RenewInFrame { .. })).count()
}

fn access_token(world: &World, tab: usize) -> String {
    world.tabs[tab].session().unwrap().access_token.secret().to_owned()
}

#[test]
fn with_a_silent_redirect_uri_a_page_in_use_is_renewed_in_a_frame_and_never_leaves() {
    let (mut world, tab) = renewing_in_a_frame();
    let page = world.tabs[tab].page;
    let first = access_token(&world, tab);
    // From half the token's life, as a re-sign-in (should a frame fail,
    // safe moments have as long as without one), with nobody leaving the
    // page or idle.
    world.advance(149_000);
    assert_eq!(frames_pending(&world, tab), 0, "not due yet");
    world.advance(1_000);
    assert_eq!(frames_pending(&world, tab), 1, "due: one frame");
    assert!(!world.has_pending(tab, TOKEN), "no probe: the frame leaves nothing");
    world.settle(20);
    let second = access_token(&world, tab);
    assert_ne!(second, first, "a fresh access token");
    assert!(world.tabs[tab].is_signed_in());
    // Again and again, for an hour, without the page ever leaving.
    for _ in 0..23 {
        world.advance(150_000);
        world.settle(20);
    }
    assert_eq!(world.tabs[tab].page, page, "the page never left");
    assert!(world.tabs[tab].is_signed_in());
    let exchanges = world.provider.log.iter().filter(|l| l.wire == Wire::CodeExchange).count();
    assert_eq!(exchanges, 1 + 24, "the sign-in, then one frame per half-life");
    assert!(world.tabs[tab].session().unwrap().access_token_expires_at_ms.unwrap() > world.now);
}

#[test]
fn an_api_call_waiting_for_a_frame_renewal_is_sent_with_the_new_token() {
    let (mut world, tab) = renewing_in_a_frame();
    world.tabs[tab].timers.clear();
    world.advance(400_000); // expired, the timer held back
    let call = world.call_api(tab);
    assert_eq!(frames_pending(&world, tab), 1, "the call waits for a frame renewal");
    assert!(world.api_answer(tab, call).is_none());
    world.settle(20);
    assert!(matches!(world.api_answer(tab, call), Some(Ok(_))), "{:?}", world.api_answer(tab, call));
    let tokens: Vec<_> = world.sent.iter().filter_map(|s| match &s.wire {
        Wire::Api { token, .. } => Some(token.clone()),
        _ => None,
    }).collect();
    assert_eq!(tokens, [access_token(&world, tab)], "sent once, with the renewed token");
}

#[test]
fn a_frame_renewal_that_fails_keeps_the_session_and_falls_back_to_safe_moments() {
    // A cross-site provider whose cookies the browser keeps from frames:
    // it says login_required although its session lasts.
    let (mut world, tab) = renewing_in_a_frame();
    world.provider.frame_without_cookies = true;
    let (page, token) = (world.tabs[tab].page, access_token(&world, tab));
    assert!(world.tabs[tab].saw("WatchForSafeMoments"), "safe moments are watched for, as a fallback");
    world.advance(150_000);
    assert_eq!(frames_pending(&world, tab), 1, "a frame from half the token's life");
    world.settle(20);
    assert!(world.tabs[tab].is_signed_in(), "kept: {:?}", world.tabs[tab].shown);
    assert_eq!(access_token(&world, tab), token);
    assert!(world.tabs[tab].problem.is_none(), "no banner for a frame that failed");
    // No second frame on this page, however long it waits...
    world.advance(50_000);
    world.settle(20);
    assert_eq!(frames_pending(&world, tab), 0);
    // ...and the safe moments have the other half of the token's life, as
    // without a frame.
    assert_eq!(world.tabs[tab].page, page, "and no leaving while in use");
    // ...but at a safe moment it leaves for a re-sign-in, which works.
    world.handle(tab, Event::SafeMoment);
    world.settle(50);
    assert_ne!(world.tabs[tab].page, page, "renewed by leaving the page");
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
    assert_ne!(access_token(&world, tab), token);
}

#[test]
fn a_frame_renewal_that_signs_in_another_person_ends_the_session_and_revokes_every_token() {
    let (mut world, tab) = renewing_in_a_frame();
    world.provider.frame_sub = "mallory";
    let old = access_token(&world, tab);
    world.advance(150_000);
    world.settle(20);
    let failed = world.tabs[tab].failed().expect("refused, and said so");
    assert!(format!("{failed:?}").contains("RefreshedIdentityChanged"), "{failed:?}");
    assert!(world.tabs[tab].session().is_none(), "nothing kept");
    let revoked: Vec<_> = world.sent.iter().filter_map(|s| match &s.wire {
        Wire::Revoke { token } => Some(token.clone()),
        _ => None,
    }).collect();
    assert!(revoked.contains(&old), "the session's access token is revoked: {revoked:?}");
    assert_eq!(revoked.len(), 2, "and the other person's: {revoked:?}");
}

#[test]
fn a_frame_renewal_cannot_drop_the_dpop_binding() {
    let (mut world, tab) = renewing_in_a_frame_with(|world| world.provider.token_type = "DPoP");
    world.provider.token_type = "Bearer";
    world.advance(150_000);
    world.settle(20);
    assert!(world.tabs[tab].failed().is_some(), "a bearer token in place of a bound one is refused");
    assert!(world.tabs[tab].session().is_none());
}

#[test]
fn a_frame_renewal_may_bind_a_session_that_was_not_bound() {
    // The provider started offering DPoP: the new grant is bound to the tab's key.
    let (mut world, tab) = renewing_in_a_frame();
    assert!(!world.tabs[tab].session().unwrap().dpop);
    world.provider.token_type = "DPoP";
    world.advance(150_000);
    world.settle(20);
    assert!(world.tabs[tab].is_signed_in(), "{:?}", world.tabs[tab].shown);
    assert!(world.tabs[tab].session().unwrap().dpop, "bound from now on");
}

#[test]
fn a_frame_renewal_refused_for_what_came_back_ends_the_session() {
    // A forged ID token, another sign-in's state, a mix-up: as a refresh's would.
    let (mut world, tab) = renewing_in_a_frame();
    world.provider.frame_forged = true;
    world.advance(150_000);
    world.settle(20);
    assert_eq!(world.tabs[tab].failed(), Some(&AuthError::InvalidSignature));
    assert!(world.tabs[tab].session().is_none());
}

#[test]
fn a_frame_renewal_that_cannot_reach_the_provider_is_tried_again_after_the_backoff_a_few_times() {
    let (mut world, tab) = renewing_in_a_frame();
    let page = world.tabs[tab].page;
    let lose_the_frame = |world: &mut World| {
        let index = world.tabs[tab].pending.iter().position(|p| matches!(p, Pending::RenewInFrame { .. })).unwrap();
        world.complete(tab, index, Fate::LostBefore);
    };
    world.advance(150_000);
    lose_the_frame(&mut world);
    assert!(world.tabs[tab].is_signed_in());
    assert!(world.tabs[tab].problem.is_some(), "the person sees the renewal is retried");
    // Frames stay on: 5 s apart at least, then the backoff's 8 s once it is longer.
    world.advance(5_000);
    lose_the_frame(&mut world);
    world.advance(5_000);
    lose_the_frame(&mut world);
    world.advance(7_999);
    assert_eq!(frames_pending(&world, tab), 0, "the third failure's backoff is 8 s");
    world.advance(1);
    assert_eq!(frames_pending(&world, tab), 1, "frames are still on: a fourth");
    world.settle(20);
    assert!(world.tabs[tab].problem.is_none(), "renewed: the banner goes");
    assert_eq!(world.tabs[tab].page, page);

    // Four failures in a row: frames give way to safe moments, with no
    // banner promising a retry that will not come.
    world.advance(150_000);
    for _ in 0..4 {
        lose_the_frame(&mut world);
        world.advance(10_000);
    }
    assert_eq!(frames_pending(&world, tab), 0, "no fifth frame");
    assert!(world.tabs[tab].problem.is_none(), "{:?}", world.tabs[tab].problem);
    world.handle(tab, Event::SafeMoment);
    assert!(world.has_pending(tab, TOKEN), "a safe moment leaves for a re-sign-in (the provider asked first)");
}

#[test]
fn a_declined_frame_under_a_sign_out_lets_the_sign_out_go_on() {
    let (mut world, tab) = renewing_in_a_frame();
    world.provider.frame_without_cookies = true;
    world.advance(150_000);
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    let page = world.tabs[tab].page;
    world.settle(50);
    assert_ne!(world.tabs[tab].page, page, "left for the end-session endpoint once the frame answered");
    assert_eq!(world.provider.sign_out_languages.len(), 1);
}

#[test]
fn a_sign_out_waits_for_a_frame_under_way_and_revokes_what_it_brings() {
    let (mut world, tab) = renewing_in_a_frame();
    world.advance(150_000);
    assert_eq!(frames_pending(&world, tab), 1);
    world.handle(tab, Event::SignOutRequested { ui_locales: None });
    // The revocations answer first: the page does not leave for the
    // end-session endpoint while the frame is out.
    let page = world.tabs[tab].page;
    while let Some(index) = world.tabs[tab].pending.iter().position(|p| matches!(p, Pending::Http { .. })) {
        world.complete(tab, index, Fate::Deliver);
    }
    assert_eq!(world.tabs[tab].page, page, "waiting for the frame");
    let index = world.tabs[tab].pending.iter().position(|p| matches!(p, Pending::RenewInFrame { .. })).unwrap();
    world.complete(tab, index, Fate::Deliver);
    let renewed = world.provider.grants.last().unwrap().access_tokens[0].0.clone();
    assert_ne!(renewed, world.provider.grants[0].access_tokens[0].0, "the frame brought a new grant");
    assert!(
        world.sent.iter().any(|s| s.wire == Wire::Revoke { token: renewed.clone() }),
        "what the frame brought is revoked"
    );
    world.settle(50);
    assert!(world.tabs[tab].session().is_none());
    assert_ne!(world.tabs[tab].page, page, "then left for the end-session endpoint");
    assert_eq!(world.provider.sign_out_languages.len(), 1);
}

#[test]
fn a_frame_renewal_does_not_wait_the_minute_that_a_re_sign_in_leaving_the_page_waits() {
    let (mut world, tab) = renewing_in_a_frame_with(|world| world.provider.expires_in = Some(40));
    world.advance(30_000);
    assert_eq!(frames_pending(&world, tab), 1, "due 10 s before expiry, within the first minute");
}

#[test]
fn after_a_dropped_refresh_token_frames_get_their_own_four_tries() {
    let mut world = World::new();
    allow_frames(&mut world);
    let tab = world.signed_in_tab();
    world.advance(560_000);
    // The refresh's answer is lost after the provider rotated: the token is
    // dropped (one failure counted), and frames renew from now on.
    world.answer(tab, TOKEN, Fate::LostAfter);
    for _ in 0..4 {
        world.advance(20_000);
        let index = world.tabs[tab].pending.iter().position(|p| matches!(p, Pending::RenewInFrame { .. }));
        world.complete(tab, index.expect("a frame"), Fate::LostBefore);
    }
    world.advance(60_000);
    let frames = world.frames.iter().filter(|(t, _, _)| *t == tab).count();
    assert_eq!(frames, 4, "four frames, whatever the refresh's failure counted");
    assert!(world.has_pending(tab, TOKEN) || world.tabs[tab].page > 1, "then the re-sign-in that leaves the page");
}
