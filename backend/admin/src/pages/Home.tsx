// Home: the setup guide, live until every step is done (App Home's homepage pattern).
import { useApi } from "../hooks";
import type { Setup, SetupStep } from "../types";

const LABELS: Record<string, string> = {
  webhooks: "Webhooks subscribed",
  web_pixel: "Storefront pixel connected",
  metafield_definitions: "Product metafields defined",
  discount: "Checkout discount created",
  backfill: "Last 90 days of orders, customers and products imported",
  segment: "First segment saved",
  tags_pushed: "Segment tags pushed to customers",
  discount_rule: "A discount rule live at checkout",
};

const TONES: Record<string, string> = { done: "success", skipped: "success", failed: "critical", running: "info" };
const STATES: Record<string, string> = { done: "Done", skipped: "Done", failed: "Failed", running: "Running", pending: "To do" };

function finished(step: SetupStep): boolean {
  return step.state === "done" || step.state === "skipped";
}

export function Home() {
  const setup = useApi<Setup>("/api/setup", (data) => data.steps.some((step) => !finished(step) && step.state !== "failed"));
  return (
    <s-page heading="Seglink">
      <s-section heading="Setup guide">
        {setup.state === "loading" && <s-spinner accessibilityLabel="Loading the setup guide" />}
        {setup.state === "failed" && (
          <s-banner tone="critical" heading="The setup guide could not be loaded">
            <s-paragraph>{setup.error}</s-paragraph>
          </s-banner>
        )}
        {setup.state === "loaded" && (
          <s-stack gap="base">
            <s-paragraph>
              {setup.data.done} of {setup.data.total} steps done
            </s-paragraph>
            <s-progress-bar progress={setup.data.done / setup.data.total} accessibilityLabel="Setup progress" />
            <s-unordered-list>
              {setup.data.steps.map((step) => (
                <s-list-item key={step.step} data-step={step.step}>
                  <s-stack direction="inline" gap="small-200">
                    <s-badge tone={TONES[step.state] ?? "neutral"}>{STATES[step.state] ?? step.state}</s-badge>
                    <s-text>{LABELS[step.step] ?? step.step}</s-text>
                    {step.detail && (step.state === "failed" || step.state === "running") && (
                      <s-text tone="subdued">{step.detail}</s-text>
                    )}
                  </s-stack>
                </s-list-item>
              ))}
            </s-unordered-list>
          </s-stack>
        )}
      </s-section>
    </s-page>
  );
}
