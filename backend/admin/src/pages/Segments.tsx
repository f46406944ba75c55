// Segments: every segment with its members, its last push, and whether Shopify has it as a
// native segment or why not (App Home's index pattern).
import { useState } from "preact/hooks";
import { useApi } from "../hooks";
import { keep } from "../keep";
import { navigate } from "../navigation";
import { Pending } from "../Pending";
import type { EvaluationView, SegmentList, SegmentView } from "../generated/api";

const PUSH_STATES: Record<string, string> = { never: "Not pushed yet", done: "Pushed", running: "Pushing", queued: "Queued", failed: "Failed" };

function when(seconds: number | null): string {
  return seconds ? new Date(seconds * 1000).toLocaleString() : "";
}

/// An evaluation under way: how many customers of how many, as a bar and in words.
export function Evaluating(props: { evaluation: EvaluationView }) {
  const { evaluated, total } = props.evaluation;
  return (
    <s-stack gap="small-200" data-evaluating>
      <s-progress value={evaluated} max={Math.max(total, 1)} accessibilityLabel="Customers evaluated" />
      <s-text>
        Evaluating: {evaluated.toLocaleString()} of {total.toLocaleString()} customers
      </s-text>
    </s-stack>
  );
}

export function Segments() {
  // While a segment is being evaluated (saved in a large store), the list follows its progress.
  const loaded = useApi<SegmentList>("/api/segments", (list) => list.segments.some((segment) => segment.evaluation !== null));
  const [kept, setKept] = useState<Record<string, SegmentView>>({});
  return (
    <s-page heading="Segments">
      <s-button slot="primary-action" variant="primary" onClick={() => navigate("/segments/new")}>
        Create segment
      </s-button>
      <s-section heading="Your segments">
        <Pending loaded={loaded} what="segments" />
        {loaded.state === "loaded" && loaded.data.segments.length === 0 && (
          <s-paragraph>
            No segments yet. Once the last 90 days are imported, Seglink suggests one from your best customers.
          </s-paragraph>
        )}
        {loaded.state === "loaded" && loaded.data.segments.length > 0 && (
          <s-table>
            <s-table-header-row>
              <s-table-header>Segment</s-table-header>
              <s-table-header>Members</s-table-header>
              <s-table-header>Customer tag</s-table-header>
              <s-table-header>Last push</s-table-header>
              <s-table-header>Shopify segment</s-table-header>
            </s-table-header-row>
            <s-table-body>
              {loaded.data.segments.map((listed) => {
                const segment = kept[listed.slug] ?? listed;
                return (
                  <s-table-row key={segment.slug} data-segment={segment.slug}>
                    <s-table-cell>
                      <s-stack direction="inline" gap="small-200">
                        <s-link href={`/segments/${segment.slug}`}>{segment.name}</s-link>
                        {segment.suggested && <s-badge tone="info">Suggested</s-badge>}
                        {segment.suggested && (
                          <s-button
                            onClick={async () => setKept({ ...kept, [segment.slug]: await keep(segment) })}
                            accessibilityLabel={`Keep the suggested segment ${segment.name}`}
                          >
                            Keep it
                          </s-button>
                        )}
                      </s-stack>
                    </s-table-cell>
                    <s-table-cell>
                      {segment.evaluation ? <Evaluating evaluation={segment.evaluation} /> : segment.member_count.toLocaleString()}
                    </s-table-cell>
                    <s-table-cell>
                      <s-text type="code">{segment.tag}</s-text>
                    </s-table-cell>
                    <s-table-cell>
                      {PUSH_STATES[segment.push.state] ?? segment.push.state} {when(segment.push.updated_at)}
                    </s-table-cell>
                    <s-table-cell>
                      {segment.native?.enabled ? "Yes" : segment.native?.reason ? `No: ${segment.native.reason}` : "Not asked for"}
                    </s-table-cell>
                  </s-table-row>
                );
              })}
            </s-table-body>
          </s-table>
        )}
      </s-section>
    </s-page>
  );
}
