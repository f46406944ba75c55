// Home: the setup guide, live until every step is done (App Home's homepage pattern).
import { useState } from "preact/hooks";
import { useApi } from "../hooks";
import { keep } from "../keep";
import { Pending } from "../Pending";
import type { SegmentList, SegmentView, SessionView, SetupProgress, SetupStep, SyncHealth } from "../generated/api";

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

/// The segment Seglink suggested after the backfill, until the merchant keeps it.
function Suggestion() {
  const segments = useApi<SegmentList>("/api/segments", (data) => data.segments.length === 0, 3000);
  const [kept, setKept] = useState<SegmentView | null>(null);
  const suggested = segments.state === "loaded" ? segments.data.segments.find((segment) => segment.suggested) : undefined;
  if (kept) {
    return (
      <s-section heading="Suggested segment">
        <s-paragraph>
          “{kept.name}” is yours now, with {kept.member_count.toLocaleString()} members.
        </s-paragraph>
      </s-section>
    );
  }
  if (!suggested) return null;
  return (
    <s-section heading="Suggested segment">
      <s-stack gap="base">
        <s-paragraph>
          “{suggested.name}”: {suggested.member_count.toLocaleString()} customers. Keep it to tag them in Shopify as{" "}
          <s-text type="code">{suggested.tag}</s-text>.
        </s-paragraph>
        <s-stack direction="inline" gap="small-200">
          <s-button variant="primary" onClick={async () => setKept(await keep(suggested))}>
            Keep it
          </s-button>
        </s-stack>
      </s-stack>
    </s-section>
  );
}

const ago = (seconds: number | null) => (seconds ? new Date(seconds * 1000).toLocaleString() : "never");

/// What Seglink holds and how fresh it is: counts, the last delivery of each webhook topic, the
/// pixel's last event, and jobs that failed.
function SyncHealthSection() {
  const sync = useApi<SyncHealth>("/api/sync");
  return (
    <s-section heading="Sync health">
      <Pending loaded={sync} what="sync health" />
      {sync.state === "loaded" && (
        <s-stack gap="base">
          <s-paragraph data-counts>
            {sync.data.counts.customers.toLocaleString()} customers, {sync.data.counts.orders.toLocaleString()} orders and{" "}
            {sync.data.counts.products.toLocaleString()} products in Seglink. Last storefront event:{" "}
            {ago(sync.data.last_pixel_event_at)}.
          </s-paragraph>
          {sync.data.jobs.dead.length > 0 && (
            <s-banner tone="critical" heading={`${sync.data.jobs.dead.length} background jobs gave up`}>
              {sync.data.jobs.dead.slice(0, 5).map((job) => (
                <s-paragraph>
                  {job.kind}: {job.error}
                </s-paragraph>
              ))}
            </s-banner>
          )}
          {sync.data.jobs.retrying > 0 && (
            <s-banner tone="warning" heading={`${sync.data.jobs.retrying} background jobs will be tried again`} />
          )}
          {sync.data.webhooks.length === 0 ? (
            <s-paragraph>No webhook from Shopify yet: they arrive as orders, customers and products change.</s-paragraph>
          ) : (
            <s-table>
              <s-table-header-row>
                <s-table-header>Webhook topic</s-table-header>
                <s-table-header>Last received</s-table-header>
              </s-table-header-row>
              <s-table-body>
                {sync.data.webhooks.map((webhook) => (
                  <s-table-row>
                    <s-table-cell>{webhook.topic}</s-table-cell>
                    <s-table-cell>{ago(webhook.last_received_at)}</s-table-cell>
                  </s-table-row>
                ))}
              </s-table-body>
            </s-table>
          )}
        </s-stack>
      )}
    </s-section>
  );
}

/// When the store granted less than Seglink asks for (a scope added in an update, or taken away),
/// what is missing, and the way to approve it.
function ScopeBanner() {
  const session = useApi<SessionView>("/api/session");
  const [asked, setAsked] = useState(false);
  if (session.state !== "loaded" || session.data.missing_scopes.length === 0 || asked) return null;
  const missing = session.data.missing_scopes;
  const review = async () => {
    const { result } = await shopify.scopes.request(missing);
    setAsked(true);
    shopify.toast.show(result === "granted-all" ? "Access approved" : "Access not approved: some features stay off");
  };
  return (
    <s-banner tone="warning" heading="Seglink needs more access to this store" data-missing-scopes>
      <s-paragraph>Not granted yet: {missing.join(", ")}. Until then, what needs them stays off.</s-paragraph>
      <s-button onClick={review}>Review access</s-button>
    </s-banner>
  );
}

export function Home() {
  const setup = useApi<SetupProgress>("/api/setup", (data) => data.steps.some((step) => !finished(step) && step.state !== "failed"));
  return (
    <s-page heading="Seglink">
      <ScopeBanner />
      <Suggestion />
      <s-section heading="Setup guide">
        <Pending loaded={setup} what="the setup guide" />
        {setup.state === "loaded" && (
          <s-stack gap="base">
            <s-paragraph data-progress>
              {setup.data.done} of {setup.data.total} steps done
            </s-paragraph>
            <s-progress value={setup.data.done} max={setup.data.total} accessibilityLabel="Setup progress" />
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
      <SyncHealthSection />
    </s-page>
  );
}
