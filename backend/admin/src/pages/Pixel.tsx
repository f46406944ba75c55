// The storefront pixel: whether Shopify runs it for this store, a reconnect that writes its
// settings again, what it sends, and the last events it sent.
import { useState } from "preact/hooks";
import { api } from "../api";
import { useApi } from "../hooks";
import { Pending } from "../Pending";
import type { PixelStatus } from "../generated/api";
import { PixelSettings } from "./PixelSettings";

export function Pixel() {
  const loaded = useApi<PixelStatus>("/api/pixel", (data) => data.state === "pending" || data.state === "running");
  const [reconnecting, setReconnecting] = useState(false);
  const reconnect = async () => {
    setReconnecting(true);
    try {
      await api("/api/pixel/reconnect", { method: "POST" });
      shopify.toast.show("Reconnecting the pixel: its settings are written again");
    } catch (error) {
      shopify.toast.show((error as Error).message, { isError: true });
    } finally {
      setReconnecting(false);
    }
  };
  return (
    <s-page heading="Pixel">
      <s-section heading="Storefront pixel">
        <Pending loaded={loaded} what="the pixel" />
        {loaded.state === "loaded" && (
          <s-stack gap="base">
            <s-stack direction="inline" gap="small-200">
              <s-badge tone={loaded.data.connected ? "success" : loaded.data.state === "failed" ? "critical" : "info"} data-pixel-state>
                {loaded.data.connected ? "Connected" : loaded.data.state === "failed" ? "Not connected" : "Connecting"}
              </s-badge>
              <s-text>Events go to {loaded.data.endpoint}</s-text>
            </s-stack>
            {loaded.data.state === "failed" && loaded.data.detail && (
              <s-banner tone="critical" heading="Shopify refused the pixel">
                <s-paragraph>{loaded.data.detail}</s-paragraph>
              </s-banner>
            )}
            <s-paragraph>
              The pixel runs only for visitors who allow analytics, and sends what they view, search, add to their cart and
              do in checkout. A purchase counts only once Shopify's order confirms it.
            </s-paragraph>
            <s-stack direction="inline">
              <s-button loading={reconnecting} onClick={reconnect}>
                Reconnect
              </s-button>
            </s-stack>
          </s-stack>
        )}
      </s-section>
      {loaded.state === "loaded" && <PixelSettings settings={loaded.data.settings} trackable={loaded.data.trackable_events} />}
      <s-section heading="Last events received">
        {loaded.state === "loaded" && loaded.data.last_events.length === 0 && (
          <s-paragraph>None yet. They appear here as shoppers browse your store.</s-paragraph>
        )}
        {loaded.state === "loaded" && loaded.data.last_events.length > 0 && (
          <s-table>
            <s-table-header-row>
              <s-table-header>Event</s-table-header>
              <s-table-header>When</s-table-header>
              <s-table-header>Shopper</s-table-header>
            </s-table-header-row>
            <s-table-body>
              {loaded.data.last_events.map((event) => (
                <s-table-row>
                  <s-table-cell>{event.kind.replace(/_/g, " ")}</s-table-cell>
                  <s-table-cell>{new Date(event.occurred_at * 1000).toLocaleString()}</s-table-cell>
                  <s-table-cell>{event.linked ? "A known customer" : "Anonymous"}</s-table-cell>
                </s-table-row>
              ))}
            </s-table-body>
          </s-table>
        )}
      </s-section>
    </s-page>
  );
}
