// Discounts: the rules that reward segments at checkout (at most 25 active), each written to the
// Function's discount as it changes, and a form for a new one: an order, product or shipping
// discount, products and collections chosen with App Bridge's resource picker; and what a customer
// would get for a sample cart; and the members who checked out as guests and missed their discount.
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, toastError } from "../api";
import { useApi } from "../hooks";
import { Pending } from "../Pending";
import { GuestMisses } from "./GuestMisses";
import { TryCart } from "./TryCart";
import type { RuleList, RuleView, SegmentList, SegmentView, Target } from "../generated/api";

type Kind = "orderPercentage" | "orderAmount" | "collections" | "products" | "shipping";

const KINDS: Record<Kind, string> = {
  orderPercentage: "Percentage off the order",
  orderAmount: "Amount off the order",
  collections: "Percentage off products in collections",
  products: "Percentage off chosen products",
  shipping: "Percentage off shipping",
};

function describe(rule: RuleView): string {
  const value = "percentage" in rule.value ? `${Number(rule.value.percentage)}%` : `${rule.value.fixedAmount} off`;
  const on: Record<Target["type"], string> = {
    orderSubtotal: "the order",
    shipping: "shipping",
    collections: "products in chosen collections",
    products: "chosen products",
  };
  const minimum = rule.minimumSubtotal ? `, from ${rule.minimumSubtotal}` : "";
  return `${value} on ${on[rule.target.type]}${minimum}`;
}

function NewRule(props: { segments: SegmentView[]; onSaved: (rules: RuleList) => void }) {
  const [segment, setSegment] = useState(props.segments[0]?.slug ?? "");
  const [title, setTitle] = useState("");
  const [kind, setKind] = useState<Kind>("orderPercentage");
  const [amount, setAmount] = useState("10");
  const [minimum, setMinimum] = useState("");
  const [picked, setPicked] = useState<{ id: string; title?: string }[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => setPicked([]), [kind]);

  const target = (): Target => {
    if (kind === "collections" || kind === "products") return { type: kind, ids: picked.map((item) => item.id) };
    return kind === "shipping" ? { type: "shipping" } : { type: "orderSubtotal" };
  };
  const save = async () => {
    const body = {
      segment,
      title,
      value: kind === "orderAmount" ? { fixedAmount: amount } : { percentage: amount },
      target: target(),
      ...(minimum.trim() ? { minimumSubtotal: minimum.trim() } : {}),
    };
    try {
      const rules = await api<RuleList>("/api/discount-rules", { method: "POST", body });
      setErrors({});
      setTitle("");
      shopify.toast.show(`“${body.title.trim()}” is live at checkout`);
      props.onSaved(rules);
    } catch (error) {
      if (error instanceof ApiError && !error.upgradeUrl) setErrors({ [error.path ?? "/"]: error.message });
      else toastError(error);
    }
  };
  const choose = async () => {
    const type = kind === "collections" ? "collection" : "product";
    const selection = await shopify.resourcePicker({ type, multiple: true, selectionIds: picked });
    if (selection) setPicked(selection.map(({ id, title }) => ({ id, title })));
  };
  return (
    <s-section heading="New rule">
      <s-stack gap="base">
        {errors["/"] && (
          <s-banner tone="critical" heading="This rule cannot be added">
            <s-paragraph>{errors["/"]}</s-paragraph>
          </s-banner>
        )}
        <s-select label="Segment" value={segment} error={errors["/segment"]} onChange={(event: Event) => setSegment((event.currentTarget as HTMLSelectElement).value)}>
          {props.segments.map((listed) => (
            <s-option value={listed.slug}>{listed.name}</s-option>
          ))}
        </s-select>
        <s-text-field
          label="Title the buyer sees"
          value={title}
          error={errors["/title"]}
          onInput={(event: Event) => setTitle((event.currentTarget as HTMLInputElement).value)}
        />
        <s-select label="Discount" value={kind} onChange={(event: Event) => setKind((event.currentTarget as HTMLSelectElement).value as Kind)}>
          {Object.entries(KINDS).map(([value, label]) => (
            <s-option value={value}>{label}</s-option>
          ))}
        </s-select>
        <s-number-field
          label={kind === "orderAmount" ? "Amount (shop currency)" : "Percentage"}
          value={amount}
          error={errors["/value"]}
          onInput={(event: Event) => setAmount((event.currentTarget as HTMLInputElement).value)}
        />
        {(kind === "collections" || kind === "products") && (
          <s-stack gap="small-200">
            <s-stack direction="inline" gap="small-200">
              <s-button onClick={choose}>{kind === "collections" ? "Choose collections" : "Choose products"}</s-button>
              <s-text data-picked>{picked.length ? picked.map((item) => item.title ?? item.id).join(", ") : "None chosen"}</s-text>
            </s-stack>
            {errors["/target"] && <s-text tone="critical">{errors["/target"]}</s-text>}
          </s-stack>
        )}
        <s-number-field
          label="Minimum order subtotal (optional)"
          value={minimum}
          error={errors["/minimumSubtotal"]}
          onInput={(event: Event) => setMinimum((event.currentTarget as HTMLInputElement).value)}
        />
        <s-stack direction="inline">
          <s-button variant="primary" onClick={save} disabled={!segment}>
            Add rule
          </s-button>
        </s-stack>
      </s-stack>
    </s-section>
  );
}

export function Discounts() {
  const loaded = useApi<RuleList>("/api/discount-rules");
  const segments = useApi<SegmentList>("/api/segments");
  const [rules, setRules] = useState<RuleList | null>(null);
  const current = rules ?? (loaded.state === "loaded" ? loaded.data : null);
  const act = async (path: string, method: string, body?: unknown) => {
    try {
      setRules(await api<RuleList>(path, { method, body }));
    } catch (error) {
      toastError(error);
    }
  };
  const active = current?.rules.filter((rule) => rule.active).length ?? 0;
  const names: Record<string, string> = Object.fromEntries(
    segments.state === "loaded" ? segments.data.segments.map((segment) => [segment.slug, segment.name]) : [],
  );
  return (
    <s-page heading="Discounts">
      <s-section heading="Rules at checkout">
        <Pending loaded={loaded} what="the rules" />
        {current && (
          <s-stack gap="base">
            <s-paragraph data-sync={current.sync.state}>
              {current.sync.state === "synced"
                ? `${active} of at most 25 rules active, live at checkout.`
                : current.sync.state === "never"
                  ? "No rule yet: members of a segment get nothing at checkout."
                  : `Not yet at checkout: ${current.sync.detail ?? current.sync.state}`}
            </s-paragraph>
            {current.rules.length > 0 && (
              <s-table>
                <s-table-header-row>
                  <s-table-header>Rule</s-table-header>
                  <s-table-header>Segment</s-table-header>
                  <s-table-header>Discount</s-table-header>
                  <s-table-header>Status</s-table-header>
                  <s-table-header>Actions</s-table-header>
                </s-table-header-row>
                <s-table-body>
                  {current.rules.map((rule) => (
                    <s-table-row data-rule={rule.id}>
                      <s-table-cell>{rule.title}</s-table-cell>
                      <s-table-cell>{names[rule.segment] ?? rule.segment}</s-table-cell>
                      <s-table-cell>{describe(rule)}</s-table-cell>
                      <s-table-cell>
                        <s-badge tone={rule.active ? "success" : "neutral"}>{rule.active ? "Active" : "Paused"}</s-badge>
                      </s-table-cell>
                      <s-table-cell>
                        <s-stack direction="inline" gap="small-200">
                          <s-button onClick={() => act(`/api/discount-rules/${rule.id}/toggle`, "POST", { active: !rule.active })}>
                            {rule.active ? "Pause" : "Activate"}
                          </s-button>
                          <s-button tone="critical" onClick={() => act(`/api/discount-rules/${rule.id}`, "DELETE")}>
                            Delete
                          </s-button>
                        </s-stack>
                      </s-table-cell>
                    </s-table-row>
                  ))}
                </s-table-body>
              </s-table>
            )}
          </s-stack>
        )}
      </s-section>
      <Pending loaded={segments} what="segments" />
      {segments.state === "loaded" && segments.data.segments.length === 0 && (
        <s-section heading="New rule">
          <s-paragraph>Save a segment first: a rule rewards the members of one.</s-paragraph>
        </s-section>
      )}
      {segments.state === "loaded" && segments.data.segments.length > 0 && (
        <NewRule segments={segments.data.segments.filter((segment) => !segment.suggested)} onSaved={setRules} />
      )}
      {current && current.rules.some((rule) => rule.active) && <TryCart />}
      {current && current.rules.some((rule) => rule.active) && <GuestMisses />}
    </s-page>
  );
}
