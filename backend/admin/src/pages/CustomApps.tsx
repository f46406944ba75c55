// Custom-app connections: a store whose merchant made a custom app in Shopify joins the workspace
// with that app's Admin API token and API secret (Seglink checks the token's scopes first); its
// token can be rotated and the store disconnected, its data kept.
import { useState } from "preact/hooks";
import { ApiError, api } from "../api";
import type { ConnectedStore } from "../generated/api";

const value = (event: Event) => (event.currentTarget as HTMLInputElement).value;

type Form = { shop: string; access_token: string; api_secret: string };
const EMPTY: Form = { shop: "", access_token: "", api_secret: "" };

export function CustomApps(props: { stores: ConnectedStore[]; onChange: () => void }) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [rotating, setRotating] = useState<string | null>(null);
  const fail = (error: unknown) => {
    if (error instanceof ApiError) setErrors({ [error.path ?? "/"]: error.message });
    else shopify.toast.show((error as Error).message, { isError: true });
  };
  const connect = async () => {
    try {
      await api("/api/connections", { method: "POST", body: form });
      shopify.toast.show(`${form.shop.trim()} connected`);
      setForm(EMPTY);
      setErrors({});
      props.onChange();
    } catch (error) {
      fail(error);
    }
  };
  const rotate = async (shop: string) => {
    try {
      const body = { access_token: form.access_token, ...(form.api_secret.trim() ? { api_secret: form.api_secret } : {}) };
      await api(`/api/connections/${shop}`, { method: "PUT", body });
      shopify.toast.show(`${shop}: token replaced`);
      setRotating(null);
      setForm(EMPTY);
      setErrors({});
    } catch (error) {
      fail(error);
    }
  };
  const disconnect = async (shop: string) => {
    try {
      await api(`/api/connections/${shop}`, { method: "DELETE" });
      shopify.toast.show(`${shop} disconnected; its data stays`);
      props.onChange();
    } catch (error) {
      fail(error);
    }
  };
  const field = (name: keyof Form, label: string, details?: string) => (
    <s-text-field label={label} details={details} value={form[name]} error={errors[`/${name}`]} onInput={(event: Event) => setForm({ ...form, [name]: value(event) })} />
  );
  const custom = props.stores.filter((store) => store.connection === "custom");
  return (
    <s-stack gap="base">
      <s-heading>Connect a store with a custom app</s-heading>
      {errors["/"] && (
        <s-banner tone="critical" heading="Not connected">
          <s-paragraph>{errors["/"]}</s-paragraph>
        </s-banner>
      )}
      {custom.map((store) => (
        <s-stack direction="inline" gap="small-200" data-custom-store={store.shop}>
          <s-text>{store.shop}</s-text>
          <s-badge tone={store.active ? "success" : "neutral"}>{store.active ? "Connected" : "Disconnected"}</s-badge>
          {store.active && <s-button onClick={() => setRotating(rotating === store.shop ? null : store.shop)}>Replace token</s-button>}
          {store.active && (
            <s-button tone="critical" onClick={() => disconnect(store.shop)}>
              Disconnect
            </s-button>
          )}
        </s-stack>
      ))}
      {rotating ? (
        <s-stack gap="small-200" data-rotating={rotating}>
          {field("access_token", `New Admin API access token for ${rotating}`)}
          {field("api_secret", "New API secret key (only if it changed)")}
          <s-stack direction="inline" gap="small-200">
            <s-button variant="primary" onClick={() => rotate(rotating)}>
              Replace the token
            </s-button>
            <s-button onClick={() => setRotating(null)}>Cancel</s-button>
          </s-stack>
        </s-stack>
      ) : (
        <s-stack gap="small-200">
          {field("shop", "Custom app's store", "its-store.myshopify.com")}
          {field("access_token", "Admin API access token", "From the custom app's API credentials in Shopify")}
          {field("api_secret", "API secret key", "Seglink checks the app's webhooks with it")}
          <s-stack direction="inline">
            <s-button onClick={connect}>Connect the store</s-button>
          </s-stack>
        </s-stack>
      )}
    </s-stack>
  );
}
