//! The plan page Shopify hosts for an app on Shopify App Pricing: the plans with the current one
//! marked, an approval page for the plan the merchant picks, and, after the answer, the way back
//! to the app's welcome link. The app never sees the choice in the URL it lands on: it reads the
//! subscription from the Admin API, as Shopify asks.

use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::AdminApi;
use crate::billing::{Decision, PricingPlan};
use crate::cdn::escape;
use crate::server::{Simulator, now};

/// Plans as cards, side by side.
const STYLE: &str = "<style>.plans{display:flex;gap:16px;flex-wrap:wrap}.plan{background:#fff;border-radius:10px;\
    padding:16px 20px;min-width:220px;box-shadow:0 1px 2px #0002}.plan h2{margin:0 0 8px;font-size:18px}\
    form button{margin-right:8px;padding:6px 14px}</style>";

/// The merchant's answer on the approval page.
#[derive(serde::Deserialize)]
pub struct Answer {
    decision: String,
}

/// `GET /store/{handle}/charges/{app}/pricing_plans`.
pub async fn plans(State(sim): State<Simulator>, Path((handle, app)): Path<(String, String)>) -> Response {
    render(&sim, &handle, &app, |admin| {
        let current = admin.billing().active().next().map(|subscription| subscription.plan_handle.clone());
        let cards: String = admin
            .billing()
            .plans()
            .iter()
            .map(|plan| {
                let is_current = current.as_deref() == Some(plan.handle.as_str())
                    || (current.is_none() && plan.monthly_cents == 0);
                let action = if is_current {
                    "<p><strong>Current plan</strong></p>".to_owned()
                } else {
                    format!(
                        "<p><a data-choose=\"{plan_handle}\" href=\"pricing_plans/{plan_handle}\">Choose {name}</a></p>",
                        plan_handle = escape(&plan.handle),
                        name = escape(&plan.name),
                    )
                };
                format!("<section class=\"plan\"><h2>{}</h2>{}{action}</section>", escape(&plan.name), terms(plan))
            })
            .collect();
        ("Choose a plan", format!("{STYLE}<div class=\"plans\">{cards}</div>"))
    })
}

/// `GET /store/{handle}/charges/{app}/pricing_plans/{plan}`: the approval page.
pub async fn approval(
    State(sim): State<Simulator>,
    Path((handle, app, plan)): Path<(String, String, String)>,
) -> Response {
    render(&sim, &handle, &app, |admin| {
        let billing = admin.billing();
        let Some(chosen) = billing.plans().iter().find(|candidate| candidate.handle == plan) else {
            return ("No such plan", "<p>This plan is not offered.</p>".to_owned());
        };
        let test = if billing.development_store {
            "<p>This is a development store: the charge is a test and is never billed.</p>"
        } else {
            ""
        };
        let body = format!(
            "{STYLE}<section class=\"plan\"><h2>{name}</h2>{terms}{test}\
             <form method=\"post\"><button name=\"decision\" value=\"approve\">Approve</button> \
             <button name=\"decision\" value=\"decline\">Decline</button></form></section>",
            name = escape(&chosen.name),
            terms = terms(chosen),
        );
        ("Approve your plan", body)
    })
}

/// `POST /store/{handle}/charges/{app}/pricing_plans/{plan}`: the answer, then the welcome link.
pub async fn answer(
    State(sim): State<Simulator>,
    Path((handle, app, plan)): Path<(String, String, String)>,
    Form(answer): Form<Answer>,
) -> Response {
    let decision = match answer.decision.as_str() {
        "approve" => Decision::Approve,
        "decline" => Decision::Decline,
        _ => return (StatusCode::BAD_REQUEST, "decision must be approve or decline").into_response(),
    };
    let welcome = sim.with_admin(|admin| {
        if !is_this_app(admin, &handle, &app) {
            return Err((StatusCode::NOT_FOUND, "no such app in this store".to_owned()));
        }
        admin.choose_plan(&plan, decision, now()).map_err(|reason| (StatusCode::NOT_FOUND, reason))?;
        let path = admin.billing().welcome_path.clone();
        Ok(format!("/store/{handle}/apps/{}{path}", admin.oauth().client_id()))
    });
    match welcome {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err((status, reason)) => (status, reason).into_response(),
    }
}

/// The plan's price and trial, as the page states them.
fn terms(plan: &PricingPlan) -> String {
    let price = if plan.monthly_cents == 0 {
        "Free".to_owned()
    } else {
        format!("${} every 30 days", crate::money::amount(plan.monthly_cents))
    };
    let trial =
        if plan.trial_days > 0 { format!(", {}-day free trial", plan.trial_days) } else { String::new() };
    format!("<p data-terms>{price}{trial}</p>")
}

fn is_this_app(admin: &AdminApi, handle: &str, app: &str) -> bool {
    crate::checkout_page::same_store(admin, handle) && app == admin.billing().app_handle
}

fn render(
    sim: &Simulator,
    handle: &str,
    app: &str,
    page: impl FnOnce(&AdminApi) -> (&'static str, String),
) -> Response {
    let html = sim.with_admin(|admin| {
        is_this_app(admin, handle, app).then(|| {
            let (title, body) = page(admin);
            crate::admin_pages::frame(admin, handle, title, &body)
        })
    });
    match html {
        Some(html) => Html(html).into_response(),
        None => (StatusCode::NOT_FOUND, "no such app in this store").into_response(),
    }
}
