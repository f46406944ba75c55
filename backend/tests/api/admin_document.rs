//! The embedded admin's document as Shopify's admin loads it: a launch with a valid `id_token`
//! installs the store and gets the page, framed only by that shop and Shopify's admin; a stale or
//! missing token goes to the bounce page; anything else gets a page nothing may frame.

use axum::body::Body;
use axum::http::Request;

use crate::helpers::{API_KEY, Fresh, SimulatedShop, TestApp, domain, now, on_each_engine};

async fn get(app: &TestApp, path: &str) -> (u16, axum::http::HeaderMap, String) {
    app.request(Request::get(path).body(Body::empty()).unwrap()).await
}

fn launch(shop: &SimulatedShop, at: u64) -> String {
    shop.sim.with_admin(|admin| admin.oauth().app_load_query(1, at))
}

async fn a_launch_installs_the_store_and_frames_only_for_it(fresh: Fresh) {
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    let (status, headers, body) = get(&app, &format!("/?{}", launch(&shop, now().as_secs()))).await;
    assert_eq!(status, 200, "{}: {body}", fresh.name);
    // The simulator plays Shopify's admin here, so its origin may frame the app too.
    assert_eq!(
        headers["content-security-policy"],
        format!("frame-ancestors https://{} https://admin.shopify.com {};", shop.domain, shop.origin)
            .as_str()
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(body.contains(&format!(r#"<meta name="shopify-api-key" content="{API_KEY}">"#)), "{body}");
    let bridge = body.find("/shopifycloud/app-bridge.js").unwrap();
    let polaris = body.find("/shopifycloud/polaris-1.js").unwrap();
    assert!(bridge < polaris, "App Bridge loads first");
    assert!(
        body.contains(r#"<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js">"#),
        "not deferred"
    );
    assert!(
        fresh.store.shop(&domain(&shop.domain)).await.unwrap().is_some_and(|record| record.active),
        "installed"
    );

    // Every admin page's path is the same document.
    for path in ["/segments", "/segments/vip", "/discounts", "/pixel", "/settings"] {
        let (status, _, _) = get(&app, &format!("{path}?{}", launch(&shop, now().as_secs()))).await;
        assert_eq!(status, 200, "{path}");
    }
}
on_each_engine!(a_launch_installs_the_store_and_frames_only_for_it);

#[tokio::test]
async fn a_stale_or_missing_token_goes_to_the_bounce_page_and_back() {
    let fresh = Fresh::sqlite().await;
    let shop = SimulatedShop::start().await;
    let app = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    let stale = launch(&shop, now().as_secs() - 3_600);
    let (status, headers, _) = get(&app, &format!("/segments?{stale}")).await;
    assert!(status == 303 || status == 307, "{status}");
    let location = headers["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/auth/session-token?"), "{location}");
    let query: Vec<(String, String)> =
        reqwest::Url::parse(&format!("https://x{location}")).unwrap().query_pairs().into_owned().collect();
    let reload = &query.iter().find(|(key, _)| key == "shopify-reload").unwrap().1;
    assert!(reload.starts_with("https://seglink.example/segments?"), "{reload}");
    assert!(!reload.contains("id_token") && !reload.contains("hmac"), "{reload}");
    assert!(
        fresh.store.shop(&domain(&shop.domain)).await.unwrap().is_none(),
        "a stale token installs nothing"
    );

    let (status, headers, body) = get(&app, &location).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("/shopifycloud/app-bridge.js") && body.contains(API_KEY));
    assert!(!body.contains("polaris-1.js"), "App Bridge alone");
    assert_eq!(
        headers["content-security-policy"],
        format!("frame-ancestors https://{} https://admin.shopify.com {};", shop.domain, shop.origin)
            .as_str()
    );

    let missing = format!("/?embedded=1&shop={}", shop.domain);
    assert!(get(&app, &missing).await.1["location"].to_str().unwrap().starts_with("/auth/session-token?"));
}

#[tokio::test]
async fn in_production_only_the_shop_and_shopifys_admin_frame_the_app() {
    let fresh = Fresh::sqlite().await;
    let shop = SimulatedShop::start().await;
    // Installed through the simulator, then served as production serves it: no simulated admin.
    let installing = TestApp::on(fresh.store.clone(), Some(&shop.origin));
    assert_eq!(installing.open_admin(&shop).await.0, 200);
    let app = TestApp::on(fresh.store.clone(), None);
    let (status, headers, _) = get(&app, &format!("/?{}", launch(&shop, now().as_secs()))).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-security-policy"],
        format!("frame-ancestors https://{} https://admin.shopify.com;", shop.domain).as_str()
    );
}

#[tokio::test]
async fn pages_for_no_verified_shop_may_be_framed_by_nobody() {
    let app = TestApp::spawn().await;
    let cases = [
        "/".to_owned(),
        "/?shop=evil.com&embedded=1".to_owned(),
        "/auth/session-token?shop=ada.myshopify.com&shopify-reload=https://evil.example/".to_owned(),
        "/auth/session-token?shopify-reload=https://seglink.example/".to_owned(),
    ];
    for path in cases {
        let (status, headers, body) = get(&app, &path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(headers["content-security-policy"], "frame-ancestors 'none';", "{path}");
        assert!(body.contains("Open Seglink from your Shopify admin"), "{body}");
    }
    // Outside the admin, into it: only to Shopify's admin hosts.
    let host = base64_of("admin.shopify.com/store/ada");
    let (status, headers, _) = get(&app, &format!("/?shop=ada.myshopify.com&host={host}")).await;
    assert!(status == 303 || status == 307, "{status}");
    assert_eq!(headers["location"], format!("https://admin.shopify.com/store/ada/apps/{API_KEY}").as_str());
    let evil = base64_of("evil.example/admin");
    let (_, headers, _) = get(&app, &format!("/?shop=ada.myshopify.com&host={evil}")).await;
    assert_eq!(headers["location"], format!("https://ada.myshopify.com/admin/apps/{API_KEY}").as_str());
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(text)
}
