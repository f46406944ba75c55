// A new segment: the whole rule tree (nested all/any groups, every condition the engine knows),
// the live count while editing, errors at the field the server names, and save.
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { navigate } from "../navigation";
import { CONDITIONS, EVENTS, MARKETING_STATES, condition, fieldPath, toJson } from "../rules";
import type { Condition, Group, RuleNode } from "../rules";

type Errors = Record<string, string>;
type Update = (node: RuleNode) => void;

const OPS = [">=", ">", "<=", "<"];

function ConditionEditor(props: { node: Condition; path: string; errors: Errors; onChange: Update; onRemove: () => void }) {
  const { node, path, errors, onChange } = props;
  const set = (field: string) => (event: Event) =>
    onChange({ ...node, fields: { ...node.fields, [field]: (event.currentTarget as HTMLInputElement).value } });
  const error = (field: string) => errors[fieldPath(path, field)];
  const fields = CONDITIONS[node.if]?.fields ?? [];
  return (
    <s-box padding="base" border="base" borderRadius="base" data-path={path}>
      <s-stack gap="small-200">
        <s-select
          label="Condition"
          value={node.if}
          error={errors[`${path}/if`]}
          onChange={(event: Event) => onChange(condition((event.currentTarget as HTMLSelectElement).value))}
        >
          {Object.entries(CONDITIONS).map(([kind, { label }]) => (
            <s-option value={kind}>{label}</s-option>
          ))}
        </s-select>
        {fields.includes("op") && (
          <s-select label="Comparison" value={node.fields.op} error={error("op")} onChange={set("op")}>
            {OPS.map((op) => (
              <s-option value={op}>{op}</s-option>
            ))}
          </s-select>
        )}
        {fields.includes("amount") && (
          <s-number-field label="Amount (shop currency)" value={node.fields.amount} error={error("amount")} onInput={set("amount")} />
        )}
        {fields.includes("value") && (
          <s-number-field label="Orders" value={node.fields.value} error={error("value")} onInput={set("value")} />
        )}
        {fields.includes("event") && (
          <s-select label="Event" value={node.fields.event} error={error("event")} onChange={set("event")}>
            {EVENTS.map((event) => (
              <s-option value={event}>{event.replace(/_/g, " ")}</s-option>
            ))}
          </s-select>
        )}
        {fields.includes("times") && (
          <s-number-field label="At least this many times" value={node.fields.times} error={error("times")} onInput={set("times")} />
        )}
        {fields.includes("days") && (
          <s-number-field
            label={node.if === "amount_spent" || node.if === "orders_count" ? "In the last days (empty: ever)" : "Days"}
            value={node.fields.days}
            error={error("days")}
            onInput={set("days")}
          />
        )}
        {fields.includes("in") && (
          <s-text-field label="Country codes, comma-separated" value={node.fields.in} error={errors[`${path}/in`] ?? errors[`${path}/in/0`]} onInput={set("in")} />
        )}
        {fields.includes("is") && node.if === "tag" && (
          <s-text-field label="Tag" value={node.fields.is} error={error("is")} onInput={set("is")} />
        )}
        {fields.includes("is") && node.if === "email_marketing" && (
          <s-select label="State" value={node.fields.is} error={error("is")} onChange={set("is")}>
            {MARKETING_STATES.map((state) => (
              <s-option value={state}>{state.toLowerCase().replace(/_/g, " ")}</s-option>
            ))}
          </s-select>
        )}
        {fields.includes("product_id") && (
          <s-stack direction="inline" gap="small-200">
            <s-text>{node.fields.product_id ? `On product ${node.fields.product_id}` : "On any product"}</s-text>
            <s-button
              onClick={async () => {
                const picked = await shopify.resourcePicker({ type: "product" });
                if (picked?.[0]) onChange({ ...node, fields: { ...node.fields, product_id: picked[0].id } });
              }}
            >
              Choose product
            </s-button>
          </s-stack>
        )}
        {error("product_id") && <s-text tone="critical">{error("product_id")}</s-text>}
        <s-button tone="critical" onClick={props.onRemove} accessibilityLabel="Remove this condition">
          Remove
        </s-button>
      </s-stack>
    </s-box>
  );
}

function GroupEditor(props: { node: Group; path: string; errors: Errors; onChange: Update; onRemove?: () => void }) {
  const { node, path, errors, onChange } = props;
  const childPath = (index: number) => `${path}/${node.match}/${index}`;
  const replace = (index: number) => (child: RuleNode) =>
    onChange({ ...node, children: node.children.map((existing, at) => (at === index ? child : existing)) });
  const remove = (index: number) => () => onChange({ ...node, children: node.children.filter((_, at) => at !== index) });
  return (
    <s-section heading={props.onRemove ? "Group" : "Rules"}>
      <s-stack gap="base">
        <s-select
          label="Customers match"
          value={node.match}
          error={errors[`${path}/${node.match}`]}
          onChange={(event: Event) => onChange({ ...node, match: (event.currentTarget as HTMLSelectElement).value as "all" | "any" })}
        >
          <s-option value="all">all of these</s-option>
          <s-option value="any">any of these</s-option>
        </s-select>
        {node.children.map((child, index) =>
          child.kind === "group" ? (
            <GroupEditor node={child} path={childPath(index)} errors={errors} onChange={replace(index)} onRemove={remove(index)} />
          ) : (
            <ConditionEditor node={child} path={childPath(index)} errors={errors} onChange={replace(index)} onRemove={remove(index)} />
          ),
        )}
        <s-stack direction="inline" gap="small-200">
          <s-button onClick={() => onChange({ ...node, children: [...node.children, condition()] })}>Add condition</s-button>
          <s-button onClick={() => onChange({ ...node, children: [...node.children, { kind: "group", match: "any", children: [condition()] }] })}>
            Add group
          </s-button>
          {props.onRemove && (
            <s-button tone="critical" onClick={props.onRemove}>
              Remove group
            </s-button>
          )}
        </s-stack>
      </s-stack>
    </s-section>
  );
}

export function SegmentBuilder() {
  const [name, setName] = useState("");
  const [root, setRoot] = useState<Group>({ kind: "group", match: "all", children: [condition()] });
  const [errors, setErrors] = useState<Errors>({});
  const [count, setCount] = useState<number | null>(null);
  const [signals, setSignals] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);

  // The live count, a moment after the last edit.
  useEffect(() => {
    const timer = setTimeout(async () => {
      try {
        const preview = await api<{ count: number; storefront_signals: string[] }>("/api/segments/preview", {
          method: "POST",
          body: { rules: toJson(root) },
        });
        setCount(preview.count);
        setSignals(preview.storefront_signals);
        setErrors({});
      } catch (error) {
        setCount(null);
        if (error instanceof ApiError && error.path) setErrors({ [error.path]: error.message });
      }
    }, 400);
    return () => clearTimeout(timer);
  }, [root]);

  const save = async () => {
    setSaving(true);
    try {
      await api("/api/segments", { method: "POST", body: { name, rules: toJson(root) } });
      shopify.toast.show(`Saved “${name.trim()}”`);
      navigate("/segments");
    } catch (error) {
      if (error instanceof ApiError && error.path) {
        setErrors({ [error.path === "/slug" ? "/name" : error.path]: error.message });
      } else {
        shopify.toast.show((error as Error).message, { isError: true });
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <s-page heading="New segment">
      <s-section heading="Segment">
        <s-text-field
          label="Name"
          value={name}
          error={errors["/name"]}
          onInput={(event: Event) => setName((event.currentTarget as HTMLInputElement).value)}
        />
        <s-paragraph data-live-count>
          {count === null ? "Counting when the rules are complete…" : `${count.toLocaleString()} customers match now`}
        </s-paragraph>
        {signals.map((signal) => (
          <s-banner tone="warning" heading="Rests on storefront signals">
            <s-paragraph>{signal}</s-paragraph>
          </s-banner>
        ))}
      </s-section>
      <GroupEditor node={root} path="/rules" errors={errors} onChange={(node) => setRoot(node as Group)} />
      <s-stack direction="inline" gap="small-200">
        <s-button variant="primary" loading={saving} onClick={save}>
          Save segment
        </s-button>
        <s-button onClick={() => navigate("/segments")}>Cancel</s-button>
      </s-stack>
    </s-page>
  );
}
