// Meta's Conversions API: the pixel (dataset) id and access token the merchant brings from Events
// Manager, a test code while they check the setup, whether forwarding is on, and what it has
// done. The token is write-only: once saved it is never shown again.
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { useApi } from "../hooks";
import { Pending } from "../Pending";
import type { MetaView } from "../generated/api";

const when = (seconds: number | null) => (seconds ? new Date(seconds * 1000).toLocaleString() : "never");
const value = (event: Event) => (event.currentTarget as HTMLInputElement).value;

function Health(props: { meta: MetaView }) {
  const health = props.meta.health;
  return (
    <s-stack gap="small-200" data-meta-health>
      <s-stack direction="inline" gap="small-200">
        <s-badge tone={props.meta.enabled ? "success" : "info"}>{props.meta.enabled ? "Forwarding" : "Off"}</s-badge>
        <s-text>
          {health.sent.toLocaleString()} sent · {health.waiting.toLocaleString()} waiting · {health.failed.toLocaleString()} failed requests · last sent{" "}
          {when(health.last_sent_at)}
        </s-text>
      </s-stack>
      {health.last_error && (
        <s-banner tone="warning" heading="Meta's last refusal or failure" data-meta-error>
          <s-paragraph>
            {health.last_error} ({when(health.last_error_at)})
          </s-paragraph>
        </s-banner>
      )}
      {health.dropped.length > 0 && (
        <s-unordered-list>
          {health.dropped.map((drop) => (
            <s-list-item>
              {drop.events.toLocaleString()} not sent: {drop.reason}
            </s-list-item>
          ))}
        </s-unordered-list>
      )}
    </s-stack>
  );
}

export function MetaForwarding() {
  const loaded = useApi<MetaView>("/api/meta");
  const [meta, setMeta] = useState<MetaView | null>(null);
  const [form, setForm] = useState({ pixel: "", token: "", test: "", enabled: false });
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => {
    if (loaded.state !== "loaded") return;
    setMeta(loaded.data);
    setForm({ pixel: loaded.data.pixel_id ?? "", token: "", test: loaded.data.test_event_code ?? "", enabled: loaded.data.enabled });
  }, [loaded.state]);
  const save = async () => {
    try {
      const body = { pixel_id: form.pixel, access_token: form.token || null, test_event_code: form.test || null, enabled: form.enabled };
      const saved = await api<MetaView>("/api/meta", { method: "PUT", body });
      setMeta(saved);
      setForm({ ...form, token: "" });
      setErrors({});
      shopify.toast.show(saved.enabled ? "Meta forwarding is on" : "Meta settings saved; forwarding is off");
    } catch (error) {
      if (error instanceof ApiError && error.path) setErrors({ [error.path]: error.message });
      else shopify.toast.show((error as Error).message, { isError: true });
    }
  };
  return (
    <s-section heading="Meta Conversions API" data-meta-settings>
      <Pending loaded={loaded} what="the Meta settings" />
      {meta && (
        <s-stack gap="base">
          <s-paragraph>
            Seglink sends product views, adds to cart and checkouts (only from visitors who allowed marketing) and purchases (from Shopify's
            verified orders) to your Meta pixel, with the same event ids your browser pixel uses so Meta counts each once.
          </s-paragraph>
          <Health meta={meta} />
          <s-text-field
            label="Meta pixel (dataset) id"
            value={form.pixel}
            error={errors["/pixel_id"]}
            onInput={(event: Event) => setForm({ ...form, pixel: value(event) })}
          />
          <s-password-field
            label="Conversions API access token"
            details={meta.token_saved ? "Saved and sealed. Leave empty to keep it; paste a new one to replace it." : "From Events Manager: your dataset's Settings, Generate access token."}
            value={form.token}
            error={errors["/access_token"]}
            onInput={(event: Event) => setForm({ ...form, token: value(event) })}
          />
          <s-text-field
            label="Test event code (optional)"
            details="From Events Manager's Test events, while you check the setup. Remove it afterwards."
            value={form.test}
            error={errors["/test_event_code"]}
            onInput={(event: Event) => setForm({ ...form, test: value(event) })}
          />
          <s-checkbox
            label="Forward events to Meta"
            checked={form.enabled}
            onChange={(event: Event) => setForm({ ...form, enabled: (event.currentTarget as HTMLInputElement).checked })}
          />
          <s-stack direction="inline">
            <s-button variant="primary" onClick={save}>
              Save Meta settings
            </s-button>
          </s-stack>
        </s-stack>
      )}
    </s-section>
  );
}
