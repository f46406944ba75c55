// Billing: the plan Shopify says the store is on, what it uses of each limit, and Shopify's own
// plan page to change it (the merchant confirms there; the plan is read back from Shopify).
import { useApi } from "../hooks";
import { Pending } from "../Pending";
import type { BillingView, Limits, PlanView } from "../generated/api";

const day = (seconds: number) => new Date(seconds * 1000).toLocaleDateString();
const price = (plan: PlanView) => (plan.monthly_cents === 0 ? "Free" : `$${(plan.monthly_cents / 100).toFixed(2)} every 30 days`);

const LIMITS: { key: keyof Limits; usage: keyof BillingView["usage"]; label: string }[] = [
  { key: "segments", usage: "segments", label: "Segments" },
  { key: "active_rules", usage: "active_rules", label: "Active discount rules" },
  { key: "customers", usage: "customers", label: "Customers evaluated" },
  { key: "pixel_events_per_month", usage: "pixel_events_this_month", label: "Storefront events this month" },
];

// The plan page is Shopify's, outside the app's frame: App Bridge opens it at the top.
const changePlan = (url: string) => open(url, "_top");

function Trial(props: { billing: BillingView }) {
  const trial = props.billing.trial;
  if (trial.state === "running") return <s-badge tone="info">Trial until {day(trial.ends_at)}</s-badge>;
  return null;
}

function Usage(props: { billing: BillingView }) {
  const { limits, usage } = props.billing;
  return (
    <s-table>
      <s-table-header-row>
        <s-table-header>Limit</s-table-header>
        <s-table-header>Used</s-table-header>
        <s-table-header>Allowed</s-table-header>
        <s-table-header></s-table-header>
      </s-table-header-row>
      <s-table-body>
        {LIMITS.map((limit) => {
          const used = usage[limit.usage];
          const allowed = limits[limit.key];
          const over = used >= allowed;
          return (
            <s-table-row data-limit={limit.key}>
              <s-table-cell>{limit.label}</s-table-cell>
              <s-table-cell>{used.toLocaleString()}</s-table-cell>
              <s-table-cell>{allowed.toLocaleString()}</s-table-cell>
              <s-table-cell>
                {over ? <s-badge tone="warning">At the limit</s-badge> : <s-progress value={used} max={allowed} accessibilityLabel={`${limit.label} used`} />}
              </s-table-cell>
            </s-table-row>
          );
        })}
      </s-table-body>
    </s-table>
  );
}

function Plans(props: { billing: BillingView }) {
  return (
    <s-table>
      <s-table-header-row>
        <s-table-header>Plan</s-table-header>
        <s-table-header>Price</s-table-header>
        <s-table-header>Segments</s-table-header>
        <s-table-header>Active rules</s-table-header>
        <s-table-header>Customers</s-table-header>
        <s-table-header>Events a month</s-table-header>
      </s-table-header-row>
      <s-table-body>
        {props.billing.plans.map((plan) => (
          <s-table-row data-plan={plan.handle}>
            <s-table-cell>
              {plan.name} {plan.handle === props.billing.plan.handle && <s-badge tone="success">Current</s-badge>}
            </s-table-cell>
            <s-table-cell>
              {price(plan)}
              {plan.trial_days > 0 && `, ${plan.trial_days}-day trial`}
            </s-table-cell>
            <s-table-cell>{plan.limits.segments.toLocaleString()}</s-table-cell>
            <s-table-cell>{plan.limits.active_rules.toLocaleString()}</s-table-cell>
            <s-table-cell>{plan.limits.customers.toLocaleString()}</s-table-cell>
            <s-table-cell>{plan.limits.pixel_events_per_month.toLocaleString()}</s-table-cell>
          </s-table-row>
        ))}
      </s-table-body>
    </s-table>
  );
}

export function Billing() {
  const loaded = useApi<BillingView>("/api/billing");
  return (
    <s-page heading="Billing">
      <Pending loaded={loaded} what="your plan" />
      {loaded.state === "loaded" && (
        <>
          <s-section heading="Your plan">
            <s-stack gap="base">
              <s-stack direction="inline" gap="small-200">
                <s-heading data-plan-name>{loaded.data.plan.name}</s-heading>
                <s-text>{price(loaded.data.plan)}</s-text>
                <Trial billing={loaded.data} />
                {loaded.data.test && <s-badge>Test charge: never billed</s-badge>}
              </s-stack>
              {loaded.data.trial.state === "already_used" && (
                <s-banner tone="warning" heading="This store has had its free trial" data-trial-used>
                  <s-paragraph>
                    The trial began on {day(loaded.data.trial.used_at)}. Until billing starts on {day(loaded.data.trial.billing_starts)}, the
                    Starter limits apply.
                  </s-paragraph>
                </s-banner>
              )}
              {loaded.data.stale && (
                <s-banner tone="warning" heading="Shopify could not be reached">
                  <s-paragraph>This is the plan as Shopify last said it.</s-paragraph>
                </s-banner>
              )}
              {loaded.data.current_period_end && loaded.data.trial.state === "none" && (
                <s-paragraph>The current period ends on {day(loaded.data.current_period_end)}.</s-paragraph>
              )}
              <s-paragraph>
                Plans are billed by Shopify with your store's bill. You choose and confirm the plan on Shopify; over a limit, Seglink keeps what
                it has and asks you to upgrade before it takes on more.
              </s-paragraph>
              <s-button variant="primary" onClick={() => changePlan(loaded.data.upgrade_url)} data-change-plan>
                Change plan
              </s-button>
            </s-stack>
          </s-section>
          <s-section heading="Usage">
            <Usage billing={loaded.data} />
            <s-paragraph>The storefront events count starts again on {day(loaded.data.month_resets_at)}.</s-paragraph>
          </s-section>
          <s-section heading="Plans">
            <Plans billing={loaded.data} />
          </s-section>
        </>
      )}
    </s-page>
  );
}
