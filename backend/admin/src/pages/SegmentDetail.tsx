// One segment: its members page by page, "why in / why not" for any customer found by email or
// name, condition by condition, its push with "push now" and "reconcile", and who entered or left.
import { useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { useApi } from "../hooks";
import { Pending } from "../Pending";
import { Evaluating } from "./Segments";
import type { Changes, CustomerCard, CustomerSearch, Explanation, MemberRow, MembersPage, PushView, SegmentView } from "../generated/api";

const when = (seconds: number) => new Date(seconds * 1000).toLocaleString();
const nameOf = (member: MemberRow) => [member.first_name, member.last_name].filter(Boolean).join(" ") || member.email || member.customer_id;

function Members(props: { slug: string; evaluating: boolean }) {
  const [after, setAfter] = useState<string[]>([""]);
  const page = useApi<MembersPage>(
    `/api/segments/${props.slug}/members?limit=25&after=${encodeURIComponent(after[after.length - 1])}`,
  );
  return (
    <s-section heading="Members">
      <Pending loaded={page} what="the members" />
      {page.state === "loaded" && page.data.members.length === 0 && (
        <s-paragraph>{props.evaluating ? "The members are listed here once the evaluation finishes." : "Nobody matches now."}</s-paragraph>
      )}
      {page.state === "loaded" && page.data.members.length > 0 && (
        <s-stack gap="base">
          <s-table>
            <s-table-header-row>
              <s-table-header>Customer</s-table-header>
              <s-table-header>Email</s-table-header>
              <s-table-header>Member since</s-table-header>
            </s-table-header-row>
            <s-table-body>
              {page.data.members.map((member) => (
                <s-table-row data-member={member.customer_id}>
                  <s-table-cell>{nameOf(member)}</s-table-cell>
                  <s-table-cell>{member.email ?? ""}</s-table-cell>
                  <s-table-cell>{when(member.since)}</s-table-cell>
                </s-table-row>
              ))}
            </s-table-body>
          </s-table>
          <s-stack direction="inline" gap="small-200">
            <s-button disabled={after.length === 1} onClick={() => setAfter(after.slice(0, -1))}>
              Previous
            </s-button>
            <s-button disabled={!page.data.next} onClick={() => page.data.next && setAfter([...after, page.data.next])}>
              Next
            </s-button>
          </s-stack>
        </s-stack>
      )}
    </s-section>
  );
}

function WhyInOrNot(props: { slug: string }) {
  const [query, setQuery] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [found, setFound] = useState<{ customer_id: string; email: string | null; name: string }[] | null>(null);
  const [answer, setAnswer] = useState<{ who: string; explanation: Explanation } | null>(null);
  const search = async () => {
    try {
      const result = await api<CustomerSearch>(
        `/api/customers?query=${encodeURIComponent(query)}`,
      );
      setFound(result.customers);
      setError(undefined);
      setAnswer(null);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };
  const explain = async (customer: CustomerCard) => {
    const explanation = await api<Explanation>(`/api/segments/${props.slug}/explain/${customer.customer_id}`);
    setAnswer({ who: customer.name || customer.email || customer.customer_id, explanation });
  };
  return (
    <s-section heading="Why in, why not">
      <s-stack gap="base">
        <s-text-field
          label="Find a customer by email or name"
          value={query}
          error={error}
          onInput={(event: Event) => setQuery((event.currentTarget as HTMLInputElement).value)}
        />
        <s-stack direction="inline">
          <s-button onClick={search}>Find</s-button>
        </s-stack>
        {found && found.length === 0 && <s-paragraph>No customer found.</s-paragraph>}
        {found?.map((customer) => (
          <s-stack direction="inline" gap="small-200">
            <s-text>
              {customer.name || customer.email} {customer.email && customer.name ? `(${customer.email})` : ""}
            </s-text>
            <s-button onClick={() => explain(customer)}>Explain</s-button>
          </s-stack>
        ))}
        {answer && (
          <s-box padding="base" border="base" borderRadius="base" data-explanation>
            <s-heading>
              {answer.who} is {answer.explanation.member ? "in" : "not in"} this segment
            </s-heading>
            <s-unordered-list>
              {answer.explanation.conditions.map((condition) => (
                <s-list-item>
                  <s-badge tone={condition.held ? "success" : "critical"}>{condition.held ? "Holds" : "Fails"}</s-badge>{" "}
                  {condition.detail}
                </s-list-item>
              ))}
            </s-unordered-list>
          </s-box>
        )}
      </s-stack>
    </s-section>
  );
}

function Pushing(props: { slug: string; push: PushView }) {
  const [push, setPush] = useState(props.push);
  const now = async () => setPush(await api<PushView>(`/api/segments/${props.slug}/push`, { method: "POST" }));
  const reconcile = async () => {
    await api("/api/segments/reconcile", { method: "POST" });
    shopify.toast.show("Reconciling: Seglink reads every tag back from Shopify and repairs what differs");
  };
  const changes = useApi<Changes>(`/api/segments/${props.slug}/changes`);
  return (
    <s-section heading="Tags in Shopify">
      <s-stack gap="base">
        <s-paragraph data-push-state>
          Last push: {push.state}
          {push.updated_at ? `, ${when(push.updated_at)}` : ""}
          {push.added !== undefined ? ` (${push.added} tagged, ${push.removed ?? 0} untagged)` : ""}
        </s-paragraph>
        <s-stack direction="inline" gap="small-200">
          <s-button onClick={now}>Push now</s-button>
          <s-button onClick={reconcile}>Reconcile with Shopify</s-button>
        </s-stack>
        <s-heading>Entered and left</s-heading>
        <Pending loaded={changes} what="the history" />
        {changes.state === "loaded" && changes.data.changes.length === 0 && <s-paragraph>No change yet.</s-paragraph>}
        {changes.state === "loaded" && changes.data.changes.length > 0 && (
          <s-unordered-list>
            {changes.data.changes.slice(0, 20).map((change) => (
              <s-list-item>
                Customer {change.customer_id} {change.change === "entered" ? "entered" : "left"} {when(change.at)}
              </s-list-item>
            ))}
          </s-unordered-list>
        )}
      </s-stack>
    </s-section>
  );
}

export function SegmentDetail(props: { slug: string }) {
  const segment = useApi<SegmentView>(`/api/segments/${props.slug}`, (view) => view.evaluation !== null);
  return (
    <s-page heading={segment.state === "loaded" ? segment.data.name : "Segment"}>
      <Pending loaded={segment} what="the segment" />
      {segment.state === "loaded" && (
        <>
          <s-section heading="Summary">
            {segment.data.evaluation ? (
              <>
                <Evaluating evaluation={segment.data.evaluation} />
                <s-paragraph>
                  Your store is large, so Seglink evaluates the rules in the background; members are tagged in Shopify as
                  soon as it finishes. You can leave this page.
                </s-paragraph>
              </>
            ) : (
              <s-paragraph data-summary>
                {segment.data.member_count.toLocaleString()} members, tagged <s-text type="code">{segment.data.tag}</s-text> in
                Shopify.
              </s-paragraph>
            )}
            <s-link href={`/segments/${props.slug}/edit`}>Edit the rules</s-link>
            {segment.data.storefront_signals.map((signal) => (
              <s-banner tone="warning" heading="Rests on storefront signals">
                <s-paragraph>{signal}</s-paragraph>
              </s-banner>
            ))}
          </s-section>
          <Members slug={props.slug} evaluating={segment.data.evaluation !== null} />
          <WhyInOrNot slug={props.slug} />
          <Pushing slug={props.slug} push={segment.data.push} />
        </>
      )}
    </s-page>
  );
}
