// Data retention: how long the store's storefront events are kept (the merchant's choice), and
// the rules that are fixed, in words.
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { useApi } from "../hooks";
import { Pending } from "../Pending";
import type { RetentionView } from "../generated/api";

export function Retention() {
  const loaded = useApi<RetentionView>("/api/data-retention");
  const [days, setDays] = useState("");
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (loaded.state === "loaded") setDays(String(loaded.data.storefront_event_days));
  }, [loaded.state]);
  const save = async () => {
    try {
      const saved = await api<RetentionView>("/api/data-retention", { method: "PUT", body: { storefront_event_days: Number(days) } });
      setDays(String(saved.storefront_event_days));
      setError(undefined);
      shopify.toast.show(`Storefront events are kept ${saved.storefront_event_days} days`);
    } catch (failure) {
      if (failure instanceof ApiError) setError(failure.message);
      else shopify.toast.show((failure as Error).message, { isError: true });
    }
  };
  return (
    <s-section heading="Data retention">
      <Pending loaded={loaded} what="the retention" />
      {loaded.state === "loaded" && (
        <s-stack gap="base">
          <s-number-field
            label="Keep storefront events (days)"
            details="From 30 to 3650. Older ones are deleted nightly; behaviour conditions look back no further."
            value={days}
            error={error}
            onInput={(event: Event) => setDays((event.currentTarget as HTMLInputElement).value)}
          />
          <s-stack direction="inline">
            <s-button onClick={save}>Save retention</s-button>
          </s-stack>
          <s-unordered-list>
            <s-list-item>Webhook bodies are deleted as soon as they are processed.</s-list-item>
            <s-list-item>A customer's data goes when Shopify asks for its erasure, within days, not the 30 allowed.</s-list-item>
            <s-list-item>A data request's export is served once and deleted after 7 days if never fetched.</s-list-item>
            <s-list-item>Uninstalling keeps the data until Shopify's store erasure, 48 hours later.</s-list-item>
          </s-unordered-list>
        </s-stack>
      )}
    </s-section>
  );
}
