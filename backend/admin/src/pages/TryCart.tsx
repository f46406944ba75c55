// "What would they get": a customer found by email or name, a sample cart of products picked in
// App Bridge's resource picker, and the answer of the discount Function itself, with the reason
// each rule gives nothing.
import { useState } from "preact/hooks";
import { ApiError, api } from "../api";
import type { CustomerCard, CustomerSearch, Trial, TrialInput } from "../generated/api";

type Line = { product_id: string; title: string; quantity: string; price: string };

const value = (event: Event) => (event.currentTarget as HTMLInputElement).value;

export function TryCart() {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<CustomerCard[] | null>(null);
  const [customer, setCustomer] = useState("");
  const [lines, setLines] = useState<Line[]>([]);
  const [shipping, setShipping] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [trial, setTrial] = useState<Trial | null>(null);

  const find = async () => {
    try {
      const result = await api<CustomerSearch>(`/api/customers?query=${encodeURIComponent(query)}`);
      setFound(result.customers);
      setCustomer(result.customers[0]?.customer_id ?? "");
      setErrors({});
    } catch (error) {
      if (error instanceof ApiError) setErrors({ "/query": error.message });
    }
  };
  const choose = async () => {
    const selection = await shopify.resourcePicker({ type: "product", multiple: true, selectionIds: lines.map((line) => ({ id: line.product_id })) });
    if (!selection) return;
    setLines(
      selection.map((product) => {
        const kept = lines.find((line) => line.product_id === product.id);
        return kept ?? { product_id: product.id, title: product.title ?? product.id, quantity: "1", price: product.variants?.[0]?.price ?? "" };
      }),
    );
  };
  const change = (index: number, field: "quantity" | "price") => (event: Event) =>
    setLines(lines.map((line, at) => (at === index ? { ...line, [field]: value(event) } : line)));
  const run = async () => {
    const body: TrialInput = {
      customer_id: customer,
      cart: {
        lines: lines.map((line) => ({ product_id: line.product_id, quantity: Number(line.quantity), price: line.price.trim() })),
        ...(shipping.trim() ? { shipping: shipping.trim() } : {}),
      },
    };
    try {
      setTrial(await api<Trial>("/api/discount-rules/try", { method: "POST", body }));
      setErrors({});
    } catch (error) {
      setTrial(null);
      if (error instanceof ApiError) setErrors({ [error.path ?? "/"]: error.message });
      else shopify.toast.show((error as Error).message, { isError: true });
    }
  };

  return (
    <s-section heading="What would a customer get?">
      <s-stack gap="base">
        <s-stack direction="inline" gap="small-200">
          <s-text-field label="Customer email or name" value={query} error={errors["/query"]} onInput={(event: Event) => setQuery(value(event))} />
          <s-button onClick={find}>Find customer</s-button>
        </s-stack>
        {found && found.length === 0 && <s-paragraph>No customer matches.</s-paragraph>}
        {found && found.length > 0 && (
          <s-select label="Customer" value={customer} error={errors["/customer_id"]} onChange={(event: Event) => setCustomer(value(event))}>
            {found.map((card) => (
              <s-option value={card.customer_id}>{[card.name, card.email].filter(Boolean).join(" · ") || card.customer_id}</s-option>
            ))}
          </s-select>
        )}
        <s-stack direction="inline" gap="small-200">
          <s-button onClick={choose}>Choose cart products</s-button>
          {errors["/cart/lines"] && <s-text tone="critical">{errors["/cart/lines"]}</s-text>}
        </s-stack>
        {lines.map((line, index) => (
          <s-stack direction="inline" gap="small-200" data-cart-line={line.product_id}>
            <s-text>{line.title}</s-text>
            <s-number-field label={`Quantity of ${line.title}`} value={line.quantity} error={errors[`/cart/lines/${index}/quantity`]} onInput={change(index, "quantity")} />
            <s-number-field label={`Unit price of ${line.title}`} value={line.price} error={errors[`/cart/lines/${index}/price`]} onInput={change(index, "price")} />
          </s-stack>
        ))}
        <s-number-field label="Shipping price (optional)" value={shipping} error={errors["/cart/shipping"]} onInput={(event: Event) => setShipping(value(event))} />
        <s-stack direction="inline">
          <s-button variant="primary" disabled={!customer || lines.length === 0} onClick={run}>
            See what they get
          </s-button>
        </s-stack>
        {trial && <Answer trial={trial} />}
      </s-stack>
    </s-section>
  );
}

function Answer(props: { trial: Trial }) {
  const { trial } = props;
  return (
    <s-stack gap="small-200" data-trial>
      {trial.discounts.length > 0 ? (
        <s-banner tone="success" heading={`${trial.total_off} off at checkout`}>
          {trial.discounts.map((given) => (
            <s-paragraph data-given>
              {given.title}: {given.value} off the {given.class === "order" ? "order" : given.class === "shipping" ? "shipping" : "matching products"}, {given.amount}
            </s-paragraph>
          ))}
        </s-banner>
      ) : (
        <s-banner tone="warning" heading="No discount at checkout">
          <s-paragraph>Each rule says why below.</s-paragraph>
        </s-banner>
      )}
      <s-table>
        <s-table-header-row>
          <s-table-header>Rule</s-table-header>
          <s-table-header>Outcome</s-table-header>
        </s-table-header-row>
        <s-table-body>
          {trial.rules.map((rule) => (
            <s-table-row data-outcome={rule.rule_id}>
              <s-table-cell>{rule.title}</s-table-cell>
              <s-table-cell>{rule.qualifies ? "Applies" : rule.reason}</s-table-cell>
            </s-table-row>
          ))}
        </s-table-body>
      </s-table>
    </s-stack>
  );
}
