// The guest-miss report: members who checked out as guests with their own email, whom Shopify's
// checkout could not know by their tag, and what today's rules would have taken off.
import { useApi } from "../hooks";
import { Pending } from "../Pending";
import type { GuestMisses as Report } from "../generated/api";

const day = (seconds: number) => new Date(seconds * 1000).toLocaleDateString();

export function GuestMisses() {
  const report = useApi<Report>("/api/discount-rules/guest-misses");
  return (
    <s-section heading="Members who checked out as guests">
      <Pending loaded={report} what="the guest-miss report" />
      {report.state === "loaded" && (
        <s-stack gap="base">
          <s-paragraph data-guest-misses>
            {report.data.orders.length === 0
              ? `No member missed a discount by checking out as a guest since ${day(report.data.since)}.`
              : `${report.data.orders.length === 1 ? "1 guest order" : `${report.data.orders.length} guest orders`} since ${day(report.data.since)} ${report.data.orders.length === 1 ? "was" : "were"} placed with a member's email and got no discount: ${report.data.total_missed} missed.`}
          </s-paragraph>
          {report.data.orders.length > 0 && (
            <>
              <s-table>
                <s-table-header-row>
                  <s-table-header>Order</s-table-header>
                  <s-table-header>Placed</s-table-header>
                  <s-table-header>Member</s-table-header>
                  <s-table-header>Would have had</s-table-header>
                  <s-table-header>Missed</s-table-header>
                </s-table-header-row>
                <s-table-body>
                  {report.data.orders.map((order) => (
                    <s-table-row data-guest-order={order.order_id}>
                      <s-table-cell>{order.order_name ?? order.order_id}</s-table-cell>
                      <s-table-cell>{day(order.placed_at)}</s-table-cell>
                      <s-table-cell>{order.email ?? order.customer_id}</s-table-cell>
                      <s-table-cell>{order.discounts.map((given) => `${given.title} (${given.value})`).join(", ")}</s-table-cell>
                      <s-table-cell>{order.missed}</s-table-cell>
                    </s-table-row>
                  ))}
                </s-table-body>
              </s-table>
              <s-paragraph>
                Members get their discount when they sign in at checkout: ask them to, in your order confirmation or account
                invitation emails.
              </s-paragraph>
            </>
          )}
        </s-stack>
      )}
    </s-section>
  );
}
