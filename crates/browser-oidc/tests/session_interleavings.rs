//! Random interleavings of everything that can happen to one or two tabs:
//! timers, refresh answers (ok, `invalid_grant`, lost before or after the
//! provider processed them, a gateway's 502 or a 500 after it did, 429,
//! 503, an unlisted status), JWKS outages and key rotations, API 401s, sign-out here,
//! in the other tab and at the provider, reloads, back/forward-cache
//! restores and abandoned navigations. After every step the invariants are
//! checked against the provider's log and what the app put on the wire,
//! never against the core's own bookkeeping.
//!
//! `PROPTEST_CASES` sequences per property (default 256; the test command
//! runs 4,000). The long run:
//! `PROPTEST_CASES=100000 cargo test --release --test session_interleavings`
#![cfg(not(target_arch = "wasm32"))]

#[path = "fake/world.rs"]
mod world;

use std::collections::HashMap;

use browser_oidc::session::Event;
use browser_oidc::session::state::AuthState;
use proptest::prelude::*;
use world::{APP, Fate, Pending, TokenState, Wire, World, classify};

#[derive(Debug, Clone)]
enum Step {
    /// Time passes; timers fire.
    Advance(u64),
    /// The tab's `pick`th pending effect completes with `fate`.
    Complete {
        tab: usize,
        pick: usize,
        fate: Fate,
    },
    CallApi(usize),
    SignIn(usize),
    SignOut(usize),
    Reload(usize),
    RestoredFromCache(usize),
    Visible(usize),
    OpenSecondTab,
    /// The person signs out at the provider (every grant ends).
    ProviderSignOut,
    JwksDown(bool),
    RotateKey {
        publish: bool,
    },
    /// The API stops accepting the access tokens issued so far.
    RevokeAccessTokens,
    /// The next navigation to the provider is abandoned (Back, or a kept page).
    AbandonNextNavigation,
    /// The app's router changed pages, leaving nothing unsaved.
    SafeMoment(usize),
    /// Nobody has used the page for a while.
    Idle(usize),
    /// Someone uses the page again.
    InUse(usize),
    /// The browser keeps the provider's cookies from frames (or lets them through again).
    FramesWithoutCookies(bool),
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        12 => Just(Fate::Deliver),
        2 => Just(Fate::LostBefore),
        2 => Just(Fate::LostAfter),
        1 => Just(Fate::GatewayErrorAfter),
        1 => Just(Fate::ServerErrorAfter),
        1 => Just(Fate::InvalidClient),
        1 => Just(Fate::ServerInvalidGrant),
        1 => Just(Fate::TooMany),
        1 => Just(Fate::Unavailable),
        1 => Just(Fate::Teapot),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let tab = 0..2usize;
    prop_oneof![
        8 => prop_oneof![0..3_000u64, 3_000..120_000u64, 500_000..700_000u64].prop_map(Step::Advance),
        16 => (tab.clone(), 0..4usize, fate()).prop_map(|(tab, pick, fate)| Step::Complete { tab, pick, fate }),
        2 => tab.clone().prop_map(Step::CallApi),
        2 => tab.clone().prop_map(Step::SignIn),
        1 => tab.clone().prop_map(Step::SignOut),
        1 => tab.clone().prop_map(Step::Reload),
        1 => tab.clone().prop_map(Step::RestoredFromCache),
        1 => tab.clone().prop_map(Step::Visible),
        1 => Just(Step::OpenSecondTab),
        1 => Just(Step::ProviderSignOut),
        1 => any::<bool>().prop_map(Step::JwksDown),
        1 => any::<bool>().prop_map(|publish| Step::RotateKey { publish }),
        1 => Just(Step::RevokeAccessTokens),
        1 => Just(Step::AbandonNextNavigation),
    ]
}

fn run(world: &mut World, step: &Step) {
    let exists = |tab: usize| tab < world.tabs.len();
    match *step {
        Step::Advance(ms) => world.advance(ms),
        Step::Complete { tab, pick, fate } if exists(tab) && !world.tabs[tab].pending.is_empty() => {
            let index = pick % world.tabs[tab].pending.len();
            world.complete(tab, index, fate);
        }
        Step::CallApi(tab) if exists(tab) => {
            world.call_api(tab);
        }
        Step::SignIn(tab) if exists(tab) => {
            world.handle(tab, Event::SignInRequested { current_page: "/".into(), options: Default::default() })
        }
        Step::SignOut(tab) if exists(tab) => world.handle(tab, Event::SignOutRequested { ui_locales: None }),
        Step::Reload(tab) if exists(tab) => world.reload(tab),
        // Only a page that is not itself on its way to the provider can
        // have been left (for another site) and come back.
        Step::RestoredFromCache(tab)
            if exists(tab) && !matches!(world.tabs[tab].shown, Some(AuthState::Loading(_))) =>
        {
            let last_sign_out_at = world.last_sign_out_at;
            world.handle(tab, Event::PageRestored { last_sign_out_at });
        }
        Step::Visible(tab) if exists(tab) => world.handle(tab, Event::PageVisible),
        Step::OpenSecondTab if world.tabs.len() < 2 => {
            world.open_tab(&format!("{APP}/"));
        }
        Step::ProviderSignOut => world.provider.end_session(),
        Step::JwksDown(down) => world.provider.jwks_down = down,
        Step::RotateKey { publish } => world.provider.rotate_key(publish),
        Step::RevokeAccessTokens => {
            for grant in &mut world.provider.grants {
                grant.access_tokens.iter_mut().for_each(|t| t.2 = TokenState::Revoked);
            }
        }
        Step::AbandonNextNavigation => world.abandon_next_navigation = true,
        Step::SafeMoment(tab) if exists(tab) => world.handle(tab, Event::SafeMoment),
        Step::Idle(tab) if exists(tab) => world.handle(tab, Event::PageIdle),
        Step::InUse(tab) if exists(tab) => world.handle(tab, Event::PageInUse),
        Step::FramesWithoutCookies(blocked) => world.provider.frame_without_cookies = blocked,
        _ => {}
    }
}

fn grant_of(world: &World, token: &str) -> Option<usize> {
    world.provider.find_refresh(token).map(|(grant, _)| grant)
}

/// The invariants, from the provider's log and the app's wire.
fn check(world: &World) -> Result<(), TestCaseError> {
    // The provider never saw a spent refresh token, so never revoked a grant for reuse.
    prop_assert!(!world.provider.reuse_detected(), "the provider revoked a grant for reuse");

    // A refresh token the provider has rotated is never sent again (even if
    // the second request never arrived). A refresh the provider did not
    // process (429, 503) may be repeated.
    for sent in &world.sent {
        let Wire::Refresh { token } = &sent.wire else { continue };
        let processed_before = world.provider.log.iter().any(|l| l.seq < sent.seq && l.wire == sent.wire);
        let rotated = world
            .provider
            .find_refresh(token)
            .is_some_and(|(g, i)| world.provider.grants[g].refresh_tokens[i].1 == TokenState::Consumed);
        prop_assert!(!(processed_before && rotated), "a rotated refresh token was sent again");
    }

    for (index, tab) in world.tabs.iter().enumerate() {
        let held = tab.session();
        let held_refresh = held.and_then(|s| s.refresh_token.as_ref()).map(|t| t.secret().to_owned());
        let current_grant = held_refresh.as_deref().and_then(|t| grant_of(world, t));

        // At most one refresh of the session, and one probe, in flight.
        let in_flight: Vec<Wire> = tab
            .pending
            .iter()
            .filter_map(|p| match p {
                Pending::Http { http, .. } => Some(classify(http)),
                _ => None,
            })
            .collect();
        let refreshes = in_flight
            .iter()
            .filter(|w| matches!(w, Wire::Refresh { token } if current_grant.is_some() && grant_of(world, token) == current_grant))
            .count();
        let probes = in_flight.iter().filter(|w| **w == Wire::Probe).count();
        let frames = tab.pending.iter().filter(|p| matches!(p, Pending::RenewInFrame { .. })).count();
        prop_assert!(refreshes <= 1, "tab {index}: {refreshes} refreshes in flight");
        prop_assert!(probes <= 1, "tab {index}: {probes} probes in flight");
        prop_assert!(frames <= 1, "tab {index}: {frames} frames in flight");
        // A page gets ready for a click at most once.
        let readied = tab.times_sent("GetReadyToSignIn");
        prop_assert!(readied <= 1, "tab {index}: got ready {readied} times");
        // Never two frames of one page closer than 5 s.
        let starts: Vec<u64> =
            world.frames.iter().filter(|(t, page, _)| *t == index && *page == tab.page).map(|(_, _, at)| *at).collect();
        for pair in starts.windows(2) {
            prop_assert!(pair[1] - pair[0] >= 5_000, "tab {index}: frames {} ms apart", pair[1] - pair[0]);
        }

        // Never two renewal attempts of one session closer than 5 s.
        let mut last: HashMap<(Option<usize>, bool), u64> = HashMap::new();
        for sent in world.sent.iter().filter(|s| s.tab == index && s.page == tab.page) {
            let key = match &sent.wire {
                Wire::Refresh { token } => (grant_of(world, token), false),
                Wire::Probe => (None, true),
                _ => continue,
            };
            if let Some(previous) = last.insert(key, sent.at) {
                prop_assert!(
                    sent.at - previous >= 5_000,
                    "tab {index}: attempts {} ms apart",
                    sent.at - previous
                );
            }
        }

        // What the page shows matches the session held.
        match (&tab.shown, held) {
            (Some(AuthState::SignedIn(shown)), Some(held)) => {
                prop_assert_eq!(shown.access_token.secret(), held.access_token.secret());
                prop_assert_eq!(shown.id_token.secret(), held.id_token.secret());
            }
            (Some(AuthState::SignedIn(_)), None) => {
                prop_assert!(false, "tab {index} shows a session it does not hold")
            }
            (_, Some(_)) => {
                prop_assert!(false, "tab {index} holds a session it does not show: {:?}", tab.shown)
            }
            _ => {}
        }

        // Every refresh token that reached this page is held, in flight,
        // spent (rotated), sent for revocation, or dead with its grant (a
        // sign-out at the provider, or another tab's end-session); a token
        // whose refresh got no answer may wait for the sign-out only while
        // the session lasts. (A page that leaves for the end-session
        // endpoint is checked as it leaves: `World::navigate`.)
        for (_, _, token) in world.delivered.iter().filter(|(t, page, _)| *t == index && *page == tab.page) {
            let wire_refresh = Wire::Refresh { token: token.clone() };
            let accounted = held_refresh.as_deref() == Some(token.as_str())
                || in_flight.contains(&wire_refresh)
                || world.provider.find_refresh(token).is_some_and(|(g, i)| {
                    let grant = &world.provider.grants[g];
                    grant.refresh_tokens[i].1 == TokenState::Consumed || grant.revoked
                })
                || world.sent.iter().any(|s| s.wire == Wire::Revoke { token: token.clone() })
                || (held.is_some() && world.sent.iter().any(|s| s.wire == wire_refresh));
            prop_assert!(accounted, "tab {index}: a refresh token was dropped unrevoked");
        }
    }
    Ok(())
}

/// Lets everything in flight complete and time pass, then checks liveness:
/// every API call got its answer, and no page is left on a spinner.
fn drain(world: &mut World) -> Result<(), TestCaseError> {
    for _ in 0..8 {
        world.settle(200);
        world.advance(10_000);
    }
    world.settle(200);
    for (index, tab) in world.tabs.iter().enumerate() {
        prop_assert!(
            !matches!(tab.shown, Some(AuthState::Loading(_))),
            "tab {index} left on {:?}",
            tab.shown
        );
        for (page, call) in &tab.api_calls {
            let answered = tab.api_answers.iter().any(|(answered, _)| answered == call);
            // A page that navigated away took its callers with it.
            prop_assert!(answered || *page != tab.page, "tab {index}: an API call was never answered");
        }
    }
    Ok(())
}

/// Runs `steps`, checking the invariants after each one.
fn play(world: &mut World, steps: &[Step]) -> Result<(), TestCaseError> {
    for step in steps {
        run(world, step);
        check(world)?;
    }
    Ok(())
}

/// The person's own actions and time, without any fault.
fn fault_free_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..700_000u64).prop_map(Step::Advance),
        (0..2usize, 0..4usize).prop_map(|(tab, pick)| Step::Complete { tab, pick, fate: Fate::Deliver }),
        (0..2usize).prop_map(Step::CallApi),
        (0..2usize).prop_map(Step::Reload),
        (0..2usize).prop_map(Step::Visible),
        (0..2usize).prop_map(Step::RestoredFromCache),
        Just(Step::OpenSecondTab),
        Just(Step::RotateKey { publish: true }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_interleaving_loses_a_session_or_leaks_a_token(steps in prop::collection::vec(step(), 1..60)) {
        let mut world = World::new();
        // Discovery ahead of a click answers in any order with the rest.
        world.hold_get_ready = true;
        world.signed_in_tab();
        check(&world)?;
        play(&mut world, &steps)?;
        drain(&mut world)?;
        check(&world)?;
    }

    /// Without faults, a signed-in session survives any order of the
    /// person's own actions and of time: it ends only when asked to.
    #[test]
    fn without_faults_a_session_lasts_until_signed_out(
        steps in prop::collection::vec(fault_free_step(), 1..40)
    ) {
        let mut world = World::new();
        world.signed_in_tab();
        play(&mut world, &steps)?;
        drain(&mut world)?;
        check(&world)?;
        for (index, tab) in world.tabs.iter().enumerate() {
            prop_assert!(tab.is_signed_in(), "tab {index} lost its session: {:?}", tab.shown);
        }
    }
}

/// What the person does to a page, besides signing in and out.
fn activity() -> impl Strategy<Value = Step> {
    let tab = 0..2usize;
    prop_oneof![
        tab.clone().prop_map(Step::SafeMoment),
        tab.clone().prop_map(Step::Idle),
        tab.prop_map(Step::InUse),
    ]
}

/// A provider that issues no refresh token: 300-second access tokens.
fn without_refresh_tokens() -> World {
    without_refresh_tokens_and(|_| {})
}

/// The same, the world set up by `setup` before signing in.
fn without_refresh_tokens_and(setup: impl FnOnce(&mut World)) -> World {
    let mut world = World::new();
    world.provider.issue_refresh_tokens = false;
    world.provider.expires_in = Some(300);
    setup(&mut world);
    world.signed_in_tab();
    world
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// Without refresh tokens, renewal means leaving the page: with any
    /// faults, the page never leaves for it while someone uses it (the
    /// fake browser asserts this at every navigation), and every invariant
    /// above still holds.
    #[test]
    fn without_refresh_tokens_no_page_in_use_leaves_and_nothing_leaks(
        steps in prop::collection::vec(prop_oneof![4 => step(), 1 => activity()], 1..60)
    ) {
        let mut world = without_refresh_tokens();
        play(&mut world, &steps)?;
        drain(&mut world)?;
        check(&world)?;
    }

    /// Without refresh tokens and without faults, a session outlives any
    /// order of use, safe moments and idleness: once nobody uses the page,
    /// it holds a working access token again.
    #[test]
    fn without_refresh_tokens_an_idle_page_always_renews(
        steps in prop::collection::vec(prop_oneof![3 => fault_free_step(), 1 => activity()], 1..40)
    ) {
        let mut world = without_refresh_tokens();
        play(&mut world, &steps)?;
        for tab in 0..world.tabs.len() {
            world.handle(tab, Event::PageIdle);
        }
        drain(&mut world)?;
        check(&world)?;
        for (index, tab) in world.tabs.iter().enumerate() {
            prop_assert!(tab.is_signed_in(), "tab {index} lost its session: {:?}", tab.shown);
            let expires_at = tab.session().and_then(|s| s.access_token_expires_at_ms);
            prop_assert!(expires_at.is_some_and(|at| at > world.now), "tab {index}: its access token expired, idle");
        }
    }
}

/// Found by the property above in a test-command run (2026-11-29): a renewal
/// by re-sign-in whose navigation is abandoned while an API call is in
/// flight. The page is kept, so the call must still get its answer.
#[test]
fn an_api_call_in_flight_when_a_re_sign_in_is_abandoned_is_answered() {
    use Step::*;
    let steps = [
        AbandonNextNavigation,
        CallApi(0),
        Advance(540_000),
        Complete { tab: 0, pick: 1, fate: Fate::LostBefore },
        Advance(5_000),
        Complete { tab: 0, pick: 1, fate: Fate::Deliver },
        Complete { tab: 0, pick: 1, fate: Fate::GatewayErrorAfter },
        AbandonNextNavigation,
    ];
    let mut world = World::new();
    world.signed_in_tab();
    play(&mut world, &steps).unwrap();
    drain(&mut world).unwrap();
    check(&world).unwrap();
}

/// Found by the property without refresh tokens in a test-command run
/// (2026-11-30): an API call waiting for a renewal whose probe was sent
/// while the page was idle; the person comes back before the answer, so
/// the page stays, and the call must still get its answer.
#[test]
fn an_api_call_waiting_for_an_idle_renewal_is_answered_when_the_person_comes_back() {
    use Step::*;
    let steps = [Idle(0), Advance(500_000), CallApi(0), InUse(0)];
    let mut world = without_refresh_tokens();
    play(&mut world, &steps).unwrap();
    drain(&mut world).unwrap();
    check(&world).unwrap();
}

/// A provider that issues no refresh token (300-second access tokens), and
/// an app that renews in a hidden frame.
fn renewing_in_a_frame() -> World {
    without_refresh_tokens_and(|world| {
        world.config_fields.insert("silent_redirect_uri".into(), format!("{APP}/silent-callback.html").into());
    })
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// Renewal in a hidden frame, with any faults, frames the browser
    /// starves of cookies, and any activity: every invariant holds, and no
    /// page in use leaves (the fake browser asserts it at every navigation).
    #[test]
    fn renewing_in_a_frame_nothing_leaks_and_no_page_in_use_leaves(
        steps in prop::collection::vec(
            prop_oneof![4 => step(), 1 => activity(), 1 => any::<bool>().prop_map(Step::FramesWithoutCookies)],
            1..60,
        )
    ) {
        let mut world = renewing_in_a_frame();
        play(&mut world, &steps)?;
        drain(&mut world)?;
        check(&world)?;
    }

    /// Renewal in a hidden frame, without faults: a page in use the whole
    /// time (no safe moment, never idle) keeps a working access token.
    #[test]
    fn renewing_in_a_frame_a_page_in_use_keeps_a_working_token(
        steps in prop::collection::vec(fault_free_step(), 1..40)
    ) {
        let mut world = renewing_in_a_frame();
        play(&mut world, &steps)?;
        drain(&mut world)?;
        check(&world)?;
        for (index, tab) in world.tabs.iter().enumerate() {
            prop_assert!(tab.is_signed_in(), "tab {index} lost its session: {:?}", tab.shown);
            prop_assert!(tab.in_use, "tab {index} was never left alone");
            let expires_at = tab.session().and_then(|s| s.access_token_expires_at_ms);
            prop_assert!(expires_at.is_some_and(|at| at > world.now), "tab {index}: its access token expired in use");
        }
    }
}
