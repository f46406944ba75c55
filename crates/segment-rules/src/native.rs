//! Rules as Shopify's segment query language (shopify.dev "Segment query language reference";
//! docs/segments.md), so a merchant
//! can use a segment inside Shopify too. What has no Shopify equivalent is said in words.

use crate::rules::{Comparison, Condition, Rule};

/// Shopify allows at most this many clauses in one query.
pub const MAX_CLAUSES: usize = 10;

/// Why rules cannot become a Shopify query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Untranslatable(pub String);

/// The query that holds exactly the customers Seglink tagged for the segment `slug`: always
/// available, whatever the rules.
pub fn tag_query(slug: &str) -> String {
    format!("customer_tags CONTAINS '{}'", discount_rules::segment_tag(slug))
}

/// The rules as a Shopify segment query, or why they cannot be one.
pub fn translate(rule: &Rule) -> Result<String, Untranslatable> {
    let mut clauses = 0;
    let query = write(rule, &mut clauses, false)?;
    if clauses > MAX_CLAUSES {
        return Err(Untranslatable(format!(
            "Shopify allows at most {MAX_CLAUSES} conditions in a segment; these rules need {clauses}"
        )));
    }
    Ok(query)
}

fn write(rule: &Rule, clauses: &mut usize, nested: bool) -> Result<String, Untranslatable> {
    let group = |children: &[Rule], joiner: &str, clauses: &mut usize| -> Result<String, Untranslatable> {
        let parts =
            children.iter().map(|child| write(child, clauses, true)).collect::<Result<Vec<_>, _>>()?;
        let joined = parts.join(joiner);
        Ok(if nested && parts.len() > 1 { format!("({joined})") } else { joined })
    };
    match rule {
        Rule::All(children) => group(children, " AND ", clauses),
        Rule::Any(children) => group(children, " OR ", clauses),
        Rule::Condition(condition) => clause(condition, clauses, nested),
    }
}

fn quoted(text: &str) -> Result<String, Untranslatable> {
    if text.contains(['\'', '\\']) {
        return Err(Untranslatable(format!(
            "`{text}` holds a quote, which Shopify's segment queries cannot carry"
        )));
    }
    Ok(format!("'{text}'"))
}

fn clause(condition: &Condition, clauses: &mut usize, nested: bool) -> Result<String, Untranslatable> {
    *clauses += 1;
    let operator = |comparison: &Comparison| comparison.symbol();
    Ok(match condition {
        Condition::Country(codes) => {
            *clauses += codes.len() - 1;
            let parts = codes
                .iter()
                .map(|code| quoted(code).map(|code| format!("customer_countries CONTAINS {code}")))
                .collect::<Result<Vec<_>, _>>()?;
            let joined = parts.join(" OR ");
            if nested && parts.len() > 1 { format!("({joined})") } else { joined }
        }
        Condition::Tag(tag) => format!("customer_tags CONTAINS {}", quoted(tag)?),
        Condition::AmountSpent(_, _, Some(_)) | Condition::OrdersCount(_, _, Some(_)) => {
            return Err(Untranslatable(
                "Shopify segments count amount spent and orders over a customer's whole history, not a window of days"
                    .to_owned(),
            ));
        }
        Condition::AmountSpent(comparison, cents, None) => {
            format!("amount_spent {} {}.{:02}", operator(comparison), cents / 100, cents % 100)
        }
        Condition::OrdersCount(comparison, value, None) => {
            format!("number_of_orders {} {value}", operator(comparison))
        }
        Condition::LastOrderWithinDays(days) => format!("last_order_date >= -{days}d"),
        Condition::CreatedWithinDays(days) => format!("customer_added_date >= -{days}d"),
        Condition::EmailMarketing(state) if state == "SUBSCRIBED" || state == "NOT_SUBSCRIBED" => {
            format!("email_subscription_status = '{state}'")
        }
        Condition::EmailMarketing(state) => {
            return Err(Untranslatable(format!(
                "Shopify segments filter email marketing as SUBSCRIBED or NOT_SUBSCRIBED, not {state}"
            )));
        }
        Condition::Did { .. } => {
            return Err(Untranslatable(
                "behavioural conditions (what a customer did, and how often) have no Shopify equivalent"
                    .to_owned(),
            ));
        }
    })
}
