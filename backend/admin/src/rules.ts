// The segment rule tree as the builder edits it, and its JSON for the API (docs/segments.md).
// Values stay as typed: the server checks them and names the bad field by its JSON pointer.

export type Condition = { kind: "condition"; if: string; fields: Record<string, string> };
export type Group = { kind: "group"; match: "all" | "any"; children: RuleNode[] };
export type RuleNode = Condition | Group;

/// Every condition the engine knows, with its fields and how they read.
export const CONDITIONS: Record<string, { label: string; fields: string[] }> = {
  amount_spent: { label: "Amount spent", fields: ["op", "amount", "days"] },
  orders_count: { label: "Number of orders", fields: ["op", "value", "days"] },
  last_order_within_days: { label: "Last order within", fields: ["days"] },
  country: { label: "Country", fields: ["in"] },
  tag: { label: "Has tag", fields: ["is"] },
  email_marketing: { label: "Email marketing", fields: ["is"] },
  created_within_days: { label: "Account made within", fields: ["days"] },
  did: { label: "Did (behaviour)", fields: ["event", "times", "days", "product_id", "collection_id"] },
};

/// The canonical events a `did` condition counts (crates/events).
export const EVENTS = [
  "page_view", "product_view", "collection_view", "search", "add_to_cart", "remove_from_cart", "cart_view",
  "checkout_start", "checkout_contact_info", "checkout_address_info", "checkout_shipping_info", "payment_info",
  "purchase", "order_created", "order_modified", "order_cancelled", "refund", "cart_update", "customer_created",
  "consent_change", "fulfillment",
];

export const MARKETING_STATES = ["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED", "PENDING"];

export function condition(kind = "amount_spent"): Condition {
  const defaults: Record<string, Record<string, string>> = {
    amount_spent: { op: ">=", amount: "100", days: "" },
    orders_count: { op: ">=", value: "2", days: "" },
    last_order_within_days: { days: "30" },
    country: { in: "US" },
    tag: { is: "" },
    email_marketing: { is: "SUBSCRIBED" },
    created_within_days: { days: "30" },
    did: { event: "product_view", times: "1", days: "30", product_id: "", collection_id: "" },
  };
  return { kind: "condition", if: kind, fields: { ...defaults[kind] } };
}

function number(text: string | undefined): number | string {
  const trimmed = (text ?? "").trim();
  return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/// The JSON pointer of a condition's field in the API's answer (`amount` is sent as `cents`).
export function fieldPath(path: string, field: string): string {
  return `${path}/${field === "amount" ? "cents" : field}`;
}

export function toJson(node: RuleNode): unknown {
  if (node.kind === "group") return { [node.match]: node.children.map(toJson) };
  const f = node.fields;
  const days = f.days?.trim() ? { days: number(f.days) } : {};
  switch (node.if) {
    case "amount_spent": {
      const amount = number(f.amount);
      return { if: node.if, op: f.op, cents: typeof amount === "number" ? Math.round(amount * 100) : amount, ...days };
    }
    case "orders_count":
      return { if: node.if, op: f.op, value: number(f.value), ...days };
    case "last_order_within_days":
    case "created_within_days":
      return { if: node.if, days: number(f.days) };
    case "country":
      return { if: node.if, in: (f.in ?? "").split(",").map((code) => code.trim()).filter(Boolean) };
    case "did":
      return {
        if: node.if,
        event: f.event,
        times: number(f.times),
        days: number(f.days),
        ...(f.product_id?.trim() ? { product_id: f.product_id.trim() } : {}),
        ...(f.collection_id?.trim() ? { collection_id: f.collection_id.trim() } : {}),
      };
    default:
      return { if: node.if, is: f.is };
  }
}

/// A stored rule tree as the builder edits it: the inverse of `toJson`. The root is always a group.
export function fromJson(value: unknown): Group {
  const node = toNode(value);
  return node.kind === "group" ? node : { kind: "group", match: "all", children: [node] };
}

function toNode(value: unknown): RuleNode {
  const object = (value ?? {}) as Record<string, unknown>;
  for (const match of ["all", "any"] as const) {
    if (Array.isArray(object[match])) return { kind: "group", match, children: (object[match] as unknown[]).map(toNode) };
  }
  const kind = String(object.if ?? "amount_spent");
  const text = (field: unknown) => (field === undefined || field === null ? "" : String(field));
  const fields: Record<string, string> = {};
  for (const field of CONDITIONS[kind]?.fields ?? []) {
    if (field === "amount") fields.amount = typeof object.cents === "number" ? String(object.cents / 100) : "";
    else if (field === "in") fields.in = Array.isArray(object.in) ? object.in.join(", ") : text(object.in);
    else fields[field] = text(object[field]);
  }
  return { kind: "condition", if: kind, fields };
}
