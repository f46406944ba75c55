// What the pixel sends: the standard events the merchant keeps (a finished checkout always goes)
// and the share of visitors tracked; saved with the save bar and written into the pixel's
// settings on Shopify.
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import type { PixelSettingsView } from "../generated/api";

const LABELS: Record<string, string> = {
  page_viewed: "Page viewed",
  product_viewed: "Product viewed",
  collection_viewed: "Collection viewed",
  search_submitted: "Search submitted",
  product_added_to_cart: "Added to cart",
  product_removed_from_cart: "Removed from cart",
  cart_viewed: "Cart viewed",
  checkout_started: "Checkout started",
  checkout_contact_info_submitted: "Checkout: contact given",
  checkout_address_info_submitted: "Checkout: address given",
  checkout_shipping_info_submitted: "Checkout: shipping chosen",
  payment_info_submitted: "Checkout: payment given",
};

type Form = { events: string[]; percent: string };

export function PixelSettings(props: { settings: PixelSettingsView; trackable: string[] }) {
  const read = (settings: PixelSettingsView): Form => ({
    events: settings.tracked_events.length ? settings.tracked_events : props.trackable,
    percent: String(settings.sampling_percent),
  });
  const [saved, setSaved] = useState<Form>(read(props.settings));
  const [form, setForm] = useState<Form>(saved);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const dirty = JSON.stringify(form) !== JSON.stringify(saved);
  useEffect(() => {
    if (dirty) shopify.saveBar.show("pixel-settings");
    else shopify.saveBar.hide("pixel-settings");
  }, [dirty]);
  const toggle = (name: string) => (event: Event) => {
    const checked = (event.currentTarget as HTMLInputElement).checked;
    const events = props.trackable.filter((known) => (known === name ? checked : form.events.includes(known)));
    setForm({ ...form, events });
  };
  const save = async () => {
    try {
      const body = { tracked_events: form.events, sampling_percent: Number(form.percent) };
      const stored = await api<PixelSettingsView>("/api/pixel/settings", { method: "PUT", body });
      const next = read(stored);
      setSaved(next);
      setForm(next);
      setErrors({});
      shopify.toast.show("Pixel settings saved: the pixel gets them now");
    } catch (error) {
      if (error instanceof ApiError) setErrors({ [(error.path ?? "/").replace(/\/\d+$/, "")]: error.message });
      else shopify.toast.show((error as Error).message, { isError: true });
    }
  };
  return (
    <s-section heading="What the pixel sends">
      <ui-save-bar id="pixel-settings">
        <button variant="primary" onClick={save}>Save</button>
        <button onClick={() => setForm(saved)}>Discard</button>
      </ui-save-bar>
      <s-stack gap="base">
        <s-paragraph>A finished checkout is always sent: it is how a visitor is tied to the customer who ordered.</s-paragraph>
        {errors["/tracked_events"] && <s-text tone="critical">{errors["/tracked_events"]}</s-text>}
        <s-stack gap="small-200" data-tracked>
          {props.trackable.map((name) => (
            <s-checkbox label={LABELS[name] ?? name} checked={form.events.includes(name)} onChange={toggle(name)} />
          ))}
        </s-stack>
        <s-number-field
          label="Visitors tracked (percent)"
          details="The same visitor is always in or always out"
          value={form.percent}
          error={errors["/sampling_percent"]}
          onInput={(event: Event) => setForm({ ...form, percent: (event.currentTarget as HTMLInputElement).value })}
        />
      </s-stack>
    </s-section>
  );
}
