// A new or a saved segment: the whole rule tree (nested all/any groups, every condition the
// engine knows), the live count and a few of its customers while editing, errors at the field
// the server names, and save (with App Bridge's save bar while there are unsaved edits).
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, toastError } from "../api";
import { navigate } from "../navigation";
import type { Preview, SegmentView } from "../generated/api";
import { CONDITIONS, EVENTS, MARKETING_STATES, condition, fieldPath, fromJson, toJson } from "../rules";
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
        {(["product", "collection"] as const).map((resource) => {
          const field = `${resource}_id`;
          if (!fields.includes(field)) return null;
          const chosen = node.fields[field];
          return (
            <s-stack gap="small-200">
              <s-stack direction="inline" gap="small-200">
                <s-text>{chosen ? `On ${resource} ${chosen}` : `On any ${resource}`}</s-text>
                <s-button
                  onClick={async () => {
                    const picked = await shopify.resourcePicker({ type: resource });
                    if (picked?.[0]) onChange({ ...node, fields: { ...node.fields, [field]: picked[0].id } });
                  }}
                >
                  {`Choose ${resource}`}
                </s-button>
                {chosen && <s-button onClick={() => onChange({ ...node, fields: { ...node.fields, [field]: "" } })}>{`Any ${resource}`}</s-button>}
              </s-stack>
              {error(field) && <s-text tone="critical">{error(field)}</s-text>}
            </s-stack>
          );
        })}
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

/// Creates a segment, or edits the saved one `slug` names (its slug, and so its tag, stays).
export function SegmentBuilder(props: { slug?: string }) {
  const [name, setName] = useState("");
  const [root, setRoot] = useState<Group>({ kind: "group", match: "all", children: [condition()] });
  const [loaded, setLoaded] = useState(!props.slug);
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [preview, setPreview] = useState<Preview | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!props.slug) return;
    api<SegmentView>(`/api/segments/${props.slug}`)
      .then((segment) => {
        setName(segment.name);
        setRoot(fromJson(segment.rules));
        setLoaded(true);
      })
      .catch((error: Error) => shopify.toast.show(error.message, { isError: true }));
  }, [props.slug]);

  const edit = <T,>(set: (value: T) => void) => (value: T) => {
    set(value);
    setDirty(true);
  };

  // The live count and a few of the customers it holds, a moment after the last edit.
  useEffect(() => {
    if (!loaded) return;
    const timer = setTimeout(async () => {
      try {
        setPreview(await api<Preview>("/api/segments/preview", { method: "POST", body: { rules: toJson(root) } }));
        setErrors({});
      } catch (error) {
        setPreview(null);
        if (error instanceof ApiError && error.path) setErrors({ [error.path]: error.message });
      }
    }, 400);
    return () => clearTimeout(timer);
  }, [root, loaded]);

  // The save bar: the admin asks before leaving unsaved rules.
  useEffect(() => {
    if (dirty) shopify.saveBar.show("segment-save-bar");
    else shopify.saveBar.hide("segment-save-bar");
  }, [dirty]);

  const save = async () => {
    setSaving(true);
    try {
      const body = { name, rules: toJson(root) };
      if (props.slug) await api(`/api/segments/${props.slug}`, { method: "PUT", body });
      else await api("/api/segments", { method: "POST", body });
      setDirty(false);
      // Hidden now: the page is left before the effect above would run again.
      shopify.saveBar.hide("segment-save-bar");
      shopify.toast.show(`Saved “${name.trim()}”`);
      navigate(props.slug ? `/segments/${props.slug}` : "/segments");
    } catch (error) {
      if (error instanceof ApiError && error.path) {
        setErrors({ [error.path === "/slug" ? "/name" : error.path]: error.message });
      } else {
        toastError(error);
      }
    } finally {
      setSaving(false);
    }
  };
  const leave = () => {
    setDirty(false);
    shopify.saveBar.hide("segment-save-bar");
    navigate(props.slug ? `/segments/${props.slug}` : "/segments");
  };

  if (!loaded) return <s-page heading="Edit segment"><s-section><s-spinner accessibilityLabel="Loading the segment" /></s-section></s-page>;
  return (
    <s-page heading={props.slug ? "Edit segment" : "New segment"}>
      <ui-save-bar id="segment-save-bar">
        <button variant="primary" onClick={save}>Save</button>
        <button onClick={leave}>Discard</button>
      </ui-save-bar>
      <s-section heading="Segment">
        <s-text-field
          label="Name"
          value={name}
          error={errors["/name"]}
          onInput={(event: Event) => edit(setName)((event.currentTarget as HTMLInputElement).value)}
        />
        <s-paragraph data-live-count>
          {preview === null
            ? "Counting when the rules are complete…"
            : preview.estimated
              ? `About ${preview.count.toLocaleString()} customers match now (estimated from ${preview.evaluated.toLocaleString()} customers; the exact count follows the save)`
              : `${preview.count.toLocaleString()} customers match now`}
        </s-paragraph>
        {preview && preview.sample.length > 0 && (
          <s-paragraph data-sample>
            For example: {preview.sample.map((customer) => customer.name || customer.email || customer.customer_id).join(", ")}
          </s-paragraph>
        )}
        {(preview?.storefront_signals ?? []).map((signal) => (
          <s-banner tone="warning" heading="Rests on storefront signals">
            <s-paragraph>{signal}</s-paragraph>
          </s-banner>
        ))}
      </s-section>
      <GroupEditor node={root} path="/rules" errors={errors} onChange={(node) => edit(setRoot)(node as Group)} />
      <s-stack direction="inline" gap="small-200">
        <s-button variant="primary" loading={saving} onClick={save}>
          Save segment
        </s-button>
        <s-button onClick={leave}>Cancel</s-button>
      </s-stack>
    </s-page>
  );
}
